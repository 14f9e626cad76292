"""Money a subscription gives back: a period paid twice (the duplicate order refunded in full, automatically) and
the unused time of an immediate cancellation (the period's charge and every upgrade charged within it, each
prorated on its own dates).

Paid twice: with a 3-D Secure card each dunning retry leaves an order waiting for the buyer. If the buyer confirms
two of them, the first one paid settles the charge and every later one is a duplicate: its order is refunded in
full through `refund_create` with the key `sub-duplicate:<order public id>` (so running it again, from the on_paid
hook, a webhook or the hourly sweep, never refunds twice), the attempt is marked "refunded" with the refund, and
an audit row `revenue.subscription.duplicate_refunded` is written. `duplicates_due` finds duplicates whose refund
has not been made yet (e.g. the process died after the order was paid), and `dunning_run` refunds them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import structlog
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from novacron.core.services.audit import audit_record
from revenue.exceptions import InvalidState
from revenue.models import DunningAttempt, Order, Refund, Subscription, SubscriptionCharge
from revenue.services.proration import prorate

logger = structlog.get_logger(__name__)

DUPLICATE_REASON = "Subscription period paid twice: the duplicate payment is refunded in full"
ENDED_REASON = "Subscription charge paid after it was canceled: the payment is refunded in full"
# A charge in these states was given up (voided upgrade or first payment, a period after the end): an order that
# pays it later is refunded, like a duplicate.
ENDED_CHARGE_STATES = (SubscriptionCharge.State.VOID, SubscriptionCharge.State.UNCOLLECTIBLE)


def duplicate_key(order: Order) -> str:
    return f"sub-duplicate:{order.public_id}"


def duplicate_order_refund(
    *, charge: SubscriptionCharge, order: Order, attempt: DunningAttempt | None, now: datetime | None = None
) -> Refund | None:
    """Refund in full `order`, which paid `charge` after another order had (call outside transactions, once the
    charge is recorded as paid by its first order). Idempotent. None when nothing was left to refund (support
    refunded it by hand already)."""
    from revenue.services.refunds import refund_create

    now = now or timezone.now()
    charge.refresh_from_db()
    ended = charge.state in ENDED_CHARGE_STATES
    paid_by_another = charge.state == SubscriptionCharge.State.PAID and charge.order_id not in (
        None,
        order.pk,
    )
    if not (ended or paid_by_another):
        return None  # not a duplicate (or not yet known to be one)
    try:
        refund = refund_create(
            order=order,
            amount=None,
            reason=ENDED_REASON if ended else DUPLICATE_REASON,
            now=now,
            idempotency_key=duplicate_key(order),
        )
    except InvalidState as exc:
        if exc.code != "nothing_to_refund":
            raise
        logger.warning("subscription.duplicate_already_refunded", order=str(order.public_id))
        return None
    with transaction.atomic():
        Subscription.objects.select_for_update().get(pk=charge.subscription_id)
        charge = SubscriptionCharge.objects.select_for_update().get(pk=charge.pk)
        if attempt is not None:
            attempt = DunningAttempt.objects.select_for_update().get(pk=attempt.pk)
            if attempt.refund_id == refund.pk:
                return refund  # recorded already
            attempt.outcome = DunningAttempt.Outcome.REFUNDED
            attempt.refund = refund
            attempt.order = order
            attempt.save(update_fields=["outcome", "refund", "order", "updated_at"])
        audit_record(
            actor=None,
            action="revenue.subscription.duplicate_refunded",
            obj=charge,
            after={
                "order": str(order.public_id),
                "paid_by": str(Order.objects.get(pk=charge.order_id).public_id) if charge.order_id else None,
                "charge_state": charge.state,
                "refund": str(refund.public_id),
                "amount": refund.amount,
                "currency": refund.currency,
                "attempt": attempt.number if attempt is not None else None,
            },
        )
    logger.warning(
        "subscription.charge_paid_twice",
        charge=str(charge.public_id),
        order=str(order.public_id),
        refund=str(refund.public_id),
    )
    return refund


def duplicates_due() -> list[int]:
    """Attempts whose order paid a charge already paid by another order, or given up, not refunded yet."""
    paid = DunningAttempt.objects.filter(
        outcome=DunningAttempt.Outcome.SUCCEEDED, refund__isnull=True, order__state=Order.State.PAID
    )
    twice = paid.filter(charge__state=SubscriptionCharge.State.PAID).exclude(order=F("charge__order"))
    ended = paid.filter(charge__state__in=ENDED_CHARGE_STATES)
    return sorted(set(twice.values_list("pk", flat=True)) | set(ended.values_list("pk", flat=True)))


def duplicates_refund(*, now: datetime | None = None) -> int:
    """Refund every duplicate found by `duplicates_due` (hourly, from dunning_run). Returns how many."""
    done = 0
    for pk in duplicates_due():
        attempt = DunningAttempt.objects.select_related("charge", "order").get(pk=pk)
        try:
            refund = duplicate_order_refund(
                charge=attempt.charge, order=attempt.order, attempt=attempt, now=now
            )
        except Exception:
            logger.exception("subscription.duplicate_refund_failed", attempt=pk)
            continue
        done += refund is not None
    return done


# --- immediate cancellation --------------------------------------------------------------------------------------
def unused_time_refunds(sub: Subscription, now: datetime) -> list[tuple[Order, int, str]]:
    """(order, amount, idempotency key) for each paid charge covering the current period: the period's own and
    any upgrade (proration) charged within it. Each gives back the unused share of what its order took,
    prorated over the charge's own dates (rounded half-to-even), never more than is left to refund."""
    charges = (
        sub.charges.filter(state=SubscriptionCharge.State.PAID, period_end=sub.current_period_end)
        .exclude(order__isnull=True)
        .select_related("order")
        .order_by("period_start", "id")
    )
    refunds: list[tuple[Order, int, str]] = []
    for charge in charges:
        order = charge.order
        refundable = order.total - order.refunded_total
        # Usage billed in arrears with the period was used already: only the period's own part is unused.
        period_total = (
            order.total * (charge.amount - charge.usage_amount) // charge.amount if charge.amount else 0
        )
        amount = min(
            refundable,
            prorate(
                old_amount=period_total,
                new_amount=0,
                period_start=charge.period_start,
                period_end=charge.period_end,
                now=now,
            ).credit,
        )
        if amount > 0:
            refunds.append((order, amount, f"sub:{sub.public_id}:cancel-refund:{charge.public_id}"))
    return refunds


def unused_time_refund_create(*, refunds: list[tuple[Order, int, str]], actor: Any, now: datetime) -> None:
    from revenue.services.refunds import refund_create

    for order, amount, key in refunds:
        refund_create(
            order=order,
            amount=amount,
            reason="Subscription canceled: unused time",
            actor=actor,
            now=now,
            idempotency_key=key,
        )

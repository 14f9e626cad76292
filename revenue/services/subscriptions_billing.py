"""Billing a subscription: one charge per period (or per prorated upgrade), collected through checkout.

Idempotency: a renewal's charge has the key `sub:<subscription public id>:period:<period start>`, created under
the subscription's row lock, so running the beat twice (or two workers at once) finds the same charge. A charge
is collected by one attempt at a time: the attempt row is claimed (outcome "processing") in the same locked
transaction, the checkout runs outside it (the gateway call must not hold locks), and the answer is recorded in
a third transaction. An attempt left "processing" by a dead worker is re-examined after ATTEMPT_STALE: its order
(found by the order line's item id) says what happened.

Lock order: subscription, then charge, then attempt (every service here follows it).

The checkout's item type "revenue.subscription" (item id = the charge's public id) prices the charge as it was
computed from the plan's price for the seats and any retention discount; its on_paid hook settles the charge
whichever way the order got paid (off-session here, 3-D Secure confirmed by the buyer, or a late webhook).
A second order paid for an already-paid charge is refunded in full (subscriptions_refunds.py).

Off-session: renewals, retries and upgrades pass the stored method marked with `base.off_session_method` when the
gateway supports it (Stripe: PaymentIntent with off_session=true); the first period is charged on-session.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import structlog
from django.db import transaction
from django.utils import timezone

from novacron.core.exceptions import DomainError
from revenue import hooks
from revenue.exceptions import InvalidState, UnknownItem
from revenue.gateways import get_gateway
from revenue.gateways.base import off_session_method
from revenue.models import DunningAttempt, Order, OrderLine, Subscription, SubscriptionCharge
from revenue.services.checkout import checkout_create
from revenue.services.subscriptions_common import (
    notify,
    period_end_after,
    period_price,
    retry_days,
    seat_price,
)
from revenue.services.subscriptions_refunds import ENDED_CHARGE_STATES, duplicate_order_refund
from revenue.services.tax import billing_profile_for

logger = structlog.get_logger(__name__)

ITEM_TYPE = "revenue.subscription"
ATTEMPT_STALE = timedelta(minutes=15)
AUTHENTICATION_REQUIRED = "authentication_required"


def _date(value: datetime) -> str:
    return value.strftime("%d %b %Y")


def charge_description(
    *, plan: Any, seats: int, start: datetime, end: datetime, kind: str, usage_since: datetime | None = None
) -> str:
    """Shown on the order line and the invoice: the plan, the seats and the period billed (and the usage)."""
    if kind == SubscriptionCharge.Kind.USAGE:
        return f"{plan.name} (metered usage) · {_date(start)} – {_date(end)}"[:255]
    what = "upgrade, prorated" if kind == SubscriptionCharge.Kind.PRORATION else plan.get_interval_display()
    text = f"{plan.name} ({what}) · {seats} seat{'s' if seats != 1 else ''} · {_date(start)} – {_date(end)}"
    if usage_since is not None:
        text += f" · plus metered usage {_date(usage_since)} – {_date(start)}"
    return text[:255]


def _usage(subscription: Subscription, start: datetime, end: datetime) -> int:
    if end <= start:
        return 0
    return hooks.metered_usage(
        plan_key=subscription.plan.key, subscription_id=str(subscription.public_id), start=start, end=end
    )


def period_charge_get_or_create(
    *, subscription: Subscription, kind: str, start: datetime, end: datetime
) -> SubscriptionCharge:
    """The charge of the period starting at `start` (call with the subscription locked)."""
    key = f"sub:{subscription.public_id}:period:{start.isoformat()}"
    existing = SubscriptionCharge.objects.filter(key=key).first()
    if existing is not None:
        return existing
    use_discount = subscription.discount_periods_left > 0
    price = period_price(
        plan=subscription.plan,
        unit_amount=seat_price(subscription, subscription.plan, start),
        seats=subscription.seats,
        discount_percent=subscription.discount_percent if use_discount else 0,
    )
    # A renewal also bills, in arrears, the metered usage since the period before began (its meter decides).
    since = subscription.current_period_start
    usage = _usage(subscription, since, start) if kind == SubscriptionCharge.Kind.RENEWAL else 0
    return SubscriptionCharge.objects.create(
        subscription=subscription,
        key=key,
        kind=kind,
        plan=subscription.plan,
        seats=subscription.seats,
        period_start=start,
        period_end=end,
        unit_amount=price.unit_amount,
        discount_amount=price.discount_amount,
        usage_amount=usage,
        amount=price.amount + usage,
        currency=subscription.plan.currency,
        description=charge_description(
            plan=subscription.plan,
            seats=subscription.seats,
            start=start,
            end=end,
            kind=kind,
            usage_since=since if usage else None,
        ),
    )


def final_usage_charge(subscription: Subscription, *, end: datetime) -> SubscriptionCharge | None:
    """When a (locked) subscription ends at `end`, the usage of its last period not billed yet, as its own charge
    (collect it after commit; a failure makes it uncollectible, there is no renewal left to retry with)."""
    start = subscription.current_period_start
    usage = _usage(subscription, start, end)
    if usage <= 0:
        return None
    charge, _ = SubscriptionCharge.objects.get_or_create(
        key=f"sub:{subscription.public_id}:usage:{end.isoformat()}",
        defaults={
            "subscription": subscription,
            "kind": SubscriptionCharge.Kind.USAGE,
            "plan": subscription.plan,
            "seats": 1,
            "period_start": start,
            "period_end": end,
            "unit_amount": usage,
            "usage_amount": usage,
            "amount": usage,
            "currency": subscription.plan.currency,
            "description": charge_description(
                plan=subscription.plan, seats=1, start=start, end=end, kind=SubscriptionCharge.Kind.USAGE
            ),
        },
    )
    return charge


# --- the checkout item type ------------------------------------------------------------------------------------
def resolve_charge(*, item_id: str, quantity: int, buyer_id: int, currency: str) -> hooks.PricedItem:
    try:
        public_id = uuid.UUID(str(item_id))
    except ValueError as exc:
        raise UnknownItem(f'No subscription charge "{item_id}".') from exc
    charge = (
        SubscriptionCharge.objects.select_related("subscription", "plan").filter(public_id=public_id).first()
    )
    if charge is None or charge.subscription.buyer_id != buyer_id:
        raise UnknownItem(f'No subscription charge "{item_id}".')
    if charge.state != SubscriptionCharge.State.OPEN:
        raise InvalidState(f"This subscription charge is {charge.state}.", code="charge_not_open")
    per_seat = _per_seat(charge)
    return hooks.PricedItem(
        seller_id=charge.plan.seller_id,
        item_type=ITEM_TYPE,
        item_id=str(charge.public_id),
        description=charge.description,
        unit_amount=charge.unit_amount if per_seat else charge.amount,
        currency=charge.currency,
        quantity=charge.seats if per_seat else 1,
        metadata={
            "subscription": str(charge.subscription.public_id),
            "plan": charge.plan.key,
            "period_start": charge.period_start.isoformat(),
            "period_end": charge.period_end.isoformat(),
            "seats": charge.seats,
            **({"retention_discount": charge.discount_amount} if charge.discount_amount else {}),
        },
    )


def on_charge_paid(line: hooks.SoldLine) -> None:
    """Checkout's on_paid for "revenue.subscription": settle the charge (idempotent)."""
    order = Order.objects.filter(public_id=line.order_id).first()
    charge = SubscriptionCharge.objects.filter(public_id=line.item_id).first()
    if order is not None and charge is not None:
        charge_record_order(charge=charge, order=order)


def _per_seat(charge: SubscriptionCharge) -> bool:
    """Sold as seats × seat price; prorations and charges with usage are one line of their amount."""
    return charge.kind in (SubscriptionCharge.Kind.INITIAL, SubscriptionCharge.Kind.RENEWAL) and not (
        charge.usage_amount
    )


def _quantity(charge: SubscriptionCharge) -> int:
    return charge.seats if _per_seat(charge) else 1


# --- collecting ------------------------------------------------------------------------------------------------
def _orders_for(charge: SubscriptionCharge) -> list[Order]:
    order_ids = OrderLine.objects.filter(item_type=ITEM_TYPE, item_id=str(charge.public_id)).values(
        "order_id"
    )
    return list(Order.objects.filter(pk__in=order_ids).order_by("created_at", "id"))


def _settle_stale(charge: SubscriptionCharge, attempt: DunningAttempt, now: datetime) -> bool:
    """A processing attempt older than ATTEMPT_STALE: read what its order says. True if it may be retried."""
    orders = _orders_for(charge)
    if any(o.state == Order.State.PAID for o in orders):
        return False  # charge_record_order settles it (called by the caller after commit)
    if any(o.state in (Order.State.PENDING, Order.State.AWAITING_TRANSFER) for o in orders):
        return False  # the gateway's answer is still coming (reconcile/webhooks)
    attempt.outcome = DunningAttempt.Outcome.FAILED
    attempt.failure_code = "interrupted"
    attempt.failure_message = "The attempt was interrupted before the payment was made."
    attempt.save(update_fields=["outcome", "failure_code", "failure_message", "updated_at"])
    return True


def _payment_method(subscription: Subscription, charge: SubscriptionCharge) -> str:
    """The stored method, marked off-session for charges the buyer does not start (renewals, retries, upgrades)
    when the gateway supports it (Stripe); the first period is charged on-session (3-D Secure can be done)."""
    token = subscription.payment_method
    if charge.kind == SubscriptionCharge.Kind.INITIAL:
        return token
    if getattr(get_gateway(subscription.gateway), "supports_off_session", False):
        return off_session_method(token)
    return token


def charge_collect(*, charge: SubscriptionCharge, now: datetime | None = None) -> SubscriptionCharge:
    """Charge the subscriber's stored payment method for `charge`, off-session, through checkout. Safe to call
    twice or concurrently: only one attempt runs at a time and a settled charge is never charged again."""
    now = now or timezone.now()
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(pk=charge.subscription_id)
        charge = SubscriptionCharge.objects.select_for_update().get(pk=charge.pk)
        if charge.state != SubscriptionCharge.State.OPEN:
            return charge
        if charge.amount == 0:  # nothing to collect (e.g. a metered plan's free base with no usage)
            _settle(subscription, charge, None, now)
            return charge
        running = charge.dunning_attempts.filter(outcome=DunningAttempt.Outcome.PROCESSING).first()
        if running is not None and (
            running.attempted_at > now - ATTEMPT_STALE or not _settle_stale(charge, running, now)
        ):
            paid = next((o for o in _orders_for(charge) if o.state == Order.State.PAID), None)
            if paid is None:
                return charge
            transaction.on_commit(lambda: charge_record_order(charge=charge, order=paid))
            return charge
        charge.attempts += 1
        charge.next_retry_at = None
        charge.save(update_fields=["attempts", "next_retry_at", "updated_at"])
        attempt = DunningAttempt.objects.create(charge=charge, number=charge.attempts, attempted_at=now)
    profile = billing_profile_for(
        buyer_id=subscription.buyer_id, organization_id=subscription.organization_id
    )
    try:
        order = checkout_create(
            buyer=subscription.buyer,
            items=[(ITEM_TYPE, str(charge.public_id), _quantity(charge))],
            currency=charge.currency,
            payment_method=_payment_method(subscription, charge),
            gateway=subscription.gateway,
            organization=subscription.organization_id,
            billing_country=(profile.country if profile else "") or subscription.billing_country,
            vat_number=profile.vat_number if profile else "",
            now=now,
        )
    except DomainError as exc:
        return attempt_fail(attempt=attempt, code=exc.code, message=exc.message, now=now)
    except Exception:
        logger.exception("subscription.charge_error", charge=str(charge.public_id))
        return attempt_fail(
            attempt=attempt, code="error", message="The payment could not be attempted.", now=now
        )
    return charge_record_order(charge=charge, order=order, attempt=attempt, now=now)


def charge_record_order(
    *,
    charge: SubscriptionCharge,
    order: Order,
    attempt: DunningAttempt | None = None,
    now: datetime | None = None,
) -> SubscriptionCharge:
    """Record what checkout did for `charge` (paid, declined, 3-D Secure needed, still pending). Idempotent."""
    now = now or timezone.now()
    order.refresh_from_db()
    if attempt is None:
        attempt = charge.dunning_attempts.filter(order=order).first() or (
            charge.dunning_attempts.filter(
                outcome=DunningAttempt.Outcome.PROCESSING, order__isnull=True
            ).first()
        )
    if order.state == Order.State.PAID:
        return _charge_paid(charge=charge, order=order, attempt=attempt, now=now)
    if attempt is None:
        return charge
    if order.state in (Order.State.FAILED, Order.State.REQUIRES_ACTION, Order.State.CANCELED):
        payment = order.payments.order_by("-created_at", "-id").first()
        if order.state == Order.State.REQUIRES_ACTION:
            code, message = AUTHENTICATION_REQUIRED, "Your bank asks you to confirm this payment."
        else:
            code = payment.failure_code if payment else "failed"
            message = payment.failure_message if payment else "The payment failed."
        return attempt_fail(attempt=attempt, code=code, message=message, now=now, order=order)
    DunningAttempt.objects.filter(pk=attempt.pk, order__isnull=True).update(order=order, updated_at=now)
    return charge


def attempt_fail(
    *, attempt: DunningAttempt, code: str, message: str, now: datetime, order: Order | None = None
) -> SubscriptionCharge:
    """A collection attempt failed: schedule the next retry (or none after the last) and mark the subscription
    past due; a proration is voided instead (the upgrade simply does not happen)."""
    from revenue.services.dunning import reminder_schedule

    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(pk=attempt.charge.subscription_id)
        charge = SubscriptionCharge.objects.select_for_update().get(pk=attempt.charge_id)
        attempt = DunningAttempt.objects.select_for_update().get(pk=attempt.pk)
        if attempt.outcome != DunningAttempt.Outcome.PROCESSING:
            return charge
        attempt.outcome = DunningAttempt.Outcome.FAILED
        attempt.failure_code = (code or "failed")[:60]
        attempt.failure_message = (message or "")[:255]
        attempt.order = order or attempt.order
        attempt.save()
        if charge.state != SubscriptionCharge.State.OPEN:
            return charge
        charge.last_failure_code = attempt.failure_code
        if charge.kind == SubscriptionCharge.Kind.PRORATION:
            charge.state = SubscriptionCharge.State.VOID
            charge.save(update_fields=["state", "last_failure_code", "updated_at"])
            return charge
        if charge.kind == SubscriptionCharge.Kind.USAGE:  # the subscription has ended: nothing to retry with
            charge.state = SubscriptionCharge.State.UNCOLLECTIBLE
            charge.save(update_fields=["state", "last_failure_code", "updated_at"])
            logger.warning("subscription.final_usage_uncollectible", charge=str(charge.public_id))
            return charge
        charge.first_failed_at = charge.first_failed_at or now
        schedule = retry_days()
        failures = charge.dunning_attempts.filter(outcome=DunningAttempt.Outcome.FAILED).count()
        charge.next_retry_at = (
            charge.first_failed_at + timedelta(days=schedule[failures - 1])
            if failures <= len(schedule)
            else None
        )
        charge.save(update_fields=["first_failed_at", "next_retry_at", "last_failure_code", "updated_at"])
        if charge.kind == SubscriptionCharge.Kind.INITIAL and attempt.failure_code == AUTHENTICATION_REQUIRED:
            # The bank wants the buyer (3-D Secure): stay incomplete; confirming the order activates it, and
            # dunning_run ends it when that never happens (INCOMPLETE_EXPIRY).
            charge.next_retry_at = None
            charge.save(update_fields=["next_retry_at", "updated_at"])
            return charge
        if charge.kind == SubscriptionCharge.Kind.INITIAL:
            subscription.state = Subscription.State.CANCELED
            subscription.end_reason = Subscription.EndReason.INCOMPLETE
            subscription.ended_at = now
            subscription.save(update_fields=["state", "end_reason", "ended_at", "updated_at"])
            charge.state = SubscriptionCharge.State.VOID
            charge.next_retry_at = None
            charge.save(update_fields=["state", "next_retry_at", "updated_at"])
            return charge
        if subscription.state != Subscription.State.PAST_DUE:
            subscription.state = Subscription.State.PAST_DUE
            subscription.past_due_since = charge.period_start
            subscription.save(update_fields=["state", "past_due_since", "updated_at"])
            notify(subscription, "past_due")
        reminder_schedule(attempt=attempt)
    return charge


def _charge_paid(
    *, charge: SubscriptionCharge, order: Order, attempt: DunningAttempt | None, now: datetime
) -> SubscriptionCharge:
    with transaction.atomic():
        subscription = (
            Subscription.objects.select_for_update().select_related("plan").get(pk=charge.subscription_id)
        )
        charge = SubscriptionCharge.objects.select_for_update().get(pk=charge.pk)
        if attempt is not None:
            DunningAttempt.objects.filter(pk=attempt.pk).exclude(
                outcome=DunningAttempt.Outcome.REFUNDED
            ).update(outcome=DunningAttempt.Outcome.SUCCEEDED, order=order, failure_code="", updated_at=now)
        if charge.state == SubscriptionCharge.State.OPEN and _too_late(subscription, charge):
            charge.state = SubscriptionCharge.State.VOID
            charge.next_retry_at = None
            charge.save(update_fields=["state", "next_retry_at", "updated_at"])
        # Paid twice (two 3-D Secure orders confirmed), or paid after the charge was given up (a voided upgrade
        # or first payment, a period after the subscription ended): that order is refunded, never applied.
        duplicate = (
            charge.state == SubscriptionCharge.State.PAID and charge.order_id != order.pk
        ) or charge.state in ENDED_CHARGE_STATES
        if charge.state == SubscriptionCharge.State.OPEN:
            _settle(subscription, charge, order, now)
    if duplicate:
        # Refunded in full, once. Should that fail now, the hourly dunning run finds it again (duplicates_due).
        try:
            duplicate_order_refund(charge=charge, order=order, attempt=attempt, now=now)
        except Exception:
            logger.exception("subscription.duplicate_refund_failed", order=str(order.public_id))
        charge.refresh_from_db()
    return charge


def _settle(
    subscription: Subscription, charge: SubscriptionCharge, order: Order | None, now: datetime
) -> None:
    """The first order paid settles the (locked) charge; a charge of 0 settles with no order."""
    was_failing = charge.first_failed_at is not None
    charge.state = SubscriptionCharge.State.PAID
    charge.order = order
    charge.paid_at = (order.paid_at if order else None) or now
    charge.recovered = was_failing
    charge.next_retry_at = None
    charge.save()
    _apply_paid(subscription, charge, now)


def _too_late(subscription: Subscription, charge: SubscriptionCharge) -> bool:
    """An open charge whose payment can no longer buy what it was for: an upgrade once its period has passed or
    the subscription is no longer live, a period once the subscription has ended."""
    kind = SubscriptionCharge.Kind
    if charge.kind == kind.USAGE:
        return False  # usage already consumed is owed whatever happened since
    live = subscription.state in (Subscription.State.ACTIVE, Subscription.State.TRIALING)
    if charge.kind == kind.PRORATION:
        return not (live and charge.period_end >= subscription.current_period_end)
    return subscription.state == Subscription.State.CANCELED


def _apply_paid(subscription: Subscription, charge: SubscriptionCharge, now: datetime) -> None:
    from revenue.services.subscriptions import apply_change

    kind = SubscriptionCharge.Kind
    if charge.kind == kind.USAGE:
        return  # the final usage of an ended subscription changes nothing
    if charge.kind == kind.PRORATION:
        apply_change(subscription, charge.change, now=now)
        return
    event = {
        Subscription.State.ACTIVE: "renewed",
        Subscription.State.PAST_DUE: "renewed",
        Subscription.State.PAUSED: "resumed",
    }.get(subscription.state, "activated")
    if charge.kind == kind.RENEWAL:
        subscription.current_period_start = charge.period_start
        subscription.current_period_end = charge.period_end
        if charge.discount_amount and subscription.discount_periods_left:
            subscription.discount_periods_left -= 1
            if not subscription.discount_periods_left:
                subscription.discount_percent = 0
    subscription.state = Subscription.State.ACTIVE
    subscription.past_due_since = None
    subscription.resume_at = None
    subscription.save()
    notify(subscription, event)


# --- renewals --------------------------------------------------------------------------------------------------
def subscription_renew(
    *, subscription: Subscription, now: datetime | None = None
) -> SubscriptionCharge | None:
    """Advance a subscription whose period ended: end it (canceled at period end), pause it (pause accepted),
    or bill the next period and collect it. Does nothing before the period end; safe to run twice."""
    from revenue.services.subscriptions import period_boundary

    now = now or timezone.now()
    with transaction.atomic():
        locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
        charge = period_boundary(locked, now=now)
    if charge is None or charge.state != SubscriptionCharge.State.OPEN:
        return charge
    if charge.attempts and charge.first_failed_at is not None:
        return charge  # failing already: the dunning schedule retries it, not the renewal beat
    return charge_collect(charge=charge, now=now)


def renewals_due(*, now: datetime | None = None) -> list[int]:
    """Ids of subscriptions whose period (or pause) has ended."""
    now = now or timezone.now()
    live = Subscription.objects.filter(
        state__in=(Subscription.State.ACTIVE, Subscription.State.TRIALING), current_period_end__lte=now
    )
    paused = Subscription.objects.filter(state=Subscription.State.PAUSED, resume_at__lte=now)
    return sorted(set(live.values_list("pk", flat=True)) | set(paused.values_list("pk", flat=True)))


def next_period(subscription: Subscription, start: datetime) -> datetime:
    return period_end_after(anchor=subscription.anchor, plan=subscription.plan, start=start)

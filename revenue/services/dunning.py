"""Dunning: collecting a renewal that failed.

After a failed renewal the subscription is past due and keeps access for the grace period
(REVENUE_DUNNING_GRACE_DAYS, default the last retry day). The charge is retried REVENUE_DUNNING_RETRY_DAYS days after the
first failure (default 1, 3, 5 and 7); each failure emails the subscriber a reminder (after commit, through a
Celery task) with the next try and a link to update the payment method, and a new payment method retries at once.
A retry that succeeds recovers the revenue (the charge is marked `recovered`). When the grace period is over and
no retry is left, the subscription is suspended: canceled with reason "payment_failed" (involuntary churn). The
paid period always ended before the failed renewal, so suspension never cuts service already paid for.

A period paid twice (two 3-D Secure orders of one charge confirmed by the buyer) is refunded automatically: see
subscriptions_refunds.py; the hourly run also refunds any duplicate whose refund was not made at payment time.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import structlog
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from novacron.accounts import facade as accounts
from novacron.core.exceptions import PermissionDenied
from novacron.core.services.audit import audit_record
from revenue.exceptions import InvalidState
from revenue.models import DunningAttempt, Subscription, SubscriptionCharge
from revenue.services.subscriptions_billing import charge_collect
from revenue.services.subscriptions_common import FINANCE_PERMISSION, grace_period
from revenue.services.subscriptions_refunds import duplicates_refund

logger = structlog.get_logger(__name__)


def reminder_schedule(*, attempt: DunningAttempt) -> None:
    """Email the failure reminder once the failure is committed (task revenue.subscription_dunning_email)."""
    from revenue.tasks_subscriptions import subscription_dunning_email

    attempt_id = attempt.pk
    transaction.on_commit(lambda: subscription_dunning_email.delay(attempt_id), robust=True)


def reminder_send(*, attempt: DunningAttempt) -> bool:
    """Send the reminder for a failed attempt, once (reminder_sent_at). Returns whether it was sent."""
    with transaction.atomic():
        attempt = (
            DunningAttempt.objects.select_for_update()
            .select_related("charge__subscription__plan")
            .get(pk=attempt.pk)
        )
        if attempt.reminder_sent_at is not None or attempt.outcome != DunningAttempt.Outcome.FAILED:
            return False
        charge = attempt.charge
        subscription = charge.subscription
        user = accounts.user_get(subscription.buyer_id)
        if user is None or not user.email:
            return False
        context = {
            "name": user.name,
            "plan": subscription.plan.name,
            "charge": charge,
            "attempt": attempt,
            "next_retry_at": charge.next_retry_at,
            "access_until": (subscription.past_due_since or charge.period_start) + grace_period(),
            "final": charge.next_retry_at is None,
            "url": f"{getattr(settings, 'SITE_URL', '').rstrip('/')}/revenue/subscriptions/{subscription.public_id}/",
        }
        send_mail(
            subject=f"[NovaCron] Payment failed for {subscription.plan.name}",
            message=render_to_string("revenue/subscriptions/dunning_email.txt", context),
            from_email=None,
            recipient_list=[user.email],
        )
        attempt.reminder_sent_at = timezone.now()
        attempt.save(update_fields=["reminder_sent_at", "updated_at"])
    return True


def retries_due(*, now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return list(
        SubscriptionCharge.objects.filter(
            state=SubscriptionCharge.State.OPEN,
            next_retry_at__lte=now,
            subscription__state=Subscription.State.PAST_DUE,
        ).values_list("pk", flat=True)
    )


def suspensions_due(*, now: datetime | None = None) -> list[int]:
    """Past-due subscriptions whose grace period is over with no retry left."""
    now = now or timezone.now()
    candidates = Subscription.objects.filter(
        state=Subscription.State.PAST_DUE, past_due_since__lte=now - grace_period()
    )
    pending = SubscriptionCharge.objects.filter(
        state=SubscriptionCharge.State.OPEN, next_retry_at__isnull=False
    )
    running = DunningAttempt.objects.filter(outcome=DunningAttempt.Outcome.PROCESSING)
    return list(
        candidates.exclude(pk__in=pending.values("subscription_id"))
        .exclude(pk__in=running.values("charge__subscription_id"))
        .values_list("pk", flat=True)
    )


def subscription_suspend(*, subscription: Subscription, now: datetime | None = None) -> bool:
    """Suspend after the grace period (re-checked under the lock). Returns whether it was suspended."""
    from revenue.services.subscriptions import subscription_end

    now = now or timezone.now()
    if subscription.pk not in suspensions_due(now=now):
        return False
    subscription_end(
        subscription=subscription, reason=Subscription.EndReason.PAYMENT_FAILED, at=now, event="suspended"
    )
    return True


INCOMPLETE_EXPIRY = timedelta(hours=23)


def incomplete_expire(*, now: datetime | None = None) -> int:
    """End subscriptions whose first payment was never completed (3-D Secure not confirmed) within a day."""
    from revenue.services.subscriptions import subscription_end

    now = now or timezone.now()
    stale = Subscription.objects.filter(
        state=Subscription.State.INCOMPLETE, created_at__lte=now - INCOMPLETE_EXPIRY
    )
    ended = 0
    for subscription in stale:
        subscription_end(
            subscription=subscription, reason=Subscription.EndReason.INCOMPLETE, at=now, event="canceled"
        )
        ended += 1
    return ended


def dunning_run(*, now: datetime | None = None) -> dict[str, int]:
    """Retry what is due, suspend what is past its grace period, end never-completed starts and refund any
    period paid twice that was not refunded yet (hourly beat)."""
    now = now or timezone.now()
    incomplete_expire(now=now)
    duplicates = duplicates_refund(now=now)
    retried = recovered = 0
    for charge_id in retries_due(now=now):
        charge = SubscriptionCharge.objects.get(pk=charge_id)
        result = charge_collect(charge=charge, now=now)
        retried += 1
        recovered += result.state == SubscriptionCharge.State.PAID
    suspended = sum(
        subscription_suspend(subscription=Subscription.objects.get(pk=pk), now=now)
        for pk in suspensions_due(now=now)
    )
    return {
        "retried": retried,
        "recovered": recovered,
        "suspended": suspended,
        "duplicates_refunded": duplicates,
    }


def charge_retry_now(
    *, subscription: Subscription, actor: object = None, now: datetime | None = None
) -> SubscriptionCharge:
    """Retry a past-due subscription's open charge now (new payment method, or finance from the queue)."""
    now = now or timezone.now()
    if actor is not None and not getattr(actor, "has_perm", lambda _p: False)(FINANCE_PERMISSION):
        raise PermissionDenied("Only finance staff can retry a charge from the dunning queue.")
    charge = (
        SubscriptionCharge.objects.filter(subscription=subscription, state=SubscriptionCharge.State.OPEN)
        .exclude(kind=SubscriptionCharge.Kind.PRORATION)
        .order_by("-period_start")
        .first()
    )
    if charge is None or subscription.state != Subscription.State.PAST_DUE:
        raise InvalidState("This subscription has no overdue payment to retry.")
    if actor is not None:
        with transaction.atomic():
            audit_record(
                actor=actor, action="revenue.subscription.retry", obj=charge, after={"amount": charge.amount}
            )
    return charge_collect(charge=charge, now=now)

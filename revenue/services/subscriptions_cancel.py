"""Canceling a subscription (at the period end, or now with the unused time refunded), the retention offers made
instead (a discount for N renewals, or a pause of N periods; the outcome is recorded) and resuming."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from novacron.core.services.audit import audit_record
from revenue.exceptions import InvalidState, ValidationError
from revenue.models import RetentionOffer, Subscription
from revenue.services import subscriptions_billing as billing
from revenue.services.subscriptions_common import require_manager, snapshot
from revenue.services.subscriptions_refunds import unused_time_refund_create, unused_time_refunds

CANCELABLE = (
    Subscription.State.TRIALING,
    Subscription.State.ACTIVE,
    Subscription.State.PAST_DUE,
    Subscription.State.PAUSED,
)


def retention_offers(subscription: Subscription) -> list[dict[str, Any]]:
    """What a buyer who asks to cancel is offered (settings REVENUE_RETENTION_*)."""
    offers = []
    percent = Decimal(str(getattr(settings, "REVENUE_RETENTION_DISCOUNT_PERCENT", "20")))
    periods = int(getattr(settings, "REVENUE_RETENTION_DISCOUNT_PERIODS", 3))
    if percent > 0 and periods > 0 and not subscription.discount_periods_left:
        offers.append({"kind": "discount", "percent_off": percent, "periods": periods})
    pause = int(getattr(settings, "REVENUE_RETENTION_PAUSE_PERIODS", 1))
    if pause > 0 and subscription.state == Subscription.State.ACTIVE:
        offers.append({"kind": "pause", "percent_off": Decimal(0), "periods": pause})
    return offers


def subscription_cancel(
    *,
    subscription: Subscription,
    actor: Any,
    at_period_end: bool = True,
    accept_offer: str = "",
    reason: str = "",
    now: datetime | None = None,
) -> Subscription:
    """Cancel, or accept a retention offer instead (`accept_offer` "discount" or "pause"). When offers were
    available, the outcome (accepted, or declined by canceling) is recorded. Immediate cancellation refunds
    the unused part of the current paid period — the period's charge and any upgrade charged within it, each
    prorated over its own dates, rounded half-to-even."""
    now = now or timezone.now()
    require_manager(subscription, actor)
    refunds: list[Any] = []
    final_usage = None
    with transaction.atomic():
        sub = Subscription.objects.select_for_update().select_related("plan").get(pk=subscription.pk)
        if sub.state not in CANCELABLE:
            raise InvalidState(f"A {sub.get_state_display().lower()} subscription cannot be canceled.")
        offers = {o["kind"]: o for o in retention_offers(sub)}
        before = snapshot(sub)
        if accept_offer:
            offer = offers.get(accept_offer)
            if offer is None:
                raise ValidationError(
                    "This offer is not available for this subscription.", field="accept_offer"
                )
            if accept_offer == "discount":
                sub.discount_percent, sub.discount_periods_left = offer["percent_off"], offer["periods"]
            else:
                sub.pause_periods = offer["periods"]
            sub.cancel_at_period_end = False
            sub.save()
            RetentionOffer.objects.create(
                subscription=sub,
                kind=accept_offer,
                percent_off=offer["percent_off"],
                periods=offer["periods"],
                outcome=RetentionOffer.Outcome.ACCEPTED,
                reason=reason[:200],
                actor=actor,
            )
            audit_record(
                actor=actor,
                action="revenue.subscription.retention_accepted",
                obj=sub,
                before=before,
                after=snapshot(sub),
            )
            return sub
        for offer in offers.values():
            RetentionOffer.objects.create(
                subscription=sub,
                kind=offer["kind"],
                percent_off=offer["percent_off"],
                periods=offer["periods"],
                outcome=RetentionOffer.Outcome.DECLINED,
                reason=reason[:200],
                actor=actor,
            )
        live = sub.state in (Subscription.State.ACTIVE, Subscription.State.TRIALING)
        if at_period_end and live:
            sub.cancel_at_period_end = True
            sub.canceled_at = now
            sub.save(update_fields=["cancel_at_period_end", "canceled_at", "updated_at"])
            audit_record(
                actor=actor,
                action="revenue.subscription.cancel_scheduled",
                obj=sub,
                before=before,
                after=snapshot(sub),
            )
            return sub
        if sub.state == Subscription.State.ACTIVE:
            refunds = unused_time_refunds(sub, now)
        sub.canceled_at = now
        from revenue.services.subscriptions import end_locked

        end_locked(sub, reason=Subscription.EndReason.BUYER, at=now, event="canceled", actor=actor)
        final_usage = billing.final_usage_charge(sub, end=now)
    unused_time_refund_create(refunds=refunds, actor=actor, now=now)
    if final_usage is not None:
        billing.charge_collect(charge=final_usage, now=now)
    sub.refresh_from_db()
    return sub


def subscription_resume(
    *, subscription: Subscription, actor: Any, now: datetime | None = None
) -> Subscription:
    """Keep a subscription scheduled to cancel at the period end, or end a pause now (charging a new period)."""
    now = now or timezone.now()
    require_manager(subscription, actor)
    with transaction.atomic():
        sub = Subscription.objects.select_for_update().select_related("plan").get(pk=subscription.pk)
        before = snapshot(sub)
        if sub.cancel_at_period_end and sub.state in (Subscription.State.ACTIVE, Subscription.State.TRIALING):
            sub.cancel_at_period_end = False
            sub.canceled_at = None
            sub.save(update_fields=["cancel_at_period_end", "canceled_at", "updated_at"])
        elif sub.pause_periods and sub.state == Subscription.State.ACTIVE:
            sub.pause_periods = 0
            sub.save(update_fields=["pause_periods", "updated_at"])
        elif sub.state == Subscription.State.PAUSED:
            sub.resume_at = now
            sub.save(update_fields=["resume_at", "updated_at"])
        else:
            raise InvalidState("There is nothing to resume: the subscription is not paused or canceling.")
        audit_record(
            actor=actor, action="revenue.subscription.resume", obj=sub, before=before, after=snapshot(sub)
        )
    if sub.state == Subscription.State.PAUSED:
        billing.subscription_renew(subscription=sub, now=now)
        sub.refresh_from_db()
    return sub

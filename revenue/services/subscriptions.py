"""Subscription lifecycle: plans, starting, changing plan or seats, canceling (with retention offers), pausing,
resuming and the stored payment method. Billing and collection live in subscriptions_billing.py, retries in
dunning.py, the upgrade arithmetic in proration.py.

Transitions allowed (anything else raises InvalidState with a message):

- start: → trialing (plan has a trial; the card is attached, nothing charged) or → incomplete → active (the
  first period is charged at once; a declined first payment ends it as canceled, "incomplete_expired").
- change (trialing, active): more per year (plan or seats) → applied now, the rest of the period prorated and
  charged at once (trialing: applied now, nothing charged); less per year → at the period end.
- cancel (trialing, active, past_due, paused): at the period end (access kept until then) or immediately (the
  unused part of the paid period refunded, prorated like upgrades). A retention offer accepted instead of the
  cancellation is recorded (discount for N periods, or a pause of N periods from the period end).
- resume: undo a cancellation scheduled for the period end, or end a pause now (the new period is charged).
"""

from __future__ import annotations

import inspect
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from novacron.accounts import facade as accounts
from novacron.core.exceptions import PermissionDenied
from novacron.core.services.audit import audit_record
from revenue.exceptions import InvalidState, PaymentDeclined, ValidationError
from revenue.gateways import default_gateway_name, get_gateway
from revenue.gateways.base import StoredPaymentMethod
from revenue.models import Plan, Subscription, SubscriptionCharge
from revenue.services import subscriptions_billing as billing
from revenue.services.proration import prorate
from revenue.services.subscriptions_common import (
    MANAGER_ROLES,
    interval_months,
    notify,
    period_price,
    require_manager,
    seat_price,
    snapshot,
    yearly_value,
)


# --- start -----------------------------------------------------------------------------------------------------
def attach_payment_method(
    gateway_name: str, payment_method: str, *, customer_email: str = ""
) -> tuple[str, str]:
    """Validate and store a payment method for later charges: (token, label such as "•••• 4242"). Gateways that
    keep customers (Stripe) attach it to the buyer's customer, found or created by `customer_email`."""
    gateway = get_gateway(gateway_name)
    attach = getattr(gateway, "attach_payment_method", None)
    if not (payment_method or "").strip():
        raise ValidationError("Enter a payment method.", field="payment_method")
    try:
        if attach is None:
            normalize = getattr(gateway, "normalize_payment_method", None)
            stored: str | StoredPaymentMethod = (
                normalize(payment_method) if normalize else payment_method.strip()
            )
        elif "customer_email" in inspect.signature(attach).parameters:
            stored = attach(payment_method, customer_email=customer_email)
        else:
            stored = attach(payment_method)
    except ValueError as exc:
        raise ValidationError(str(exc), field="payment_method") from exc
    if isinstance(stored, StoredPaymentMethod):
        return stored.token, stored.label or stored.token[:60]
    digits = "".join(c for c in stored if c.isdigit())
    label = f"•••• {digits[-4:]}" if len(digits) >= 4 else stored[:60]
    return stored, label


def subscription_start(
    *,
    buyer: Any,
    plan: Plan,
    seats: int,
    payment_method: str,
    organization_id: int | None = None,
    gateway: str | None = None,
    billing_country: str = "",
    now: datetime | None = None,
) -> Subscription:
    """Subscribe `buyer` (or their organisation) to `plan`. With a trial nothing is charged until it ends;
    otherwise the first period is charged now (a decline leaves the subscription canceled, see the charge)."""
    now = now or timezone.now()
    if not plan.is_active:
        raise ValidationError(f'"{plan.name}" is no longer offered.', field="plan")
    if isinstance(seats, bool) or not isinstance(seats, int) or not 1 <= seats <= plan.max_seats:
        raise ValidationError(f"Choose from 1 to {plan.max_seats} seats.", field="seats")
    if (
        organization_id is not None
        and accounts.organization_role(buyer.pk, organization_id) not in MANAGER_ROLES
    ):
        raise PermissionDenied(
            "Only an owner, admin or billing member can subscribe for this organisation.",
            field="organization",
        )
    gateway = gateway or default_gateway_name()
    token, label = attach_payment_method(gateway, payment_method, customer_email=buyer.email or "")
    trial = plan.trial_days > 0
    with transaction.atomic():
        subscription = Subscription(
            plan=plan,
            buyer=buyer,
            organization_id=organization_id,
            seats=seats,
            state=Subscription.State.TRIALING if trial else Subscription.State.INCOMPLETE,
            gateway=gateway,
            payment_method=token,
            payment_method_label=label,
            billing_country=(billing_country or "").strip().upper()[:2],
            anchor=now,
            current_period_start=now,
            current_period_end=now,
        )
        if trial:
            subscription.trial_end = now + timedelta(days=plan.trial_days)
            subscription.current_period_end = subscription.trial_end
            subscription.anchor = subscription.trial_end
        else:
            subscription.current_period_end = billing.next_period(subscription, now)
        subscription.save()
        audit_record(
            actor=buyer, action="revenue.subscription.start", obj=subscription, after=snapshot(subscription)
        )
        charge = None
        if trial:
            notify(subscription, "activated")
        else:
            charge = billing.period_charge_get_or_create(
                subscription=subscription,
                kind=SubscriptionCharge.Kind.INITIAL,
                start=now,
                end=subscription.current_period_end,
            )
    if charge is not None:
        billing.charge_collect(charge=charge, now=now)
        subscription.refresh_from_db()
    return subscription


# --- the period boundary (called by the renewal with the subscription locked) -----------------------------------
def period_boundary(subscription: Subscription, *, now: datetime) -> SubscriptionCharge | None:
    state = subscription.state
    if state == Subscription.State.PAUSED:
        if subscription.resume_at is None or subscription.resume_at > now:
            return None
        start = subscription.resume_at
        subscription.anchor = start
        end = billing.next_period(subscription, start)
        subscription.save(update_fields=["anchor", "updated_at"])
        return billing.period_charge_get_or_create(
            subscription=subscription, kind=SubscriptionCharge.Kind.RENEWAL, start=start, end=end
        )
    if state not in (Subscription.State.ACTIVE, Subscription.State.TRIALING):
        return None
    if subscription.current_period_end > now:
        return None
    boundary = subscription.current_period_end
    existing = SubscriptionCharge.objects.filter(
        key=f"sub:{subscription.public_id}:period:{boundary.isoformat()}"
    )
    if existing.exists():
        return existing.first()
    if subscription.cancel_at_period_end:
        end_locked(subscription, reason=Subscription.EndReason.BUYER, at=boundary, event="canceled")
        return billing.final_usage_charge(
            subscription, end=boundary
        )  # metered plans: the last period's usage
    if subscription.pause_periods:
        before = snapshot(subscription)
        subscription.state = Subscription.State.PAUSED
        subscription.resume_at = _add_periods(subscription, boundary, subscription.pause_periods)
        subscription.pause_periods = 0
        subscription.save()
        audit_record(
            actor=None,
            action="revenue.subscription.pause",
            obj=subscription,
            before=before,
            after=snapshot(subscription),
        )
        notify(subscription, "paused")
        return None
    if subscription.pending_plan_id or subscription.pending_seats:
        pending = subscription.pending_plan
        if pending is not None and pending.interval != subscription.plan.interval:
            subscription.anchor = boundary  # a new interval counts its periods from the switch
        apply_change(
            subscription,
            {
                "plan": subscription.pending_plan_id or subscription.plan_id,
                "seats": subscription.pending_seats or subscription.seats,
            },
            now=now,
            notify_change=False,
        )
    end = billing.next_period(subscription, boundary)
    return billing.period_charge_get_or_create(
        subscription=subscription, kind=SubscriptionCharge.Kind.RENEWAL, start=boundary, end=end
    )


def _add_periods(subscription: Subscription, start: datetime, periods: int) -> datetime:
    from revenue.services.subscriptions_common import add_months

    return add_months(start, interval_months(subscription.plan) * periods)


def end_locked(
    subscription: Subscription, *, reason: str, at: datetime, event: str, actor: Any = None
) -> None:
    """End the (locked) subscription now: open charges voided (uncollectible after dunning), audited, notified."""
    before = snapshot(subscription)
    subscription.state = Subscription.State.CANCELED
    subscription.end_reason = reason
    subscription.ended_at = at
    subscription.cancel_at_period_end = False
    subscription.canceled_at = subscription.canceled_at or at
    subscription.save()
    subscription.charges.filter(state=SubscriptionCharge.State.OPEN).update(
        state=SubscriptionCharge.State.UNCOLLECTIBLE
        if reason == Subscription.EndReason.PAYMENT_FAILED
        else SubscriptionCharge.State.VOID,
        next_retry_at=None,
    )
    audit_record(
        actor=actor,
        action=f"revenue.subscription.{event}",
        obj=subscription,
        before=before,
        after=snapshot(subscription),
    )
    notify(subscription, event)


def subscription_end(
    *, subscription: Subscription, reason: str, at: datetime, event: str, actor: Any = None
) -> None:
    """End a subscription now (locks it): used by dunning's suspension and by immediate cancellation."""
    with transaction.atomic():
        locked = Subscription.objects.select_for_update().select_related("plan").get(pk=subscription.pk)
        if locked.state != Subscription.State.CANCELED:
            end_locked(locked, reason=reason, at=at, event=event, actor=actor)


# --- change plan or seats --------------------------------------------------------------------------------------
def apply_change(
    subscription: Subscription, change: dict[str, Any], *, now: datetime, notify_change: bool = True
) -> None:
    """Put a plan/seat change in force on the locked subscription (and clear what was pending)."""
    before = snapshot(subscription)
    plan = Plan.objects.get(pk=change["plan"])
    if change.get("new_period_end"):
        subscription.current_period_start = now
        subscription.current_period_end = datetime.fromisoformat(change["new_period_end"])
        subscription.anchor = now
    if plan.pk != subscription.plan_id:  # a kept price belongs to the plan it was kept on
        subscription.kept_unit_amount, subscription.kept_until = None, None
    subscription.plan = plan
    subscription.seats = int(change["seats"])
    subscription.pending_plan = None
    subscription.pending_seats = None
    subscription.save()
    audit_record(
        actor=None,
        action="revenue.subscription.change_applied",
        obj=subscription,
        before=before,
        after=snapshot(subscription),
    )
    if notify_change:
        notify(subscription, "changed")


def subscription_change(
    *,
    subscription: Subscription,
    actor: Any,
    plan: Plan | None = None,
    seats: int | None = None,
    now: datetime | None = None,
) -> Subscription:
    """Change plan and/or seats. Costing more per year: applied now and the rest of the period prorated (see
    proration.py) and charged at once — a declined card raises PaymentDeclined and changes nothing. Costing
    less: scheduled for the period end."""
    now = now or timezone.now()
    require_manager(subscription, actor)
    with transaction.atomic():
        sub = Subscription.objects.select_for_update().select_related("plan").get(pk=subscription.pk)
        target = plan or sub.plan
        seats = sub.seats if seats is None else seats
        if sub.state not in (Subscription.State.ACTIVE, Subscription.State.TRIALING):
            raise InvalidState(f"A {sub.get_state_display().lower()} subscription cannot be changed.")
        if not target.is_active:
            raise ValidationError(f'"{target.name}" is no longer offered.', field="plan")
        if target.currency != sub.plan.currency or target.seller_id != sub.plan.seller_id:
            raise ValidationError("Choose a plan of the same seller and currency.", field="plan")
        if isinstance(seats, bool) or not isinstance(seats, int) or not 1 <= seats <= target.max_seats:
            raise ValidationError(f"Choose from 1 to {target.max_seats} seats.", field="seats")
        if target.pk == sub.plan_id and seats == sub.seats:
            if (
                sub.pending_plan_id or sub.pending_seats
            ):  # back to the current terms: drop the pending downgrade
                sub.pending_plan, sub.pending_seats = None, None
                sub.save(update_fields=["pending_plan", "pending_seats", "updated_at"])
            return sub
        before = snapshot(sub)
        change: dict[str, Any] = {"plan": target.pk, "seats": seats}
        if (
            yearly_value(target, seats) <= yearly_value(sub.plan, sub.seats)
            and sub.state == Subscription.State.ACTIVE
        ):
            sub.pending_plan = target if target.pk != sub.plan_id else None
            sub.pending_seats = seats if seats != sub.seats else None
            sub.save(update_fields=["pending_plan", "pending_seats", "updated_at"])
            audit_record(
                actor=actor,
                action="revenue.subscription.downgrade_scheduled",
                obj=sub,
                before=before,
                after=snapshot(sub),
            )
            return sub
        if sub.state == Subscription.State.TRIALING:
            apply_change(sub, change, now=now)
            audit_record(
                actor=actor, action="revenue.subscription.change", obj=sub, before=before, after=snapshot(sub)
            )
            return sub
        discount = sub.discount_percent if sub.discount_periods_left else Decimal(0)
        old = period_price(
            plan=sub.plan,
            unit_amount=seat_price(sub, sub.plan, now),
            seats=sub.seats,
            discount_percent=discount,
        ).amount
        new = period_price(
            plan=target, unit_amount=seat_price(sub, target, now), seats=seats, discount_percent=discount
        ).amount
        end = sub.current_period_end
        if target.interval != sub.plan.interval:
            # A new interval starts a new period now: full new price less the credit for unused time.
            end = billing.period_end_after(anchor=now, plan=target, start=now)
            credit = prorate(
                old_amount=old,
                new_amount=0,
                period_start=sub.current_period_start,
                period_end=sub.current_period_end,
                now=now,
            ).credit
            due = max(0, new - credit)
            change["new_period_end"] = end.isoformat()
        else:
            due = prorate(
                old_amount=old, new_amount=new, period_start=sub.current_period_start, period_end=end, now=now
            ).amount_due
        if due == 0:
            apply_change(sub, change, now=now)
            audit_record(
                actor=actor, action="revenue.subscription.change", obj=sub, before=before, after=snapshot(sub)
            )
            return sub
        charge = SubscriptionCharge.objects.create(
            subscription=sub,
            key=f"sub:{sub.public_id}:change:{now.isoformat()}:{target.pk}:{seats}",
            kind=SubscriptionCharge.Kind.PRORATION,
            plan=target,
            seats=seats,
            period_start=now,
            period_end=end,
            unit_amount=due,
            amount=due,
            currency=target.currency,
            description=billing.charge_description(
                plan=target, seats=seats, start=now, end=end, kind=SubscriptionCharge.Kind.PRORATION
            ),
            change=change,
        )
        audit_record(
            actor=actor,
            action="revenue.subscription.upgrade",
            obj=sub,
            before=before,
            after={**snapshot(sub), "prorated_charge": due},
        )
    charge = billing.charge_collect(charge=charge, now=now)
    if charge.state != SubscriptionCharge.State.PAID:
        raise PaymentDeclined(
            f"The prorated {charge.amount} {charge.currency} (minor units) could not be charged "
            f"({charge.last_failure_code or 'pending'}); your plan was not changed. Update your payment method.",
            field="payment_method",
        )
    sub.refresh_from_db()
    return sub


def subscription_payment_method_set(
    *, subscription: Subscription, actor: Any, payment_method: str, now: datetime | None = None
) -> Subscription:
    """Store a new payment method; a past-due subscription's open charge is retried with it at once."""
    from revenue.services.dunning import charge_retry_now

    now = now or timezone.now()
    require_manager(subscription, actor)
    if subscription.state == Subscription.State.CANCELED:
        raise InvalidState("This subscription has ended.")
    token, label = attach_payment_method(
        subscription.gateway, payment_method, customer_email=subscription.buyer.email or ""
    )
    with transaction.atomic():
        sub = Subscription.objects.select_for_update().get(pk=subscription.pk)
        before_label = sub.payment_method_label
        sub.payment_method, sub.payment_method_label = token, label
        sub.save(update_fields=["payment_method", "payment_method_label", "updated_at"])
        audit_record(
            actor=actor,
            action="revenue.subscription.payment_method",
            obj=sub,
            before={"payment_method": before_label},
            after={"payment_method": label},
        )
    if sub.state == Subscription.State.PAST_DUE:
        charge_retry_now(subscription=sub, now=now)
        sub.refresh_from_db()
    return sub


# Plans and cancellation live in their own modules; re-exported so callers import one place.
from revenue.services.subscriptions_cancel import (  # noqa: E402
    retention_offers,
    subscription_cancel,
    subscription_resume,
)
from revenue.services.subscriptions_plans import PLAN_FIELDS, plan_upsert  # noqa: E402

__all__ = [
    "PLAN_FIELDS",
    "apply_change",
    "attach_payment_method",
    "period_boundary",
    "plan_upsert",
    "retention_offers",
    "subscription_cancel",
    "subscription_change",
    "subscription_end",
    "subscription_payment_method_set",
    "subscription_resume",
    "subscription_start",
]

"""Recurring app plans (subscription, per seat, and usage-based) are billed by revenue's subscription engine.

- `subscribe` starts a revenue subscription to the plan, or changes the one the customer already has for the
  app (another of its plans, or a new number of seats: upgrades prorated now, downgrades at the period end).
  Revenue charges the first period, renews, retries failed payments and ends the subscription.
- `installation_sync` mirrors a subscription's access onto its installation. It runs after `subscribe` and from
  revenue's subscription listener on every later change (renewed, past_due, suspended, canceled, paused, ...),
  and is idempotent. Such an installation is ended by revenue's events, not by the period clock, so a renewal
  that runs a few minutes after the period end does not interrupt the licence.
- `revenue_plan_sync` keeps revenue's plan ("marketplace.plan:<plan id>") in step with the marketplace plan; a
  price rise spares current subscribers for 90 days (the kept-price rule of marketplace.selectors.pricing).
- Usage-based plans are monthly subscriptions with no fixed price: `usage_meter` tells revenue what each month
  used (units recorded in it × the unit price, at most the monthly cap), billed with the next renewal, or on its
  own when the subscription ends.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from marketplace.exceptions import Conflict, ValidationError
from marketplace.models import App, Installation, Plan, SeatAssignment
from marketplace.models.installs import LIVE_STATES
from marketplace.selectors.entitlements import holder_filter
from marketplace.selectors.pricing import GRANDFATHER_PERIOD, price_for_customer
from marketplace.selectors.usage import usage_amount
from marketplace.services.installs import (
    RECURRING,
    check_seats,
    installable_version,
    live_installation,
    plan_of,
    recount,
    released_version,
    require_holder,
)
from novacron.core.services.audit import audit_record
from novacron.core.services.idempotency import key_claim
from revenue import facade as revenue_facade

KEY_PREFIX = "marketplace.plan:"
STALE_AFTER = timedelta(days=1)  # an active subscription installation this far past its period end is re-read
St = Installation.Status


def revenue_plan_key(plan: Plan) -> str:
    return f"{KEY_PREFIX}{plan.public_id}"


def revenue_plan_sync(plan: Plan, *, create: bool = True) -> Any:
    """Create (or, with create=False, only update an existing) revenue plan for a recurring marketplace plan."""
    plan = Plan.objects.select_related("app__publisher").get(pk=plan.pk)  # never push a stale price
    if plan.model not in RECURRING:
        return None
    key = revenue_plan_key(plan)
    if not create and revenue_facade.plan_get(key) is None:
        return None
    app = plan.app
    usage = plan.model == Plan.Model.USAGE  # no fixed price: the meter bills each month's usage in arrears
    return revenue_facade.plan_upsert(
        key=key,
        seller_id=app.publisher.seller_id,
        keep_price_days=GRANDFATHER_PERIOD.days,
        name=f"{app.name} — {plan.name}"[:200],
        description=app.tagline,
        interval=Plan.Interval.MONTH if usage else plan.interval,
        unit_amount=0 if usage else plan.amount,
        currency=plan.currency,
        trial_days=0,  # the marketplace's own trial (trial_start) comes first, once per customer
        max_seats=1000 if plan.model == Plan.Model.PER_SEAT else 1,
        is_active=plan.is_active and app.is_listed,
    )


def usage_meter(subscription_id: str, start: datetime, end: datetime) -> int:
    """revenue's usage meter for "marketplace.plan:" subscriptions: usage-based installations' [start, end), at
    the customer's unit price (a price kept after a rise included) and capped."""
    installation = (
        Installation.objects.select_related("plan")
        .filter(subscription_id=uuid.UUID(str(subscription_id)))
        .first()
    )
    if installation is None or installation.plan.model != Plan.Model.USAGE:
        return 0
    org_ids = [installation.organization_id] if installation.organization_id else None
    price = price_for_customer(
        plan=installation.plan, user_id=installation.user_id, organization_ids=org_ids, now=start
    )
    return usage_amount(installation, start=start, end=end, unit_price=price.amount)[1]


def subscribe(
    *,
    app: App,
    plan: Plan,
    user: Any,
    payment_method: str,
    organization_id: int | None = None,
    seats: int = 1,
    gateway: str | None = None,
    billing_country: str = "",
) -> Any:
    """Subscribe to a recurring plan, or change the customer's subscription to this app (the stored payment
    method pays; `payment_method` is used for a new subscription only). Returns revenue's SubscriptionSummary:
    state "active" (installed), "incomplete" (the first payment awaits 3-D Secure) or "canceled" (declined)."""
    plan = plan_of(app, plan)
    require_holder(user, organization_id)
    installable_version(app)
    if plan.model not in RECURRING:
        raise ValidationError("This plan is not a subscription: buy or install it instead.", field="plan")
    live = (
        Installation.objects.select_related("plan")
        .filter(
            app=app, status__in=LIVE_STATES, **holder_filter(user_id=user.pk, organization_id=organization_id)
        )
        .first()
    )
    check_seats(plan, seats, organization_id=organization_id, live=live)
    with _one_at_a_time(app, user_id=user.pk, organization_id=organization_id):
        current = _current_for(app, user_id=user.pk, organization_id=organization_id)
        key = revenue_plan_key(plan)
        revenue_plan_sync(plan)
        if current is not None:
            if current.plan_key == key and current.seats == seats:
                raise Conflict(
                    "You already subscribe to this plan with these seats.", code="already_subscribed"
                )
            summary = revenue_facade.subscription_change(
                subscription_id=current.id, actor_id=user.pk, plan_key=key, seats=seats
            )
        else:
            summary = revenue_facade.subscription_start(
                plan_key=key,
                buyer_id=user.pk,
                seats=seats,
                payment_method=payment_method,
                organization_id=organization_id,
                gateway=gateway,
                billing_country=billing_country or getattr(user, "country", ""),
            )
        sync_from_summary(summary)
    return summary


@contextmanager
def _one_at_a_time(app: App, *, user_id: int, organization_id: int | None) -> Iterator[None]:
    """One subscribe per app and customer at a time (a committed claim row): two at once would start two
    subscriptions, both charged, for one installation. The claim is dropped after, or expires if the process dies."""
    holder = f"org:{organization_id}" if organization_id else f"user:{user_id}"
    claim, created = key_claim(
        owner=f"marketplace:{holder}", key=f"subscribe:{app.pk}", method="LOCK", path="marketplace.subscribe"
    )
    if not created:
        raise Conflict(
            "A subscription to this app is being started here already; try again in a moment.",
            code="subscribe_in_progress",
        )
    try:
        yield
    finally:
        claim.delete()


def _current_for(app: App, *, user_id: int, organization_id: int | None) -> Any:
    """The customer's subscription to any plan of `app` that gives access (None if none). One whose first payment
    waits for 3-D Secure, or that ends at its period end, is refused with the way forward."""
    keys = {revenue_plan_key(p) for p in app.plans.all()}
    rows = revenue_facade.subscriptions_for(
        user_id=None if organization_id else user_id, organization_id=organization_id
    )
    for summary in (s for s in rows if s.plan_key in keys):
        if summary.state == "incomplete":
            raise Conflict(
                "Your subscription to this app waits for its first payment: confirm it on the subscription's "
                "page under Earnings & billing → Subscriptions.",
                code="subscription_incomplete",
            )
        if summary.has_access:
            if summary.cancel_at_period_end:
                raise Conflict(
                    f"Your subscription to this app ends on {summary.current_period_end:%Y-%m-%d}: resume it on "
                    "its page under Earnings & billing → Subscriptions to change it.",
                    code="subscription_ending",
                )
            return summary
    return None


def sync_from_summary(summary: Any, *, now: datetime | None = None) -> Installation | None:
    return installation_sync(
        subscription_id=summary.id,
        plan_key=summary.plan_key,
        buyer_id=summary.buyer_id,
        organization_id=summary.organization_id,
        seats=summary.seats,
        active_until=summary.active_until,
        unit_amount=summary.unit_amount,
        now=now,
    )


def on_subscription_change(change: Any) -> None:
    """revenue's subscription listener (registered in portal.py)."""
    installation_sync(
        subscription_id=change.subscription_id,
        plan_key=change.plan_key,
        buyer_id=change.buyer_id,
        organization_id=change.organization_id,
        seats=change.seats,
        active_until=change.active_until,
    )


def _plan_for_key(plan_key: str) -> Plan | None:
    if not plan_key.startswith(KEY_PREFIX):
        return None
    try:
        public_id = uuid.UUID(plan_key[len(KEY_PREFIX) :])
    except ValueError:
        return None
    return Plan.objects.select_related("app").filter(public_id=public_id).first()


def installation_sync(
    *,
    subscription_id: uuid.UUID | str,
    plan_key: str,
    buyer_id: int,
    organization_id: int | None,
    seats: int,
    active_until: datetime | None,
    unit_amount: int | None = None,
    now: datetime | None = None,
) -> Installation | None:
    """Make the installation paid by `subscription_id` match the subscription: live with its plan and seats while
    it gives access (`active_until` in the future), expired once it does not. Idempotent."""
    plan = _plan_for_key(plan_key)
    if plan is None:
        return None
    now = now or timezone.now()
    access = active_until is not None and active_until > now
    app = plan.app
    subscription_id = uuid.UUID(str(subscription_id))
    with transaction.atomic():
        App.objects.select_for_update().get(pk=app.pk)
        installation = (
            Installation.objects.select_for_update().filter(subscription_id=subscription_id).first()
        )
        if installation is None:
            if not access:
                return None
            # A trial (or an earlier licence) of this customer becomes the subscription's installation.
            installation = live_installation(app, user_id=buyer_id, organization_id=organization_id)
            if installation is None:
                version = released_version(app)
                installation = Installation(
                    app=app,
                    installed_by_id=buyer_id,
                    version=version,
                    granted_scopes=version.scopes,
                    **holder_filter(user_id=buyer_id, organization_id=organization_id),
                )
        status_before = installation.status if installation.pk else None
        installation.subscription_id = subscription_id
        installation.plan = plan
        installation.seats = seats if plan.model == Plan.Model.PER_SEAT else 1
        installation.price_currency = plan.currency
        if plan.model == Plan.Model.USAGE:
            installation.price_amount = plan.unit_amount  # per unit; each bill prices by the kept-price rule
        elif unit_amount is not None:
            installation.price_amount = unit_amount
        elif not installation.price_amount:
            installation.price_amount = plan.amount
        if access:
            installation.current_period_end = active_until
            if installation.status != St.UNINSTALLED:  # an uninstalled app stays so until reinstalled
                installation.status, installation.ended_at = St.ACTIVE, None
        elif installation.is_live:
            installation.status, installation.ended_at = St.EXPIRED, now
            installation.current_period_end = min(installation.current_period_end or now, now)
        installation.save()
        trimmed = _trim_seats(installation)
        if installation.status != status_before:
            recount(app.pk)
        audit_record(
            actor=None,
            action="marketplace.subscription.sync",
            obj=installation,
            after={
                "subscription": str(subscription_id),
                "plan": plan.name,
                "seats": installation.seats,
                "status": installation.status,
                "until": active_until,
                "seats_unassigned": trimmed,
            },
        )
    return installation


def _trim_seats(installation: Installation) -> list[int]:
    """After a seat decrease took effect, the most recent assignments beyond the seats are removed."""
    extra = list(
        SeatAssignment.objects.filter(installation=installation)
        .order_by("-assigned_at", "-id")
        .values_list("pk", "user_id")[: max(0, installation.seat_assignments.count() - installation.seats)]
    )
    if extra:
        SeatAssignment.objects.filter(pk__in=[pk for pk, _ in extra]).delete()
    return [user_id for _, user_id in extra]


def stale_resync(*, now: datetime | None = None) -> int:
    """Re-read subscriptions whose installation is active well past its period end (a lost notification)."""
    now = now or timezone.now()
    rows = Installation.objects.filter(
        status=St.ACTIVE, subscription_id__isnull=False, current_period_end__lte=now - STALE_AFTER
    ).values_list("subscription_id", flat=True)
    count = 0
    for subscription_id in rows:
        summary = revenue_facade.subscription_get(subscription_id)
        if summary is not None:
            sync_from_summary(summary, now=now)
            count += 1
    return count

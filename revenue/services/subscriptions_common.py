"""Shared pieces of the subscription services: period arithmetic, prices, entitlement, permissions and the
after-commit notifications to subscription listeners (revenue.hooks)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import structlog
from django.conf import settings
from django.db import transaction

from novacron.accounts import facade as accounts
from novacron.core.exceptions import PermissionDenied
from revenue import hooks
from revenue.models import Plan, Subscription
from revenue.services.proration import discounted_unit

logger = structlog.get_logger(__name__)

MANAGER_ROLES = ("owner", "admin", "billing")
FINANCE_PERMISSION = "accounts.manage_finance"
LIVE_STATES = (
    Subscription.State.TRIALING,
    Subscription.State.ACTIVE,
    Subscription.State.PAST_DUE,
    Subscription.State.PAUSED,
)


def retry_days() -> list[int]:
    """The dunning schedule: days after the first failure (REVENUE_DUNNING_RETRY_DAYS, default 1, 3, 5, 7)."""
    return sorted(int(d) for d in getattr(settings, "REVENUE_DUNNING_RETRY_DAYS", [1, 3, 5, 7]))


def grace_period() -> timedelta:
    """How long a past-due subscription keeps access (REVENUE_DUNNING_GRACE_DAYS; default the last retry day)."""
    days = getattr(settings, "REVENUE_DUNNING_GRACE_DAYS", None)
    return timedelta(days=int(days if days is not None else max(retry_days(), default=0)))


def add_months(anchor: datetime, months: int) -> datetime:
    """`anchor` moved by whole months, its day clamped to the target month's length (31 Jan + 1 → 28/29 Feb)."""
    index = anchor.month - 1 + months
    year, month = anchor.year + index // 12, index % 12 + 1
    return anchor.replace(year=year, month=month, day=min(anchor.day, calendar.monthrange(year, month)[1]))


def interval_months(plan: Plan) -> int:
    return 12 if plan.interval == Plan.Interval.YEAR else 1


def period_end_after(*, anchor: datetime, plan: Plan, start: datetime) -> datetime:
    """The first period boundary after `start` counted from `anchor` (so periods keep the anchor's day)."""
    step = interval_months(plan)
    months = (start.year - anchor.year) * 12 + start.month - anchor.month
    count = max(1, months // step)
    end = add_months(anchor, count * step)
    while end <= start:
        count += 1
        end = add_months(anchor, count * step)
    return end


@dataclass(frozen=True)
class PeriodPrice:
    unit_amount: int  # per seat, after the discount
    discount_amount: int  # all seats
    amount: int  # unit_amount × seats


def seat_price(subscription: Subscription, plan: Plan, at: datetime) -> int:
    """The seat price `subscription` pays for `plan` in a period starting at `at`: the price it kept after a
    rise (plan_upsert's keep_price_days) while that runs and for its own plan only, else the plan's price."""
    kept, until = subscription.kept_unit_amount, subscription.kept_until
    if kept is not None and until is not None and at < until and plan.pk == subscription.plan_id:
        return min(kept, plan.unit_amount)
    return plan.unit_amount


def period_price(
    *, plan: Plan, seats: int, discount_percent: Decimal | int = 0, unit_amount: int | None = None
) -> PeriodPrice:
    """A period's net price: the discount (a percentage) is taken off the seat price (`unit_amount`, default the
    plan's), rounded half-to-even."""
    base = plan.unit_amount if unit_amount is None else unit_amount
    unit, off = discounted_unit(base, discount_percent or 0)
    return PeriodPrice(unit_amount=unit, discount_amount=off * seats, amount=unit * seats)


def yearly_value(plan: Plan, seats: int) -> int:
    """What a plan and seat count cost over a year (compares monthly with annual plans)."""
    return plan.unit_amount * seats * (12 // interval_months(plan))


def active_until(subscription: Subscription) -> datetime | None:
    """When access ends as things stand: the paid (or trial) period, plus the grace period while past due."""
    state = subscription.state
    if state in (Subscription.State.ACTIVE, Subscription.State.TRIALING):
        return subscription.current_period_end
    if state == Subscription.State.PAST_DUE:
        return (subscription.past_due_since or subscription.current_period_end) + grace_period()
    return None


def has_access(subscription: Subscription, now: datetime) -> bool:
    until = active_until(subscription)
    return until is not None and until > now


def can_manage(subscription: Subscription, user: Any) -> bool:
    """The buyer, an owner/admin/billing member of the subscribing organisation, or finance staff."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if subscription.buyer_id == user.pk or user.has_perm(FINANCE_PERMISSION):
        return True
    return bool(
        subscription.organization_id
        and accounts.organization_role(user.pk, subscription.organization_id) in MANAGER_ROLES
    )


def require_manager(subscription: Subscription, user: Any) -> None:
    if not can_manage(subscription, user):
        raise PermissionDenied("Only the subscriber (or their organisation's billing staff) can do this.")


def snapshot(subscription: Subscription) -> dict[str, Any]:
    """What audit rows keep before and after a change."""
    return {
        "state": subscription.state,
        "plan": subscription.plan.key,
        "seats": subscription.seats,
        "current_period_end": subscription.current_period_end,
        "cancel_at_period_end": subscription.cancel_at_period_end,
        "pending_plan": subscription.pending_plan.key if subscription.pending_plan_id else None,
        "pending_seats": subscription.pending_seats,
        "discount_percent": subscription.discount_percent,
        "discount_periods_left": subscription.discount_periods_left,
        "pause_periods": subscription.pause_periods,
    }


def notify(subscription: Subscription, event: str) -> None:
    """Tell the subscription listeners after the current transaction commits (each isolated from the others)."""
    change = hooks.SubscriptionChange(
        subscription_id=str(subscription.public_id),
        plan_key=subscription.plan.key,
        event=event,
        state=subscription.state,
        buyer_id=subscription.buyer_id,
        organization_id=subscription.organization_id,
        seats=subscription.seats,
        active_until=active_until(subscription),
    )

    def run() -> None:
        for listener in hooks.subscription_listeners():
            try:
                listener(change)
            except Exception:
                logger.exception(
                    "subscription.listener_failed", subscription=change.subscription_id, change=event
                )

    transaction.on_commit(run)

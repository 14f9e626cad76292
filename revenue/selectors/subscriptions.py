"""Reads of subscriptions: a buyer's subscriptions, a seller's subscribers, finance's dunning queue and the
recovery metrics (recovered revenue per currency, involuntary churn)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone

from revenue.exceptions import ValidationError
from revenue.models import Plan, Subscription, SubscriptionCharge
from revenue.selectors.sellers import seller_organization_ids

FINANCE_PERMISSION = "accounts.manage_finance"


def plans_active() -> QuerySet[Plan]:
    return (
        Plan.objects.filter(is_active=True).select_related("seller").order_by("seller_id", "name", "interval")
    )


def plan_detail(*, public_id: uuid.UUID | str) -> Plan | None:
    """One plan with its seller (active or not), or None."""
    return Plan.objects.select_related("seller").filter(public_id=public_id).first()


def subscriptions_for_buyer(*, user_id: int, organization_ids: list[int]) -> QuerySet[Subscription]:
    """Subscriptions the user bought, and those of organisations they bill for."""
    return (
        Subscription.objects.filter(Q(buyer_id=user_id) | Q(organization_id__in=organization_ids))
        .select_related("plan", "pending_plan", "organization")
        .order_by("-created_at")
    )


def subscriptions_visible_to(user: Any) -> QuerySet[Subscription]:
    """What a user may see and manage: finance sees all; others theirs and their organisations' (billing)."""
    if user.is_authenticated and user.has_perm(FINANCE_PERMISSION):
        return Subscription.objects.select_related("plan__seller", "pending_plan", "organization")
    return subscriptions_for_buyer(user_id=user.pk, organization_ids=seller_organization_ids(user_id=user.pk))


def subscription_visible_to(*, user: Any, public_id: uuid.UUID | str) -> Subscription | None:
    """One subscription the user may see and manage (`subscriptions_visible_to`), or None."""
    return subscriptions_visible_to(user).filter(public_id=public_id).first()


def metrics_window(start: Any, end: Any) -> tuple[datetime, datetime]:
    """[start, end) as aware datetimes from dates (default: the last 30 days, today included)."""
    today = timezone.localdate()
    start = start or today - timedelta(days=30)
    end = end or today + timedelta(days=1)
    if end <= start:
        raise ValidationError("The end must be after the start.", field="end")
    tz = timezone.get_current_timezone()
    return datetime.combine(start, time.min, tz), datetime.combine(end, time.min, tz)


def subscribers_for_seller(*, seller_ids: list[int]) -> QuerySet[Subscription]:
    return (
        Subscription.objects.filter(plan__seller_id__in=seller_ids)
        .select_related("plan", "buyer", "organization")
        .order_by("state", "-created_at")
    )


def dunning_queue() -> QuerySet[SubscriptionCharge]:
    """Open renewals that failed at least once, soonest retry first; annotated with `attempts` count."""
    return (
        SubscriptionCharge.objects.filter(
            state=SubscriptionCharge.State.OPEN,
            first_failed_at__isnull=False,
            subscription__state=Subscription.State.PAST_DUE,
        )
        .select_related("subscription__plan", "subscription__buyer", "subscription__organization")
        .annotate(last_attempt=Max("dunning_attempts__attempted_at"))
        .order_by("next_retry_at", "first_failed_at")
    )


@dataclass(frozen=True)
class Recovered:
    currency: str
    amount: int  # minor units, net of tax
    charges: int


@dataclass(frozen=True)
class RecoveryMetrics:
    start: datetime
    end: datetime
    recovered: list[Recovered]
    failed_renewals: int  # renewals that failed at least once in the window
    recovered_renewals: int
    involuntary_churn: int  # subscriptions suspended for non-payment in the window
    voluntary_churn: int
    live_at_start: int

    @property
    def recovery_rate(self) -> float | None:
        return self.recovered_renewals / self.failed_renewals if self.failed_renewals else None

    @property
    def involuntary_churn_rate(self) -> float | None:
        return self.involuntary_churn / self.live_at_start if self.live_at_start else None


def recovery_metrics(*, start: datetime, end: datetime) -> RecoveryMetrics:
    """Recovered revenue: renewals paid in [start, end) after at least one failure. Involuntary churn:
    subscriptions ended for non-payment in the window (rate: over those live at its start)."""
    recovered = (
        SubscriptionCharge.objects.filter(recovered=True, paid_at__gte=start, paid_at__lt=end)
        .values("currency")
        .annotate(amount=Sum("amount"), charges=Count("id"))
        .order_by("currency")
    )
    failed = SubscriptionCharge.objects.filter(first_failed_at__gte=start, first_failed_at__lt=end)
    ended = Subscription.objects.filter(ended_at__gte=start, ended_at__lt=end)
    live = Subscription.objects.filter(created_at__lt=start).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gte=start)
    )
    return RecoveryMetrics(
        start=start,
        end=end,
        recovered=[Recovered(r["currency"], r["amount"], r["charges"]) for r in recovered],
        failed_renewals=failed.count(),
        recovered_renewals=failed.filter(recovered=True).count(),
        involuntary_churn=ended.filter(end_reason=Subscription.EndReason.PAYMENT_FAILED).count(),
        voluntary_churn=ended.filter(end_reason=Subscription.EndReason.BUYER).count(),
        live_at_start=live.exclude(state=Subscription.State.INCOMPLETE).count(),
    )

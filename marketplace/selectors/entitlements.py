"""Entitlements: is an organisation (or a user) licensed for an app, on which plan, with how many seats — and the
revenue subscription that pays for an installation. Reads only."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from marketplace.models import App, Installation, Plan
from marketplace.models.installs import LIVE_STATES
from novacron.accounts import facade as accounts_facade
from revenue import facade as revenue_facade

M = Plan.Model
St = Installation.Status


def holder_filter(*, user_id: int | None, organization_id: int | None) -> dict[str, Any]:
    return {"organization_id": organization_id} if organization_id else {"user_id": user_id}


def installation_for_subscription(subscription_id: Any) -> Installation | None:
    return Installation.objects.filter(subscription_id=subscription_id).first()


def installation_for_order(order_id: Any) -> Installation | None:
    """The installation a one-time purchase paid for (None until the order is paid)."""
    return Installation.objects.filter(purchases__order_id=order_id).first()


def current_subscription(installation: Installation | None) -> Any:
    """revenue's summary of the subscription paying for `installation`, while it gives access (else None)."""
    if installation is None or installation.subscription_id is None:
        return None
    summary = revenue_facade.subscription_get(installation.subscription_id)
    return summary if summary is not None and summary.has_access else None


@dataclass(frozen=True)
class Entitlement:
    licensed: bool
    status: str  # "active", "trial", "expired", "none"
    plan: str | None
    plan_model: str | None
    seats: int
    seats_assigned: int
    user_has_seat: bool | None
    valid_until: datetime | None
    scopes: list[str]


def entitlement(
    *, app: App, organization_id: int | None = None, user_id: int | None = None, now: Any = None
) -> Entitlement:
    """Is the organisation (or the user) licensed for the app, on which plan, with how many seats? With both,
    `user_has_seat` says whether that member may use it (per-seat plans: assigned a seat; others: a member)."""
    holder = holder_filter(user_id=user_id, organization_id=organization_id)
    installation = (
        Installation.objects.select_related("plan")
        .filter(app=app, status__in=(*LIVE_STATES, St.EXPIRED), **holder)
        .order_by("-updated_at")
        .first()
    )
    if installation is None:
        return Entitlement(False, "none", None, None, 0, 0, False if user_id else None, None, [])
    user_has_seat = None
    if organization_id and user_id:
        if installation.plan.model == M.PER_SEAT:
            user_has_seat = installation.seat_assignments.filter(user_id=user_id).exists()
        else:
            user_has_seat = user_id in accounts_facade.organization_member_ids(organization_id)
    return entitlement_of(
        installation,
        seats_assigned=installation.seat_assignments.count(),
        user_has_seat=user_has_seat,
        now=now,
    )


def entitlement_of(
    installation: Installation, *, seats_assigned: int, user_has_seat: bool | None, now: Any = None
) -> Entitlement:
    """The entitlement an installation gives (no queries): for lists that fetched the seat figures in bulk.
    `user_has_seat` is the member's seat (per-seat plans) or membership (others), None when nobody was asked."""
    now = now or timezone.now()
    valid_until = (
        installation.trial_ends_at if installation.status == St.TRIAL else installation.current_period_end
    )
    # A subscription's installation is live until revenue says otherwise (a renewal runs after the period end).
    by_subscription = installation.subscription_id is not None and installation.status == St.ACTIVE
    lapsed = installation.status == St.EXPIRED or (
        valid_until is not None and valid_until <= now and not by_subscription
    )
    return Entitlement(
        licensed=not lapsed,
        status="expired" if lapsed else installation.status,
        plan=installation.plan.name,
        plan_model=installation.plan.model,
        seats=installation.seats,
        seats_assigned=seats_assigned,
        user_has_seat=None if user_has_seat is None else bool(user_has_seat and not lapsed),
        valid_until=valid_until,
        scopes=list(installation.granted_scopes),
    )

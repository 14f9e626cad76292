"""What a plan costs a given customer: the kept ("grandfathered") price rule, for one plan or a whole app.

Rule (docs/marketplace/publisher-guide.md#pricing): a live installation of a plan that started before a price
change keeps the price it had before that change for 90 days after it (or the new price, if lower). The app page,
the API and revenue's checkout resolver all price through here, in two queries however many plans there are.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Min, Q
from django.utils import timezone

from marketplace.models import Installation, Plan, PriceChange
from marketplace.models.installs import LIVE_STATES
from marketplace.selectors.organizations import managed_organizations

GRANDFATHER_PERIOD = timedelta(days=90)


@dataclass(frozen=True)
class CustomerPrice:
    amount: int  # per unit (per seat for per-seat plans)
    currency: str
    grandfathered: bool
    until: datetime | None  # when the kept price ends


def _current(plan: Plan) -> int:
    return plan.unit_amount if plan.model == Plan.Model.USAGE else plan.amount


def prices_for_customer(
    *,
    plans: Iterable[Plan],
    user_id: int | None,
    organization_ids: list[int] | None = None,
    now: Any = None,
) -> dict[int, CustomerPrice]:
    """Each plan's price for a customer (the user's own installations and those of `organization_ids`), keyed by
    plan id: one query for when the customer started each plan, one for the price changes that may apply."""
    plans = list(plans)
    now = now or timezone.now()
    holder = Q(organization_id__in=organization_ids) if organization_ids else Q(pk__in=[])
    if user_id:
        holder |= Q(user_id=user_id)
    since: dict[int, datetime] = dict(
        Installation.objects.filter(holder, plan__in=plans, status__in=LIVE_STATES)
        .values("plan_id")
        .annotate(first=Min("created_at"))
        .values_list("plan_id", "first")
    )
    # The earliest change after the customer started whose 90 days are still running, per plan.
    kept: dict[int, PriceChange] = {}
    if since:
        window = Q()
        for plan_id, started in since.items():
            window |= Q(plan_id=plan_id, changed_at__gt=max(started, now - GRANDFATHER_PERIOD))
        for change in PriceChange.objects.filter(window).order_by("changed_at", "id"):
            kept.setdefault(change.plan_id, change)
    prices = {}
    for plan in plans:
        current, change = _current(plan), kept.get(plan.pk)
        if change is None or change.old_amount >= current:
            prices[plan.pk] = CustomerPrice(current, plan.currency, False, None)
        else:
            until = change.changed_at + GRANDFATHER_PERIOD
            prices[plan.pk] = CustomerPrice(change.old_amount, plan.currency, True, until)
    return prices


def price_for_customer(
    *, plan: Plan, user_id: int | None, organization_ids: list[int] | None = None, now: Any = None
) -> CustomerPrice:
    """One plan's price for a customer (see `prices_for_customer`)."""
    return prices_for_customer(plans=[plan], user_id=user_id, organization_ids=organization_ids, now=now)[
        plan.pk
    ]


def customer_prices(
    plans: Iterable[Plan], user: Any, organization_id: int | None = None, *, now: Any = None
) -> dict[int, CustomerPrice]:
    """Prices of `plans` for the signed-in user: for `organization_id` alone when given (the caller checked the
    user may act for it), else for the user and every organisation they may buy for. Anonymous: {}."""
    if not getattr(user, "is_authenticated", False):
        return {}
    if organization_id:
        return prices_for_customer(plans=plans, user_id=None, organization_ids=[organization_id], now=now)
    org_ids = [o.id for o in managed_organizations(user)]
    return prices_for_customer(plans=plans, user_id=user.pk, organization_ids=org_ids, now=now)

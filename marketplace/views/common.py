"""Helpers shared by the portal views."""

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

from marketplace.models import Plan
from novacron.core.money import Money


def page_of(request: HttpRequest, items: Any, per_page: int = 24) -> Page:
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def plan_price_text(plan: Plan, amount: int | None = None) -> str:
    """A plan's price for people: "Free", "$49.00", "$9.00 / month", "$5.00 per seat / year",
    "$0.01 per unit (cap $100.00 / month)"."""
    if plan.model == Plan.Model.FREE:
        return "Free"
    if plan.model == Plan.Model.USAGE:
        unit = Money(amount if amount is not None else plan.unit_amount, plan.currency)
        return f"{unit} per unit (at most {Money(plan.monthly_cap, plan.currency)} a month)"
    price = Money(amount if amount is not None else plan.amount, plan.currency)
    period = {"month": " / month", "year": " / year"}.get(plan.interval, "")
    seat = " per seat" if plan.model == Plan.Model.PER_SEAT else ""
    return f"{price}{seat}{period}"

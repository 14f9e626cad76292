"""What usage-based installations used in a billing period, and what it costs (capped). Reads only."""

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from marketplace.models import Installation, Plan
from marketplace.selectors.entitlements import current_subscription

M = Plan.Model


def usage_amount(
    installation: Installation, *, start: datetime, end: datetime, unit_price: int | None = None
) -> tuple[int, int]:
    """(units, amount) recorded in [start, end) — by when they were recorded, so a late report is billed in the
    period it arrived in, never twice and never lost — at `unit_price` (default the installation's), capped at the
    plan's monthly cap."""
    plan = installation.plan
    if plan.model != M.USAGE:
        return 0, 0
    units = (
        installation.usage_records.filter(created_at__gte=start, created_at__lt=end).aggregate(
            n=Sum("quantity")
        )["n"]
        or 0
    )
    price = installation.price_amount if unit_price is None else unit_price
    return units, min(units * price, plan.monthly_cap)


def usage_month(installation: Installation, *, now: Any = None) -> dict[str, int]:
    """The current billing period so far (the subscription's period; else this calendar month, UTC): units, what
    they cost (capped) and the cap."""
    now = now or timezone.now()
    current = current_subscription(installation)
    start = (
        current.current_period_start
        if current is not None
        else now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    )
    units, amount = usage_amount(installation, start=start, end=now + timedelta(microseconds=1))
    return {"units": units, "amount": amount, "cap": installation.plan.monthly_cap}

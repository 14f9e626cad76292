"""Seller tiers from trailing-12-month net revenue (task revenue.recompute_tiers, daily).

Net revenue of a seller: for each order line it sold that was paid in the window (the 365 days up to now),
net_amount − refunded seller part − refunded platform part (tax is never revenue). Summed per currency, each
currency converted to USD cents with the ExchangeRate valid on the recompute day (half-to-even), then summed.
A seller with revenue in a currency that has no rate keeps their tier (logged) — never a guessed rate.

When the tier changes, Seller.tier is updated and a SellerTierChange is written with the tier's benefits from
TIER_RULES and, in `computation`, the window, the revenue per currency and the rate used for each.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from revenue.models import OrderLine, Seller, SellerTierChange
from revenue.services.fx import RateMissing, convert_with_rate
from revenue.share import tier_for_revenue

logger = logging.getLogger(__name__)
WINDOW_DAYS = 365


def trailing_revenue(*, now: datetime) -> dict[int, dict[str, int]]:
    """{seller id: {currency: net revenue in minor units}} over the trailing window."""
    rows = (
        OrderLine.objects.filter(
            order__paid_at__gt=now - timedelta(days=WINDOW_DAYS),
            order__paid_at__lte=now,
        )
        .exclude(seller__kind=Seller.Kind.PLATFORM)
        .values("seller_id", "order__currency")
        .annotate(net=Sum(F("net_amount") - F("refunded_seller") - F("refunded_platform")))
    )
    revenue: dict[int, dict[str, int]] = defaultdict(dict)
    for row in rows:
        revenue[row["seller_id"]][row["order__currency"]] = int(row["net"] or 0)
    return revenue


def tiers_recompute(*, now: datetime | None = None) -> int:
    """Recompute every seller's tier; returns how many sellers changed tier. Safe to run twice."""
    now = now or timezone.now()
    today = now.date()
    revenue = trailing_revenue(now=now)
    changed = 0
    for seller in Seller.objects.exclude(kind=Seller.Kind.PLATFORM).order_by("pk"):
        by_currency = revenue.get(seller.pk, {})
        total_usd = 0
        detail: dict[str, dict] = {}
        try:
            for currency, amount in sorted(by_currency.items()):
                usd, rate = convert_with_rate(amount, currency, "USD", on=today)
                total_usd += usd
                detail[currency] = {"net": amount, "usd_cents": usd, "rate": rate.as_dict()}
        except RateMissing as exc:
            logger.warning("tier of seller %s kept: %s", seller.pk, exc)
            continue
        rule = tier_for_revenue(max(total_usd, 0))
        if rule.tier == seller.tier:
            continue
        with transaction.atomic():
            locked = Seller.objects.select_for_update().get(pk=seller.pk)
            if locked.tier == rule.tier:
                continue
            SellerTierChange.objects.create(
                seller=locked,
                computed_at=now,
                previous_tier=locked.tier,
                tier=rule.tier,
                trailing_revenue_usd=total_usd,
                developer_rate=rule.developer_rate,
                benefits=dict(rule.benefits),
                computation={
                    "window_start": (now - timedelta(days=WINDOW_DAYS)).isoformat(),
                    "window_end": now.isoformat(),
                    "by_currency": detail,
                },
            )
            locked.tier = rule.tier
            locked.save(update_fields=["tier", "updated_at"])
        changed += 1
    return changed

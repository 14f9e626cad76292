"""Tiers: trailing-12-month net revenue in USD (refunds netted, rates recorded), history with benefits."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from revenue.models import SellerTierChange, Tier
from revenue.services.fx import rate_set
from revenue.services.refunds import refund_create
from revenue.services.tiers import tiers_recompute
from revenue.share import seller_rate
from revenue.tasks import recompute_tiers
from tests.revenue.factories import LineSpec, SellerFactory, create_paid_order, platform_seller

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 6, 1, 2, 15, tzinfo=UTC)


def test_silver_at_100k_net_of_refunds():
    seller = SellerFactory()
    order, _ = create_paid_order(lines=[LineSpec(seller, 100_000_00)], paid_at=NOW - timedelta(days=30))

    assert tiers_recompute(now=NOW) == 1
    seller.refresh_from_db()
    assert seller.tier == Tier.SILVER
    assert seller_rate(seller) == Decimal("0.7050")
    change = SellerTierChange.objects.get(seller=seller)
    assert (change.previous_tier, change.tier, change.trailing_revenue_usd) == (
        "standard",
        "silver",
        100_000_00,
    )
    assert change.benefits["marketing_credits_usd"] == 10_000
    assert change.benefits["featured_listings"] is True

    # a refund of $1 drops it back below the threshold; running twice changes nothing more
    refund_create(order=order, amount=1_00)
    assert tiers_recompute(now=NOW) == 1
    assert tiers_recompute(now=NOW) == 0
    seller.refresh_from_db()
    assert seller.tier == Tier.STANDARD
    assert SellerTierChange.objects.filter(seller=seller).count() == 2


def test_other_currencies_convert_at_the_rate_of_the_day_and_record_it():
    seller = SellerFactory()
    create_paid_order(lines=[LineSpec(seller, 400_000_00)], currency="EUR", paid_at=NOW - timedelta(days=100))
    create_paid_order(lines=[LineSpec(seller, 10_000_000)], currency="JPY", paid_at=NOW - timedelta(days=10))
    rate_set(base="EUR", quote="USD", rate="1.10", as_of=NOW.date() - timedelta(days=200))
    rate_set(base="EUR", quote="USD", rate="1.25", as_of=NOW.date())  # the rate at recompute time is used
    rate_set(base="USD", quote="JPY", rate="100", as_of=NOW.date())

    assert tiers_recompute(now=NOW) == 1

    seller.refresh_from_db()
    assert seller.tier == Tier.GOLD  # €400k × 1.25 + ¥10M / 100 = $500k + $100k
    change = SellerTierChange.objects.get(seller=seller)
    assert change.trailing_revenue_usd == 600_000_00
    eur = change.computation["by_currency"]["EUR"]
    assert (eur["rate"]["rate"], eur["rate"]["as_of"], eur["usd_cents"]) == (
        "1.2500000000",
        "2025-06-01",
        500_000_00,
    )
    assert change.computation["by_currency"]["JPY"]["rate"]["inverted"] is True


def test_sales_outside_the_window_and_missing_rates():
    old = SellerFactory()
    create_paid_order(lines=[LineSpec(old, 2_000_000_00)], paid_at=NOW - timedelta(days=366))
    foreign = SellerFactory()
    create_paid_order(
        lines=[LineSpec(foreign, 2_000_000_00)], currency="GBP", paid_at=NOW - timedelta(days=1)
    )
    create_paid_order(lines=[LineSpec(platform_seller(), 2_000_000_00)], paid_at=NOW - timedelta(days=1))

    assert tiers_recompute(now=NOW) == 0  # old: out of window; foreign: no GBP rate, kept as is
    foreign.refresh_from_db()
    assert foreign.tier == Tier.STANDARD


def test_platinum_and_the_daily_task():
    seller = SellerFactory()
    create_paid_order(lines=[LineSpec(seller, 1_000_000_00)])
    assert recompute_tiers.delay().get() == 1
    seller.refresh_from_db()
    assert seller.tier == Tier.PLATINUM
    assert SellerTierChange.objects.get().benefits["dedicated_manager"] is True
    assert recompute_tiers.delay().get() == 0

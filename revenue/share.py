"""Revenue share and tiers (pure functions, no I/O).

Default split: 70% of the net (ex-tax) amount to the seller, 30% to the platform. Tiers by the seller's
trailing-12-month net revenue in USD: silver ≥ $100K → 70.5%, gold ≥ $500K → 71%, platinum ≥ $1M → 72%.

Rounding rule: the seller's part is net × rate rounded half-to-even to the minor unit; the platform gets
exactly net − seller part, so the parts always sum to the net amount.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

from revenue.models import Seller, Tier


@dataclass(frozen=True)
class TierRule:
    tier: Tier
    threshold_usd_cents: int
    developer_rate: Decimal
    benefits: dict = field(default_factory=dict)


TIER_RULES: tuple[TierRule, ...] = (
    TierRule(
        Tier.PLATINUM,
        1_000_000_00,
        Decimal("0.7200"),
        {
            "marketing_credits_usd": 50_000,
            "custom_feature_slots": 3,
            "dedicated_manager": True,
            "featured_listings": True,
        },
    ),
    TierRule(
        Tier.GOLD,
        500_000_00,
        Decimal("0.7100"),
        {
            "marketing_credits_usd": 25_000,
            "custom_feature_slots": 2,
            "dedicated_manager": False,
            "featured_listings": True,
        },
    ),
    TierRule(
        Tier.SILVER,
        100_000_00,
        Decimal("0.7050"),
        {
            "marketing_credits_usd": 10_000,
            "custom_feature_slots": 1,
            "dedicated_manager": False,
            "featured_listings": True,
        },
    ),
    TierRule(
        Tier.STANDARD,
        0,
        Decimal("0.7000"),
        {
            "marketing_credits_usd": 0,
            "custom_feature_slots": 0,
            "dedicated_manager": False,
            "featured_listings": False,
        },
    ),
)
RULES_BY_TIER = {rule.tier: rule for rule in TIER_RULES}


def tier_for_revenue(trailing_usd_cents: int) -> TierRule:
    return next(rule for rule in TIER_RULES if trailing_usd_cents >= rule.threshold_usd_cents)


def next_tier(tier: str) -> TierRule | None:
    """The tier above `tier`, or None at the top."""
    ordered = list(reversed(TIER_RULES))
    index = next(i for i, rule in enumerate(ordered) if rule.tier == tier)
    return ordered[index + 1] if index + 1 < len(ordered) else None


def seller_rate(seller: Seller) -> Decimal:
    """The seller's share of net. The platform selling its own items keeps everything."""
    if seller.kind == Seller.Kind.PLATFORM:
        return Decimal("0")
    return RULES_BY_TIER[Tier(seller.tier)].developer_rate


def split_net(net: int, rate: Decimal) -> tuple[int, int]:
    """(seller part, platform part) of a net amount in minor units; see the module's rounding rule."""
    seller_part = int((Decimal(net) * rate).to_integral_value(rounding=ROUND_HALF_EVEN))
    return seller_part, net - seller_part

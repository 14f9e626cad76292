"""Seller reads: which sellers a user acts for, balances per currency, tier progress, payouts and sales."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone

from novacron.accounts import facade as accounts_facade
from novacron.core.money import Money
from revenue.exceptions import NotASeller
from revenue.models import (
    Account,
    AccountKind,
    OrderLine,
    Payout,
    PayoutAccount,
    Seller,
    SellerTierChange,
    Tier,
)
from revenue.services import fx
from revenue.services.products import seller_can_manage
from revenue.share import RULES_BY_TIER, next_tier

# --- sellers a user may act for ------------------------------------------------------------------------------

# Organisation roles that see (and act on) the organisation's earnings: managers and the billing contact.
SELLER_ORG_ROLES = frozenset({"owner", "admin", "billing"})


def seller_organization_ids(*, user_id: int) -> list[int]:
    """Organisations whose earnings the user may see: those where they are owner, admin or billing."""
    return [o.id for o in accounts_facade.organizations_for_user(user_id) if o.role in SELLER_ORG_ROLES]


def sellers_for_user(*, user_id: int) -> list[Seller]:
    """The sellers a user receives money through or manages: their own, and their organisations' (as owner,
    admin or billing contact). The platform seller is never one of them. Two queries."""
    condition = Q(user_id=user_id)
    organization_ids = seller_organization_ids(user_id=user_id)
    if organization_ids:
        condition |= Q(organization_id__in=organization_ids)
    return list(
        Seller.objects.filter(condition).exclude(kind=Seller.Kind.PLATFORM).order_by("display_name", "id")
    )


def _acts_for(*, seller: Seller, user: Any, manage: bool) -> bool:
    if manage:
        return seller_can_manage(seller=seller, user=user)
    return seller.user_id == user.pk or (
        seller.organization_id is not None
        and seller.organization_id in seller_organization_ids(user_id=user.pk)
    )


def seller_for_actor(*, user: Any, public_id: Any = None, manage: bool = False) -> Seller:
    """The seller `user` acts for: the one place that answers "which seller am I?" for the API.

    With `public_id`: that seller, if the user may act for it. Without: their own seller, else their first
    organisation's (by name). `manage=True` (changes: products, plans, payout accounts) allows only sellers the
    user manages (`seller_can_manage`: their own, an organisation's as owner or admin, the platform seller for a
    superuser); otherwise (reads of earnings) also an organisation's where they are the billing contact, and
    never the platform seller. Raises NotASeller (404, code "not_a_seller") when there is none."""
    if public_id:
        seller = Seller.objects.filter(public_id=public_id).first()
        if seller is None or not _acts_for(seller=seller, user=user, manage=manage):
            raise NotASeller("No such seller among yours.", field="seller")
        return seller
    sellers = sellers_for_user(user_id=user.pk)
    if manage:
        sellers = [seller for seller in sellers if seller_can_manage(seller=seller, user=user)]
    own = [seller for seller in sellers if seller.user_id == user.pk]
    if not (own or sellers):
        raise NotASeller("You have no earnings yet: you are not a seller.")
    return (own or sellers)[0]


def sales_for_seller(*, seller: Seller, limit: int = 20) -> list[OrderLine]:
    """The seller's most recent sold lines (paid orders, refunded or not) with their orders. One query."""
    return list(
        OrderLine.objects.filter(seller=seller, order__paid_at__isnull=False)
        .select_related("order")
        .order_by("-order__paid_at", "-id")[:limit]
    )


# --- balances ------------------------------------------------------------------------------------------------

BALANCE_FIELDS = {
    AccountKind.SELLER_PENDING: "pending",
    AccountKind.SELLER_AVAILABLE: "available",
    AccountKind.SELLER_RESERVE: "reserve",
    AccountKind.SELLER_RECEIVABLE: "receivable",
    AccountKind.SELLER_IN_TRANSIT: "in_transit",
}


@dataclass(frozen=True)
class SellerBalance:
    """One seller's money in one currency, in minor units. `receivable` is what the seller owes the platform
    (clawed-back disputes); it is netted off later payouts. `paid_to_date` is the sum of paid payouts."""

    currency: str
    pending: int = 0
    available: int = 0
    reserve: int = 0
    receivable: int = 0
    in_transit: int = 0
    paid_to_date: int = 0

    @property
    def net(self) -> int:
        """What the platform holds for the seller: pending + available + reserve + in transit − receivable."""
        return self.pending + self.available + self.reserve + self.in_transit - self.receivable

    def money(self, name: str) -> Money:
        return Money(getattr(self, name), self.currency)

    # Display helpers for templates (`{{ balance.pending_money }}` renders a localised amount).
    @property
    def pending_money(self) -> Money:
        return self.money("pending")

    @property
    def available_money(self) -> Money:
        return self.money("available")

    @property
    def reserve_money(self) -> Money:
        return self.money("reserve")

    @property
    def receivable_money(self) -> Money:
        return self.money("receivable")

    @property
    def in_transit_money(self) -> Money:
        return self.money("in_transit")

    @property
    def paid_to_date_money(self) -> Money:
        return self.money("paid_to_date")

    @property
    def net_money(self) -> Money:
        return self.money("net")


def seller_balances(*, seller_ids: Iterable[int]) -> dict[int, list[SellerBalance]]:
    """Balances per seller and currency (currencies sorted), for every currency the seller has an account or a
    paid payout in. Two queries for any number of sellers."""
    seller_ids = list(seller_ids)
    values: dict[tuple[int, str], dict[str, int]] = defaultdict(dict)
    accounts = (
        Account.objects.with_balance()
        .filter(seller_id__in=seller_ids, kind__in=list(BALANCE_FIELDS))
        .values("seller_id", "currency", "kind", "current_balance")
    )
    for row in accounts:
        values[(row["seller_id"], row["currency"])][BALANCE_FIELDS[row["kind"]]] = row["current_balance"]
    paid = (
        Payout.objects.filter(seller_id__in=seller_ids, state=Payout.State.PAID)
        .values("seller_id", "currency")
        .annotate(total=Sum(F("amount") - F("reversed_amount")))
    )
    for row in paid:
        values[(row["seller_id"], row["currency"])]["paid_to_date"] = row["total"] or 0
    result: dict[int, list[SellerBalance]] = {seller_id: [] for seller_id in seller_ids}
    for (seller_id, currency), fields in sorted(values.items()):
        result[seller_id].append(SellerBalance(currency=currency, **fields))
    return result


def seller_balances_for(*, seller: Seller) -> list[SellerBalance]:
    return seller_balances(seller_ids=[seller.pk])[seller.pk]


# --- tiers ---------------------------------------------------------------------------------------------------


def trailing_revenue_usd(*, seller: Seller, now: datetime | None = None) -> tuple[int, list[str]]:
    """The seller's trailing-12-month net revenue in US cents, computed like the daily recomputation
    (`services.tiers`): lines paid in the 365 days up to now, net − refunded seller part − refunded platform
    part, each currency converted at the rate valid today. Also returns the currencies that had no rate (left
    out). One query, plus the rate look-ups (one or two per currency sold in)."""
    now = now or timezone.now()
    rows = (
        OrderLine.objects.filter(
            seller=seller,
            order__paid_at__gt=now - timedelta(days=365),
            order__paid_at__lte=now,
        )
        .values("order__currency")
        .annotate(net=Sum(F("net_amount") - F("refunded_seller") - F("refunded_platform")))
        .order_by("order__currency")
    )
    total, missing = 0, []
    for row in rows:
        try:
            total += fx.convert(int(row["net"] or 0), row["order__currency"], "USD", on=now.date())
        except fx.RateMissing:
            missing.append(row["order__currency"])
    return total, missing


@dataclass(frozen=True)
class TierProgress:
    tier: str
    tier_label: str
    developer_rate: Decimal
    trailing_revenue_usd: int  # US cents
    computed_at: datetime | None  # when the figure was recorded; None when computed just now
    next_tier: str | None
    next_tier_label: str | None
    next_threshold_usd: int | None  # US cents
    distance_usd: int | None  # US cents still to earn for the next tier
    progress_percent: int  # 0..100 towards the next tier (100 at the top)
    benefits: dict[str, Any]
    next_benefits: dict[str, Any] | None
    currencies_without_rate: list[str] = field(default_factory=list)

    @property
    def developer_percent(self) -> str:
        """The revenue share as people write it: "70%", "70.5%"."""
        return f"{(self.developer_rate * 100).normalize():f}%"

    @property
    def trailing_money(self) -> Money:
        return Money(self.trailing_revenue_usd, "USD")

    @property
    def distance_money(self) -> Money | None:
        return None if self.distance_usd is None else Money(self.distance_usd, "USD")

    @property
    def next_threshold_money(self) -> Money | None:
        return None if self.next_threshold_usd is None else Money(self.next_threshold_usd, "USD")


def tier_progress(*, seller: Seller, now: datetime | None = None, compute: bool = True) -> TierProgress:
    """The seller's current tier, trailing-12-month USD revenue and the way to the next tier.

    The revenue figure is computed from the order lines (what the daily recomputation will see) when `compute`
    is true; otherwise it is the one recorded by the latest tier change (0 if there was none)."""
    latest = SellerTierChange.objects.filter(seller=seller).order_by("-computed_at", "-id").first()
    missing: list[str] = []
    if compute:
        trailing, missing = trailing_revenue_usd(seller=seller, now=now)
        computed_at = None
    else:
        trailing = latest.trailing_revenue_usd if latest else 0
        computed_at = latest.computed_at if latest else None
    tier = Tier(seller.tier)
    rule = RULES_BY_TIER[tier]
    upcoming = next_tier(tier)
    if upcoming is None:
        distance, progress = None, 100
    else:
        distance = max(upcoming.threshold_usd_cents - trailing, 0)
        span = upcoming.threshold_usd_cents - rule.threshold_usd_cents
        progress = min(100, max(0, int((trailing - rule.threshold_usd_cents) * 100 // span))) if span else 100
    return TierProgress(
        tier=tier.value,
        tier_label=tier.label,
        developer_rate=rule.developer_rate,
        trailing_revenue_usd=trailing,
        computed_at=computed_at,
        next_tier=upcoming.tier.value if upcoming else None,
        next_tier_label=upcoming.tier.label if upcoming else None,
        next_threshold_usd=upcoming.threshold_usd_cents if upcoming else None,
        distance_usd=distance,
        progress_percent=progress,
        benefits=dict(rule.benefits),
        next_benefits=dict(upcoming.benefits) if upcoming else None,
        currencies_without_rate=missing,
    )


# --- payouts -------------------------------------------------------------------------------------------------


def payouts_for_seller(*, seller: Seller) -> QuerySet[Payout]:
    return (
        Payout.objects.filter(seller=seller).select_related("payout_account").order_by("-created_at", "-id")
    )


def payout_accounts_for_seller(*, seller: Seller) -> list[PayoutAccount]:
    return list(PayoutAccount.objects.filter(seller=seller, is_active=True).order_by("currency"))

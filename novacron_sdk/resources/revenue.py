"""/api/v1/revenue/: your balances, earnings statement, tier, payouts and purchases.

Money is an integer number of minor units next to its ISO 4217 currency (amount=1999, currency="EUR" is
€19.99); `novacron_sdk.money.format_minor` renders it. Amounts of different currencies are never added up.
Tokens need the `revenue:read` (or `read`) scope.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from novacron_sdk.endpoints import endpoint
from novacron_sdk.pagination import Paginator
from novacron_sdk.resources._base import Resource


@dataclass(frozen=True, kw_only=True)
class SellerRef:
    public_id: UUID
    display_name: str
    kind: str
    tier: str
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, kw_only=True)
class Balance:
    currency: str
    pending: int
    available: int
    reserve: int
    receivable: int
    in_transit: int
    paid_to_date: int
    net: int
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, kw_only=True)
class SellerBalances:
    seller: SellerRef
    balances: tuple[Balance, ...]
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, kw_only=True)
class Balances:
    sellers: tuple[SellerBalances, ...]
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, kw_only=True)
class StatementRow:
    effective_at: datetime
    entry_id: UUID
    kind: str
    description: str
    reference_type: str
    reference_id: str
    currency: str
    amount: int
    running_balance: int
    changes: dict[str, int]
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, kw_only=True)
class Statement:
    seller: SellerRef
    start: datetime
    end: datetime
    """Exclusive."""
    currency: str | None
    opening: dict[str, int]
    closing: dict[str, int]
    rows: tuple[StatementRow, ...]
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, kw_only=True)
class TierProgress:
    seller: SellerRef
    tier: str
    developer_rate: Decimal
    trailing_revenue_usd: int
    next_tier: str | None
    next_threshold_usd: int | None
    distance_usd: int | None
    progress_percent: int
    benefits: dict[str, Any]
    next_benefits: dict[str, Any] | None
    currencies_without_rate: tuple[str, ...]
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, kw_only=True)
class Payout:
    public_id: UUID
    seller: UUID
    currency: str
    amount: int
    state: str
    method: str
    scheduled_for: date | None
    created_at: datetime
    paid_at: datetime | None
    failure_message: str
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, kw_only=True)
class PurchaseLine:
    seller: str
    item_type: str
    item_id: str
    description: str
    quantity: int
    unit_amount: int
    net_amount: int
    tax_amount: int
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, kw_only=True)
class Purchase:
    public_id: UUID
    state: str
    currency: str
    subtotal: int
    tax_total: int
    total: int
    refunded_total: int
    gateway: str
    created_at: datetime
    paid_at: datetime | None
    lines: tuple[PurchaseLine, ...]
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


BALANCES = endpoint("GET", "/api/v1/revenue/balances/", Balances)
STATEMENT = endpoint("GET", "/api/v1/revenue/earnings/statement/", Statement)
TIER = endpoint("GET", "/api/v1/revenue/tier/", TierProgress)
PAYOUTS = endpoint("GET", "/api/v1/revenue/payouts/", Payout, paginated=True)
PURCHASES = endpoint("GET", "/api/v1/revenue/orders/", Purchase, paginated=True)
PURCHASE = endpoint("GET", "/api/v1/revenue/orders/{public_id}/", Purchase)


class RevenueResource(Resource):
    """client.revenue"""

    def balances(self, *, seller: UUID | str | None = None) -> Balances:
        """Balances per seller (yours and your organisations') and currency; `seller` narrows to one."""
        return self._client.call(BALANCES, params={"seller": seller})

    def statement(
        self,
        *,
        start: date | None = None,
        end: date | None = None,
        currency: str | None = None,
        seller: UUID | str | None = None,
    ) -> Statement:
        """Ledger entries that touched the seller's balances from `start` to `end` (inclusive days in your time
        zone; the server defaults to the last 90 days), with running balances."""
        return self._client.call(STATEMENT, params=_statement_params(start, end, currency, seller))

    def statement_csv(
        self,
        *,
        start: date | None = None,
        end: date | None = None,
        currency: str | None = None,
        seller: UUID | str | None = None,
    ) -> str:
        """The same statement as CSV text (amounts in major units), as the portal downloads it."""
        params = {**_statement_params(start, end, currency, seller), "format": "csv"}
        return self._client.request(STATEMENT, params=params, accept="text/csv").text

    def tier(self, *, seller: UUID | str | None = None) -> TierProgress:
        """Your tier, revenue share and progress to the next tier."""
        return self._client.call(TIER, params={"seller": seller})

    def payouts(self, *, seller: UUID | str | None = None, limit: int | None = None) -> Paginator[Payout]:
        """Payouts to you and your organisations, newest first."""
        return self._client.paginate(PAYOUTS, {"seller": seller}, limit=limit)

    def purchases(self, *, limit: int | None = None) -> Paginator[Purchase]:
        """Orders you placed, newest first."""
        return self._client.paginate(PURCHASES, limit=limit)

    def purchase(self, public_id: UUID | str) -> Purchase:
        return self._client.call(PURCHASE, path_params={"public_id": public_id})


def _statement_params(
    start: date | None, end: date | None, currency: str | None, seller: UUID | str | None
) -> dict[str, Any]:
    return {
        "from": start.isoformat() if start else None,
        "to": end.isoformat() if end else None,
        "currency": currency,
        "seller": seller,
    }

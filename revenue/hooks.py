"""Extension points that higher apps register into from their AppConfig.ready (never imported upwards).

- Item types: what can be sold through checkout. A resolver prices an item for a buyer (clients never send
  prices), `on_paid` fulfils it (grant a licence, issue a ticket) and `on_refunded` takes it back.
- Tax: one calculator computes tax per line; the billing module replaces the default (no tax).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class PricedItem:
    """An item priced for one buyer by its app's resolver."""

    seller_id: int
    item_type: str
    item_id: str
    description: str
    unit_amount: int
    currency: str
    quantity: int = 1
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SoldLine:
    """What `on_paid` / `on_refunded` receive: plain values, no revenue models."""

    order_id: str
    order_line_id: int
    buyer_id: int
    organization_id: int | None
    item_type: str
    item_id: str
    quantity: int
    net_amount: int
    currency: str
    metadata: dict[str, Any]


@dataclass(frozen=True)
class ItemType:
    name: str
    resolve: Callable[..., PricedItem]  # resolve(item_id=..., quantity=..., buyer_id=..., currency=...)
    on_paid: Callable[[SoldLine], None] | None = None
    on_refunded: Callable[[SoldLine], None] | None = None


_item_types: dict[str, ItemType] = {}


def register_item_type(item_type: ItemType) -> None:
    _item_types[item_type.name] = item_type


def item_type(name: str) -> ItemType | None:
    return _item_types.get(name)


def item_types() -> list[str]:
    return sorted(_item_types)


@dataclass(frozen=True)
class TaxInput:
    net_amount: int
    currency: str
    item_type: str
    seller_id: int


@dataclass(frozen=True)
class TaxContext:
    buyer_id: int
    organization_id: int | None
    billing_country: str
    ip_country: str = ""
    card_country: str = ""
    vat_number: str = ""


@dataclass(frozen=True)
class TaxLine:
    amount: int
    rate: Decimal
    jurisdiction: str  # e.g. "DE", "GB", "US-CA"; "" when no tax applies
    note: str = ""  # e.g. the reverse-charge mention


TaxCalculator = Callable[[list[TaxInput], TaxContext], list[TaxLine]]


def no_tax(lines: list[TaxInput], context: TaxContext) -> list[TaxLine]:
    return [TaxLine(amount=0, rate=Decimal("0"), jurisdiction="") for _ in lines]


_tax: dict[str, TaxCalculator] = {"calculator": no_tax}


def register_tax_calculator(calculator: TaxCalculator) -> None:
    _tax["calculator"] = calculator


def calculate_tax(lines: list[TaxInput], context: TaxContext) -> list[TaxLine]:
    result = _tax["calculator"](lines, context)
    if len(result) != len(lines):
        raise RuntimeError("tax calculator must return one TaxLine per input line")
    return result


# --- subscriptions ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SubscriptionChange:
    """What subscription listeners receive when a subscription's access changes: plain values only.

    `event` is "activated" (first paid period or trial started), "renewed", "suspended" (payment failed past the
    grace period), "canceled", "paused", "resumed" or "changed" (plan or seats). `active_until` is when access
    ends as things stand (None: no access now)."""

    subscription_id: str
    plan_key: str
    event: str
    state: str
    buyer_id: int
    organization_id: int | None
    seats: int
    active_until: Any


SubscriptionListener = Callable[[SubscriptionChange], None]
_subscription_listeners: list[SubscriptionListener] = []


def register_subscription_listener(listener: SubscriptionListener) -> None:
    """Called after commit, once per change; must be idempotent (a change may be delivered again)."""
    if listener not in _subscription_listeners:
        _subscription_listeners.append(listener)


def unregister_subscription_listener(listener: SubscriptionListener) -> None:
    if listener in _subscription_listeners:
        _subscription_listeners.remove(listener)


def subscription_listeners() -> list[SubscriptionListener]:
    return list(_subscription_listeners)


# Metered usage: an app whose plans bill usage in arrears registers a meter for its plan-key prefix. At each renewal
# (and when a subscription ends) revenue asks it what the period [start, end) used, in minor units of the plan's
# currency, already capped; that amount is added to the renewal's charge (or billed as a final charge).
UsageMeter = Callable[
    [str, datetime, datetime], int
]  # meter(subscription public id, start, end) → minor units
_usage_meters: dict[str, UsageMeter] = {}


def register_usage_meter(key_prefix: str, meter: UsageMeter) -> None:
    _usage_meters[key_prefix] = meter


def metered_usage(*, plan_key: str, subscription_id: str, start: datetime, end: datetime) -> int:
    """What a subscription used in [start, end) by its plan's meter (0 without one)."""
    for prefix, meter in _usage_meters.items():
        if plan_key.startswith(prefix):
            amount = int(meter(subscription_id, start, end))
            if amount < 0:
                raise RuntimeError("a usage meter must not return a negative amount")
            return amount
    return 0


# --- services marketplace ------------------------------------------------------------------------------------
# Partner qualification: a higher app (certification) says whether a partner's contact person is qualified to
# publish service listings. Without a qualifier nobody qualifies (a listing needs a certified partner).

PartnerQualifier = Callable[[int], bool]  # qualifier(user_id) → True if qualified

_partner_qualifiers: list[PartnerQualifier] = []


def register_partner_qualifier(qualifier: PartnerQualifier) -> None:
    if qualifier not in _partner_qualifiers:
        _partner_qualifiers.append(qualifier)


def partner_qualified(user_id: int) -> bool:
    """True if any registered qualifier accepts the user."""
    return any(qualifier(user_id) for qualifier in _partner_qualifiers)


# Escrow released by its owner: order lines of these item types are skipped by the time-based release
# (`escrow.escrow_release_due`); the owning service releases them with `escrow.escrow_release_line`.
_owner_released_item_types: set[str] = set()


def register_owner_released_item_type(name: str) -> None:
    _owner_released_item_types.add(name)


def owner_released_item_types() -> list[str]:
    return sorted(_owner_released_item_types)

"""The only module other apps may import from `revenue` (enforced by import-linter).

Contract
--------
- Functions take ids and plain values (internal ids for users, organisations and sellers; public UUIDs for
  orders) and return frozen dataclasses of plain values. Money is always an integer number of minor units next to
  its ISO 4217 currency; amounts of different currencies are never added up.
- Writes (`checkout`, `confirm`, `refund`) delegate to `revenue.services` and raise `DomainError` subclasses
  (re-exported below) for input a person can fix: `PaymentDeclined` is not raised — a declined card gives an
  order in state "failed"; the exceptions carry `.message`, `.field` and a stable `.code`.
- Reads never raise for "not found": they return None or an empty list.

Selling through revenue (marketplace apps, certification courses, growth tickets)
------------------------------------------------------------------------------
1. At startup (your AppConfig.ready) call `register_item_type(ItemType(name="<app>.<thing>", resolve=...,
   on_paid=..., on_refunded=...))`. `resolve(item_id=, quantity=, buyer_id=, currency=) -> PricedItem` prices the
   item for that buyer (clients never send prices); raise a DomainError (or return None) for unknown items.
   `on_paid(SoldLine)` fulfils after the payment commits (grant a licence, issue a ticket); `on_refunded` takes it
   back. Both run after commit, once per order line; make them idempotent (they may be retried).
2. The seller of an item is a revenue seller id: get it with `seller_for_user` / `seller_for_organization`
   (created on first use) and put it in `PricedItem.seller_id`. Revenue share, tiers, escrow, payouts, refunds
   and disputes are then handled here.
3. Call `checkout(...)` (or let the buyer use POST /api/v1/revenue/checkouts/) with
   `items=[("<app>.<thing>", "<item id>", quantity), ...]`.

Tax: the billing module registers its calculator with `register_tax_calculator` (default: no tax).

Services marketplace: `register_partner_qualifier(qualifier)` — `qualifier(user_id) -> bool` says whether a
partner's contact person is qualified (certification registers `is_certified`); only approved partners whose
contact qualifies may publish service listings. Without a qualifier nobody qualifies.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model

from revenue import selectors
from revenue.exceptions import (
    GatewayUnavailable,
    InsufficientFunds,
    InvalidState,
    PaymentDeclined,
    UnknownItem,
)
from revenue.hooks import (
    ItemType,
    PricedItem,
    SoldLine,
    SubscriptionChange,
    TaxContext,
    TaxInput,
    TaxLine,
    register_item_type,
    register_partner_qualifier,
    register_subscription_listener,
    register_tax_calculator,
    register_usage_meter,
)
from revenue.models import Order, Plan, Refund, Seller, Subscription
from revenue.services import subscriptions as _subscriptions
from revenue.services.checkout import checkout_confirm, checkout_create
from revenue.services.grants import grant_pay as _grant_pay
from revenue.services.refunds import refund_create
from revenue.services.sellers import seller_ensure, seller_platform
from revenue.services.subscriptions_common import active_until as _active_until
from revenue.services.subscriptions_common import seat_price as _seat_price
from revenue.volume_pricing import volume_price, volume_tiers_clean

__all__ = [
    "BalanceSummary",
    "GatewayUnavailable",
    "InsufficientFunds",
    "InvalidState",
    "ItemType",
    "OrderLineSummary",
    "OrderSummary",
    "PaymentDeclined",
    "PricedItem",
    "RefundSummary",
    "SoldLine",
    "TaxContext",
    "TaxInput",
    "TaxLine",
    "TierSummary",
    "UnknownItem",
    "checkout",
    "confirm",
    "grant_pay",
    "order_get",
    "platform_seller_id",
    "refund",
    "register_item_type",
    "register_partner_qualifier",
    "register_tax_calculator",
    "seller_balances",
    "seller_for_organization",
    "seller_for_user",
    "seller_tier",
]

SELLER_KINDS: tuple[str, ...] = tuple(Seller.Kind.values)  # "developer", "partner", "organiser", "platform"


# --- sellers -------------------------------------------------------------------------------------------------


def seller_for_user(user_id: int, display_name: str, *, kind: str = Seller.Kind.DEVELOPER) -> int:
    """The id of the user's seller of `kind` ("developer" or "organiser"), created on first use with
    `display_name` (an existing seller keeps its name). Safe to call concurrently."""
    return seller_ensure(kind=kind, display_name=display_name, user_id=user_id).pk


def seller_for_organization(
    organization_id: int, display_name: str, *, kind: str = Seller.Kind.PARTNER
) -> int:
    """The id of the organisation's seller of `kind` ("partner" or "organiser"), created on first use."""
    return seller_ensure(kind=kind, display_name=display_name, organization_id=organization_id).pk


def platform_seller_id() -> int:
    """The platform's own seller (it keeps 100% of what it sells, e.g. Summit tickets and sponsorships)."""
    return seller_platform().pk


# --- checkout ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderLineSummary:
    id: int
    seller_id: int
    item_type: str
    item_id: str
    description: str
    quantity: int
    unit_amount: int
    net_amount: int
    tax_amount: int
    seller_amount: int
    platform_amount: int


@dataclass(frozen=True)
class OrderSummary:
    """An order as other apps see it. `state` is one of "pending", "requires_action", "awaiting_transfer",
    "paid", "failed", "canceled". `next_action` tells the buyer what to do for requires_action (3-D Secure) and
    awaiting_transfer (bank details and the payment reference); `failure_code` says why a payment failed."""

    public_id: uuid.UUID
    buyer_id: int
    organization_id: int | None
    state: str
    currency: str
    subtotal: int
    tax_total: int
    total: int
    refunded_total: int
    gateway: str
    created_at: datetime
    paid_at: datetime | None
    lines: tuple[OrderLineSummary, ...]
    next_action: dict[str, Any]
    failure_code: str = ""
    failure_message: str = ""

    @property
    def is_paid(self) -> bool:
        return self.state == Order.State.PAID


def _order_summary(order: Order) -> OrderSummary:
    payments = sorted(order.payments.all(), key=lambda p: (p.created_at, p.pk))
    payment = payments[-1] if payments else None
    return OrderSummary(
        public_id=order.public_id,
        buyer_id=order.buyer_id,
        organization_id=order.organization_id,
        state=order.state,
        currency=order.currency,
        subtotal=order.subtotal,
        tax_total=order.tax_total,
        total=order.total,
        refunded_total=order.refunded_total,
        gateway=order.gateway,
        created_at=order.created_at,
        paid_at=order.paid_at,
        lines=tuple(
            OrderLineSummary(
                id=line.pk,
                seller_id=line.seller_id,
                item_type=line.item_type,
                item_id=line.item_id,
                description=line.description,
                quantity=line.quantity,
                unit_amount=line.unit_amount,
                net_amount=line.net_amount,
                tax_amount=line.tax_amount,
                seller_amount=line.seller_amount,
                platform_amount=line.platform_amount,
            )
            for line in order.lines.all()
        ),
        next_action=dict(payment.next_action) if payment else {},
        failure_code=payment.failure_code if payment else "",
        failure_message=payment.failure_message if payment else "",
    )


def _summary_of(public_id: uuid.UUID) -> OrderSummary:
    order = selectors.order_detail(public_id=public_id)
    if order is None:  # pragma: no cover - the order was just written
        raise UnknownItem("No such order.")
    return _order_summary(order)


def checkout(
    *,
    buyer_id: int,
    items: Sequence[tuple[str, str, int]],
    currency: str,
    payment_method: str,
    gateway: str | None = None,
    organization_id: int | None = None,
    billing_country: str = "",
    ip_country: str = "",
    vat_number: str = "",
) -> OrderSummary:
    """Sell `items` — (item_type, item_id, quantity) each, priced by their registered resolvers — to the user
    (on behalf of the organisation when given: the buyer must be its owner, admin or billing member).

    `payment_method`: a card number or test card (local test gateway), a Stripe PaymentMethod id, or "" with
    gateway="bank_transfer". `gateway`: None for the configured default. Returns the order in whatever state the
    gateway left it (see OrderSummary). Raises DomainError subclasses for bad input (with the field)."""
    buyer = get_user_model().objects.get(pk=buyer_id)
    order = checkout_create(
        buyer=buyer,
        items=list(items),
        currency=currency,
        payment_method=payment_method,
        gateway=gateway,
        organization=organization_id,
        billing_country=billing_country,
        ip_country=ip_country,
        vat_number=vat_number,
    )
    return _summary_of(order.public_id)


def confirm(*, order_id: uuid.UUID | str, buyer_id: int) -> OrderSummary:
    """Finish a checkout that required 3-D Secure, once the buyer authenticated (only the buyer may)."""
    order = Order.objects.get(public_id=order_id)
    buyer = get_user_model().objects.get(pk=buyer_id)
    order = checkout_confirm(order=order, actor=buyer)
    return _summary_of(order.public_id)


def order_get(order_id: uuid.UUID | str) -> OrderSummary | None:
    """An order by public id, or None."""
    try:
        order = selectors.order_detail(public_id=uuid.UUID(str(order_id)))
    except ValueError:
        return None
    return _order_summary(order) if order is not None else None


# --- refunds -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RefundSummary:
    """`state`: "succeeded", "pending" (the gateway answers later, or a manual bank refund) or "failed" (the
    gateway refused; the ledger was put back)."""

    public_id: uuid.UUID
    order_id: uuid.UUID
    amount: int
    currency: str
    state: str
    reason: str


def refund(
    *,
    order_id: uuid.UUID | str,
    amount: int | None = None,
    reason: str = "",
    actor_id: int | None = None,
    idempotency_key: str | None = None,
) -> RefundSummary:
    """Refund `amount` minor units of a paid order (None: everything not yet refunded), pro rata over every
    seller, the platform and the tax. Several partial refunds are fine; never above what was captured. With an
    `idempotency_key`, repeating the call returns the first refund. The caller decides who may refund (revenue's
    own portal allows finance staff and the order's sellers); `actor_id` is recorded in the audit log."""
    order = Order.objects.get(public_id=order_id)
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id is not None else None
    created: Refund = refund_create(
        order=order, amount=amount, reason=reason, actor=actor, idempotency_key=idempotency_key
    )
    return RefundSummary(
        public_id=created.public_id,
        order_id=order.public_id,
        amount=created.amount,
        currency=created.currency,
        state=created.state,
        reason=created.reason,
    )


# --- grants -------------------------------------------------------------------------------------------------


def grant_pay(
    *,
    seller_id: int,
    amount: int,
    currency: str,
    reference: str,
    idempotency_key: str,
    actor_id: int | None = None,
) -> str:
    """Pay a platform grant (e.g. approved community event funding) of `amount` minor units into the seller's
    available balance, so revenue's normal payouts pay it out. Returns the journal entry's public id; the same
    `idempotency_key` returns the same id without paying twice. The caller decides who may grant (staff);
    raises ValidationError for a non-positive amount, an unsupported currency or an unknown seller."""
    seller = Seller.objects.filter(pk=seller_id).first()
    if seller is None:
        raise UnknownItem("No such seller.", field="seller_id")
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id is not None else None
    entry = _grant_pay(
        seller=seller,
        amount=amount,
        currency=currency,
        reference=reference,
        idempotency_key=idempotency_key,
        actor=actor,
    )
    return str(entry.public_id)


# --- balances and tiers --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BalanceSummary:
    """A seller's money in one currency (minor units). `receivable` is owed to the platform (clawed-back
    disputes) and netted off later payouts; `net` = pending + available + reserve + in_transit − receivable."""

    currency: str
    pending: int
    available: int
    reserve: int
    receivable: int
    in_transit: int
    paid_to_date: int
    net: int


def seller_balances(seller_id: int) -> list[BalanceSummary]:
    """The seller's balances, one per currency it has money in (sorted by currency); [] for unknown sellers."""
    balances = selectors.seller_balances(seller_ids=[seller_id]).get(seller_id, [])
    return [
        BalanceSummary(
            currency=b.currency,
            pending=b.pending,
            available=b.available,
            reserve=b.reserve,
            receivable=b.receivable,
            in_transit=b.in_transit,
            paid_to_date=b.paid_to_date,
            net=b.net,
        )
        for b in balances
    ]


@dataclass(frozen=True)
class TierSummary:
    """`tier`: "standard", "silver", "gold" or "platinum"; `developer_rate` the seller's share of net sales.
    Revenue figures are trailing-12-month net revenue in US cents at recorded exchange rates."""

    tier: str
    developer_rate: Decimal
    trailing_revenue_usd: int
    next_tier: str | None
    distance_usd: int | None
    benefits: dict[str, Any]


def seller_tier(seller_id: int) -> TierSummary | None:
    """The seller's tier, revenue share, progress to the next tier and benefits; None for unknown sellers."""
    seller = Seller.objects.filter(pk=seller_id).first()
    if seller is None:
        return None
    progress = selectors.tier_progress(seller=seller)
    return TierSummary(
        tier=progress.tier,
        developer_rate=progress.developer_rate,
        trailing_revenue_usd=progress.trailing_revenue_usd,
        next_tier=progress.next_tier,
        distance_usd=progress.distance_usd,
        benefits=progress.benefits,
    )


# --- volume pricing (per-seat plans) ----------------------------------------------------------------------------


def volume_unit_amount(tiers: Sequence[Any], quantity: int, *, list_unit_amount: int) -> int:
    """The unit price (minor units) of `quantity` units under volume tiers, mode "volume": every unit at the price
    of the tier the quantity reaches (the tier with the highest `min_quantity` ≤ quantity), else
    `list_unit_amount`. `tiers`: {"min_quantity": int, "unit_amount": int} dicts or (min_quantity, unit_amount)
    pairs, in any order. The line's net is exactly unit × quantity. Pure: no database. Raises ValueError for a
    quantity below 1. Validate tiers a seller enters with `volume_tiers_check` first."""
    return volume_price(list_unit_amount=list_unit_amount, tiers=tiers, quantity=quantity).unit_amount


def volume_tiers_check(tiers: Sequence[Any], *, list_unit_amount: int) -> list[dict[str, int]]:
    """Tiers sorted and checked (from quantity 2, each cheaper than the list price and the tier below); raises
    ValueError with a message a seller can act on."""
    return [tier.as_dict() for tier in volume_tiers_clean(tiers, list_unit_amount=list_unit_amount)]


# --- subscriptions -----------------------------------------------------------------------------------------------
# Contract for apps that sell recurring plans (e.g. marketplace app plans):
# 1. `plan_upsert(key="marketplace.plan:<id>", seller_id=..., name=..., unit_amount=..., currency=...,
#    interval="month"|"year", trial_days=0, max_seats=1000, is_active=True)` creates or updates revenue's plan for
#    your item (prices in minor units per seat per period; a new price applies from each subscriber's next renewal,
#    or after `keep_price_days` for current subscribers when it rises; currency and interval are fixed once someone
#    subscribed).
# 2. `subscription_start(plan_key=..., buyer_id=..., seats=..., payment_method=..., organization_id=None)` starts a
#    subscription (trialing, or active after the first charge; a declined first payment gives state "canceled").
# 3. `subscription_get(id)` / `subscriptions_for(...)` read the status and entitlement: access while
#    `has_access` (`active_until` is when it ends as things stand, including the dunning grace period).
#    `subscription_change(...)` / `subscription_cancel(...)` act for a user who manages the subscription.
# 5. `register_usage_meter("marketplace.plan:", meter)` bills metered usage in arrears: meter(subscription id,
#    start, end) → minor units (capped by you) is added to each renewal's charge, and billed on its own when the
#    subscription ends.
# 4. `register_subscription_listener(fn)` (from AppConfig.ready) — fn(SubscriptionChange) is called after commit
#    when access changes: "activated", "renewed", "past_due", "suspended", "canceled", "paused", "resumed",
#    "changed". It must be idempotent; errors are logged, never raised into revenue.

__all__ += [
    "PlanSummary",
    "SubscriptionChange",
    "SubscriptionSummary",
    "plan_get",
    "plan_upsert",
    "register_subscription_listener",
    "register_usage_meter",
    "subscription_cancel",
    "subscription_change",
    "subscription_get",
    "subscription_start",
    "subscriptions_for",
]


@dataclass(frozen=True)
class PlanSummary:
    key: str
    id: uuid.UUID
    seller_id: int
    name: str
    interval: str
    unit_amount: int
    currency: str
    trial_days: int
    max_seats: int
    is_active: bool


@dataclass(frozen=True)
class SubscriptionSummary:
    id: uuid.UUID
    plan_key: str
    state: str  # incomplete, trialing, active, past_due, paused, canceled
    buyer_id: int
    organization_id: int | None
    seats: int
    current_period_start: datetime
    current_period_end: datetime
    cancel_at_period_end: bool
    active_until: datetime | None
    has_access: bool
    unit_amount: int  # the seat price of the next period (a kept price included), minor units
    currency: str


def _plan_summary(plan: Plan) -> PlanSummary:
    return PlanSummary(
        key=plan.key,
        id=plan.public_id,
        seller_id=plan.seller_id,
        name=plan.name,
        interval=plan.interval,
        unit_amount=plan.unit_amount,
        currency=plan.currency,
        trial_days=plan.trial_days,
        max_seats=plan.max_seats,
        is_active=plan.is_active,
    )


def _subscription_summary(subscription: Subscription, now: datetime | None = None) -> SubscriptionSummary:
    from django.utils import timezone

    until = _active_until(subscription)
    return SubscriptionSummary(
        id=subscription.public_id,
        plan_key=subscription.plan.key,
        state=subscription.state,
        buyer_id=subscription.buyer_id,
        organization_id=subscription.organization_id,
        seats=subscription.seats,
        current_period_start=subscription.current_period_start,
        current_period_end=subscription.current_period_end,
        cancel_at_period_end=subscription.cancel_at_period_end,
        active_until=until,
        has_access=until is not None and until > (now or timezone.now()),
        unit_amount=_seat_price(subscription, subscription.plan, subscription.current_period_end),
        currency=subscription.plan.currency,
    )


def _user(user_id: int | None) -> Any:
    return get_user_model().objects.filter(pk=user_id).first() if user_id else None


def plan_upsert(
    *, key: str, seller_id: int, actor_id: int | None = None, keep_price_days: int = 0, **values: Any
) -> PlanSummary:
    """Create or update the plan `key` for `seller_id` (fields: name, description, interval, unit_amount,
    currency, trial_days, max_seats, is_active). With `keep_price_days`, a price rise spares current subscribers
    for that many days. Raises ValidationError/PermissionDenied/InvalidState."""
    seller = Seller.objects.get(pk=seller_id)
    plan = _subscriptions.plan_upsert(
        key=key, seller=seller, values=values, actor=_user(actor_id), keep_price_days=keep_price_days
    )
    return _plan_summary(plan)


def plan_get(key: str) -> PlanSummary | None:
    plan = Plan.objects.filter(key=key).first()
    return _plan_summary(plan) if plan else None


def subscription_start(
    *,
    plan_key: str,
    buyer_id: int,
    seats: int,
    payment_method: str,
    organization_id: int | None = None,
    gateway: str | None = None,
    billing_country: str = "",
) -> SubscriptionSummary:
    """Subscribe a user (or an organisation they bill for) to a plan; see services/subscriptions.py."""
    plan = Plan.objects.filter(key=plan_key).first()
    if plan is None:
        raise UnknownItem(f'No plan "{plan_key}".', field="plan")
    buyer = get_user_model().objects.get(pk=buyer_id)
    subscription = _subscriptions.subscription_start(
        buyer=buyer,
        plan=plan,
        seats=seats,
        payment_method=payment_method,
        organization_id=organization_id,
        gateway=gateway,
        billing_country=billing_country,
    )
    return _subscription_summary(subscription)


def _subscription(subscription_id: uuid.UUID | str) -> Subscription | None:
    try:
        public_id = uuid.UUID(str(subscription_id))
    except ValueError:
        return None
    return Subscription.objects.select_related("plan").filter(public_id=public_id).first()


def subscription_get(subscription_id: uuid.UUID | str) -> SubscriptionSummary | None:
    subscription = _subscription(subscription_id)
    return _subscription_summary(subscription) if subscription else None


def subscription_change(
    *, subscription_id: uuid.UUID | str, actor_id: int, plan_key: str | None = None, seats: int | None = None
) -> SubscriptionSummary:
    """Change plan and/or seats (upgrades prorated and charged now, downgrades at the period end); raises
    PermissionDenied unless `actor_id` manages the subscription, PaymentDeclined when the upgrade's charge fails."""
    subscription = _subscription(subscription_id)
    if subscription is None:
        raise UnknownItem("No such subscription.", field="subscription")
    plan = None
    if plan_key is not None:
        plan = Plan.objects.filter(key=plan_key).first()
        if plan is None:
            raise UnknownItem(f'No plan "{plan_key}".', field="plan")
    changed = _subscriptions.subscription_change(
        subscription=subscription, actor=_user(actor_id), plan=plan, seats=seats
    )
    return _subscription_summary(changed)


def subscription_cancel(
    *, subscription_id: uuid.UUID | str, actor_id: int, at_period_end: bool = True, reason: str = ""
) -> SubscriptionSummary:
    """Cancel at the period end (access kept until then) or now (the unused part refunded)."""
    subscription = _subscription(subscription_id)
    if subscription is None:
        raise UnknownItem("No such subscription.", field="subscription")
    canceled = _subscriptions.subscription_cancel(
        subscription=subscription, actor=_user(actor_id), at_period_end=at_period_end, reason=reason
    )
    return _subscription_summary(canceled)


def subscriptions_for(
    *, user_id: int | None = None, organization_id: int | None = None, plan_key: str | None = None
) -> list[SubscriptionSummary]:
    """A user's own subscriptions (organization_id None) or an organisation's, newest first."""
    if user_id is None and organization_id is None:
        return []
    rows = Subscription.objects.select_related("plan").order_by("-created_at")
    rows = (
        rows.filter(organization_id=organization_id)
        if organization_id
        else rows.filter(buyer_id=user_id, organization__isnull=True)
    )
    if plan_key:
        rows = rows.filter(plan__key=plan_key)
    return [_subscription_summary(s) for s in rows]

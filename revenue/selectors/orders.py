"""Order reads: a buyer's purchases and receipts (prefetched), orders awaiting a transfer, products on sale."""

from __future__ import annotations

import contextlib
import uuid

from django.db.models import Count, Prefetch, Q, QuerySet

from revenue.models import (
    Dispute,
    Order,
    OrderLine,
    Payment,
    Product,
    Refund,
)

# --- orders --------------------------------------------------------------------------------------------------


def _order_detail_queryset() -> QuerySet[Order]:
    return Order.objects.select_related("buyer", "organization").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.select_related("seller").order_by("id")),
        Prefetch(
            "payments",
            queryset=Payment.objects.order_by("created_at", "id").prefetch_related(
                Prefetch("refunds", queryset=Refund.objects.order_by("created_at", "id")),
                Prefetch("disputes", queryset=Dispute.objects.order_by("created_at", "id")),
            ),
        ),
    )


def orders_for_buyer(*, buyer_id: int) -> QuerySet[Order]:
    """The user's purchases, newest first, with lines, payments, refunds and disputes prefetched."""
    return _order_detail_queryset().filter(buyer_id=buyer_id).order_by("-created_at", "-id")


def order_detail(*, public_id: uuid.UUID | str) -> Order | None:
    """One order with everything a receipt shows (the caller checks who may see it)."""
    try:
        return _order_detail_queryset().filter(public_id=public_id).first()
    except (ValueError, TypeError):  # pragma: no cover - not a UUID
        return None


def order_refunds(order: Order) -> list[Refund]:
    """Refunds of a prefetched order (no query when it came from `orders_for_buyer` / `order_detail`)."""
    return [refund for payment in order.payments.all() for refund in payment.refunds.all()]


def order_latest_payment(order: Order) -> Payment | None:
    payments = list(order.payments.all())
    return payments[-1] if payments else None


def recent_orders_for_buyer(*, buyer_id: int, limit: int = 5) -> list[Order]:
    return list(
        Order.objects.filter(buyer_id=buyer_id)
        .annotate(line_count=Count("lines"))
        .order_by("-created_at", "-id")[:limit]
    )


def orders_awaiting_transfer() -> QuerySet[Order]:
    """Orders paid by bank transfer that finance has not yet marked received, oldest first."""
    return (
        Order.objects.filter(state=Order.State.AWAITING_TRANSFER)
        .select_related("buyer", "organization")
        .prefetch_related(Prefetch("payments", queryset=Payment.objects.order_by("created_at", "id")))
        .order_by("created_at", "id")
    )


def orders_for_finance(*, state: str | None = None, query: str = "") -> QuerySet[Order]:
    orders = Order.objects.select_related("buyer", "organization").order_by("-created_at", "-id")
    if state:
        orders = orders.filter(state=state)
    if query:
        condition = Q(buyer__email__icontains=query)
        with contextlib.suppress(ValueError):
            condition |= Q(public_id=uuid.UUID(query))
        orders = orders.filter(condition)
    return orders


def active_products() -> QuerySet[Product]:
    return Product.objects.filter(is_active=True).select_related("seller").order_by("name")

"""Helpers shared by the portal views: permission checks, lookups, paging, money for templates."""

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from novacron.core.money import Money
from revenue import selectors
from revenue.models import Order
from revenue.services.products import seller_can_manage

FINANCE_PERMISSION = "accounts.manage_finance"
PAGE_SIZE = 25


def finance_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in users with `accounts.manage_finance`; anonymous visitors go to sign in, others get 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.has_perm(FINANCE_PERMISSION):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def is_finance(user: Any) -> bool:
    return user.is_authenticated and user.has_perm(FINANCE_PERMISSION)


def page_of(request: HttpRequest, items: QuerySet | list, per_page: int = PAGE_SIZE) -> Page:
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def uuid_or_404(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise Http404 from exc


def order_or_404(public_id: Any) -> Order:
    order = selectors.order_detail(public_id=uuid_or_404(public_id))
    if order is None:
        raise Http404
    return order


def can_view_order(user: Any, order: Order) -> bool:
    if order.buyer_id == user.pk or is_finance(user):
        return True
    return bool(
        order.organization_id and order.organization_id in selectors.seller_organization_ids(user_id=user.pk)
    )


def can_refund(user: Any, order: Order) -> bool:
    """Finance, or a seller (or their organisation's manager) who sold every line of the order."""
    if is_finance(user):
        return True
    # Seeing earnings is for billing contacts too; moving money needs the seller or an owner/admin.
    # `order_or_404` prefetched the lines with their sellers: no query here.
    line_sellers = {line.seller for line in order.lines.all()}
    return bool(line_sellers) and all(seller_can_manage(seller=seller, user=user) for seller in line_sellers)


def refundable_amount(order: Order) -> int:
    return order.total - order.refunded_total if order.state == Order.State.PAID else 0


def order_money(order: Order) -> dict[str, Money]:
    c = order.currency
    return {
        "subtotal": Money(order.subtotal, c),
        "tax_total": Money(order.tax_total, c),
        "total": Money(order.total, c),
        "refunded_total": Money(order.refunded_total, c),
        "net_paid": Money(order.total - order.refunded_total, c),
    }


def line_money(line: Any, currency: str) -> dict[str, Any]:
    return {
        "unit": Money(line.unit_amount, currency),
        "net": Money(line.net_amount, currency),
        "tax": Money(line.tax_amount, currency),
        "tax_rate": f"{(line.tax_rate * 100).normalize():f}%",
        "total": Money(line.net_amount + line.tax_amount, currency),
    }


def refund_rows(order: Order) -> list[tuple[Any, Money]]:
    return [(refund, Money(refund.amount, refund.currency)) for refund in selectors.order_refunds(order)]


def transfer_reference(order: Order) -> str:
    """The payment reference the buyer was asked to quote (from prefetched payments)."""
    references = [p.gateway_reference for p in order.payments.all() if p.gateway == "bank_transfer"]
    return references[-1] if references else ""


def querystring_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()

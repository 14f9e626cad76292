"""Helpers shared by the services marketplace's portal views (public, orders, milestones, console)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from novacron.core.exceptions import DomainError
from novacron.core.money import Money
from revenue.models import (
    ServiceListing,
    ServiceRequest,
)
from revenue.selectors import partner_services as selectors
from revenue.services import (
    partner_profiles,
    partner_quotes,
)

BUYER_ROLES = ("owner", "admin", "billing")


def money_or_none(amount: int | None, currency: str) -> Money | None:
    return Money(amount, currency) if amount is not None else None


def listing_price(listing: ServiceListing) -> str:
    if listing.fixed_amount:
        return str(Money(listing.fixed_amount, listing.currency))
    return f"{Money(listing.hourly_rate, listing.currency)} / hour"


def order_for(request: HttpRequest, public_id: Any) -> tuple[ServiceRequest, bool, bool]:
    order = selectors.service_request_detail(public_id)
    if order is None:
        raise Http404
    is_buyer = partner_quotes.buyer_can_act(request=order, user=request.user)
    is_partner = partner_profiles.partner_can_manage(partner=order.partner, user=request.user)
    if not (is_buyer or is_partner):
        raise Http404  # never reveal someone else's order
    return order, is_buyer, is_partner


def act(request: HttpRequest, order_id: Any, action: Callable[[], Any], success: str) -> HttpResponse:
    try:
        action()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("revenue:service_order", public_id=order_id)

"""Portal pages of the services marketplace: the partner directory, listing and partner pages (public) and a
service order page shared by its buyer and its partner (each sees their own actions). Milestones:
partner_milestones.py; the partner console and finance: partner_console.py. Thin: parse a form, call a service,
redirect with a message."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from novacron.accounts import facade as accounts_facade
from novacron.core.exceptions import DomainError
from novacron.core.money import Money
from revenue.forms import add_domain_error
from revenue.forms_partner_services import (
    DeliverForm,
    DirectoryForm,
    DisputeForm,
    QuoteForm,
    RatingForm,
    RequestQuoteForm,
    TimeEntryForm,
)
from revenue.models import (
    Partner,
    ServiceListing,
    ServiceQuote,
    ServiceRequest,
)
from revenue.selectors import partner_services as selectors
from revenue.services import (
    partner_profiles,
    partner_quotes,
)
from revenue.views.common import page_of
from revenue.views.partner_common import BUYER_ROLES, act, listing_price, money_or_none, order_for

# --- public ---------------------------------------------------------------------------------------------------


def directory(request: HttpRequest) -> HttpResponse:
    form = DirectoryForm(request.GET or None)
    values = form.cleaned_data if form.is_valid() else {}
    listings = selectors.listings_search(
        category=values.get("category", ""), country=values.get("country", ""), query=values.get("q", "")
    )
    page = page_of(request, listings)
    rows = [(listing, listing_price(listing)) for listing in page.object_list]
    return render(request, "revenue/partners/directory.html", {"form": form, "page": page, "rows": rows})


def _buyer_orgs(user: Any) -> list[Any]:
    return [o for o in accounts_facade.organizations_for_user(user.pk) if o.role in BUYER_ROLES]


def listing_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    listing = get_object_or_404(ServiceListing.objects.select_related("partner__seller"), public_id=public_id)
    visible = (
        listing.status == ServiceListing.Status.PUBLISHED
        and listing.partner.status == Partner.Status.APPROVED
    )
    if not visible and not partner_profiles.partner_can_manage(partner=listing.partner, user=request.user):
        raise Http404
    form = None
    if request.user.is_authenticated:
        form = RequestQuoteForm(request.POST or None, organizations=_buyer_orgs(request.user))
        if request.method == "POST" and form.is_valid():
            try:
                created = partner_quotes.service_request_create(
                    listing=listing,
                    buyer=request.user,
                    message=form.cleaned_data["message"],
                    organization_id=form.cleaned_data["organization"],
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, "Quote requested. The partner will answer on this order's page.")
                return redirect("revenue:service_order", public_id=created.public_id)
    context = {"listing": listing, "price": listing_price(listing), "form": form}
    return render(request, "revenue/partners/listing.html", context)


def partner_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    partner = selectors.partner_public(public_id)
    if partner is None:
        raise Http404
    listings = partner.listings.filter(status=ServiceListing.Status.PUBLISHED)
    context = {
        "partner": partner,
        "rows": [(listing, listing_price(listing)) for listing in listings],
        "ratings": selectors.partner_ratings(partner),
    }
    return render(request, "revenue/partners/partner.html", context)


# --- a service order (buyer and partner) ------------------------------------------------------------------------


def _decorate(order: ServiceRequest) -> list[ServiceQuote]:
    quotes = list(order.quotes.all())
    for quote in quotes:
        quote.total = Money(quote.total_amount, quote.currency)
        quote.rate = money_or_none(quote.hourly_rate, quote.currency)
        for milestone in quote.milestones.all():
            milestone.money = Money(milestone.amount, quote.currency)
            milestone.refunded = Money(milestone.refunded_amount, quote.currency)
            milestone.paid_order = milestone.order_line.order if milestone.order_line_id else None
    return quotes


@login_required
def orders(request: HttpRequest) -> HttpResponse:
    page = page_of(request, selectors.service_requests_for_buyer(user=request.user))
    return render(request, "revenue/partners/orders.html", {"page": page, "as_partner": False})


@login_required
def order_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    order, is_buyer, is_partner = order_for(request, public_id)
    quotes = _decorate(order)
    quote_form = None
    if is_partner and order.state in (ServiceRequest.State.REQUESTED, ServiceRequest.State.QUOTED):
        quote_form = QuoteForm(pricing=order.listing.pricing, currency=order.listing.currency)
    context = {
        "order": order,
        "quotes": quotes,
        "is_buyer": is_buyer,
        "is_partner": is_partner,
        "quote_form": quote_form,
        "deliver_form": DeliverForm(),
        "hours_form": TimeEntryForm(),
        "dispute_form": DisputeForm(),
        "rating_form": RatingForm() if is_buyer and order.state == "completed" else None,
        "rated": hasattr(order, "rating") if order.state == "completed" else False,
    }
    return render(request, "revenue/partners/order.html", context)


@login_required
@require_POST
def quote_send(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    order, _, is_partner = order_for(request, public_id)
    if not is_partner:
        raise Http404
    form = QuoteForm(request.POST, pricing=order.listing.pricing, currency=order.listing.currency)
    if form.is_valid():
        data = form.cleaned_data
        try:
            partner_quotes.quote_send(
                request=order,
                actor=request.user,
                milestones=data["milestones"],
                notes=data["notes"],
                valid_until=data["valid_until"],
                hourly_rate=data.get("hourly_rate"),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "Quote sent to the buyer.")
            return redirect("revenue:service_order", public_id=order.public_id)
    context = {"order": order, "quotes": _decorate(order), "is_partner": True, "quote_form": form}
    return render(request, "revenue/partners/order.html", context, status=400)


@login_required
@require_POST
def quote_decide(request: HttpRequest, public_id: uuid.UUID, decision: str) -> HttpResponse:
    if decision not in ("accept", "decline"):
        raise Http404
    quote = get_object_or_404(ServiceQuote.objects.select_related("request"), public_id=public_id)
    order_for(request, quote.request.public_id)
    accept = decision == "accept"
    action = partner_quotes.quote_accept if accept else partner_quotes.quote_decline
    message = "Quote accepted. Pay a milestone to get work started." if accept else "Quote declined."
    return act(request, quote.request.public_id, lambda: action(quote=quote, actor=request.user), message)


@login_required
@require_POST
def order_close(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    order, _, _ = order_for(request, public_id)
    reason = request.POST.get("reason", "")
    close = lambda: partner_quotes.service_request_close(request=order, actor=request.user, reason=reason)  # noqa: E731
    return act(request, order.public_id, close, "Request closed.")


@login_required
@require_POST
def order_rate(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    order, _, _ = order_for(request, public_id)
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a rating from 1 to 5.")
        return redirect("revenue:service_order", public_id=order.public_id)
    rate = lambda: partner_profiles.rating_create(request=order, actor=request.user, **form.cleaned_data)  # noqa: E731
    return act(request, order.public_id, rate, "Thank you for rating this partner.")

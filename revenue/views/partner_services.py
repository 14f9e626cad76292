"""Portal pages of the services marketplace: the partner directory, listing and partner pages (public), a service
order page shared by its buyer and its partner (each sees their own actions), the partner console and finance's
dispute resolution. Thin: parse a form, call a service, redirect with a message."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from novacron.accounts import facade as accounts_facade
from novacron.core.exceptions import DomainError
from novacron.core.money import Money
from novacron.core.once import submit_once
from revenue.forms import add_domain_error
from revenue.forms_partner_services import (
    DeliverForm,
    DirectoryForm,
    DisputeForm,
    ListingForm,
    PartnerApplyForm,
    PayMilestoneForm,
    QuoteForm,
    RatingForm,
    RequestQuoteForm,
    ResolveForm,
    TimeEntryForm,
)
from revenue.models import (
    Partner,
    ServiceDispute,
    ServiceListing,
    ServiceQuote,
    ServiceRequest,
    ServiceTimeEntry,
)
from revenue.selectors import partner_services as selectors
from revenue.services import (
    partner_disputes,
    partner_hours,
    partner_milestones,
    partner_profiles,
    partner_quotes,
)
from revenue.views.common import finance_required, page_of

BUYER_ROLES = ("owner", "admin", "billing")


def _money(amount: int | None, currency: str) -> Money | None:
    return Money(amount, currency) if amount is not None else None


def _price(listing: ServiceListing) -> str:
    if listing.fixed_amount:
        return str(Money(listing.fixed_amount, listing.currency))
    return f"{Money(listing.hourly_rate, listing.currency)} / hour"


# --- public ---------------------------------------------------------------------------------------------------


def directory(request: HttpRequest) -> HttpResponse:
    form = DirectoryForm(request.GET or None)
    values = form.cleaned_data if form.is_valid() else {}
    listings = selectors.listings_search(
        category=values.get("category", ""), country=values.get("country", ""), query=values.get("q", "")
    )
    page = page_of(request, listings)
    rows = [(listing, _price(listing)) for listing in page.object_list]
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
    context = {"listing": listing, "price": _price(listing), "form": form}
    return render(request, "revenue/partners/listing.html", context)


def partner_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    partner = selectors.partner_public(public_id)
    if partner is None:
        raise Http404
    listings = partner.listings.filter(status=ServiceListing.Status.PUBLISHED)
    context = {
        "partner": partner,
        "rows": [(listing, _price(listing)) for listing in listings],
        "ratings": selectors.partner_ratings(partner),
    }
    return render(request, "revenue/partners/partner.html", context)


# --- a service order (buyer and partner) ------------------------------------------------------------------------


def _order_for(request: HttpRequest, public_id: Any) -> tuple[ServiceRequest, bool, bool]:
    order = selectors.service_request_detail(public_id)
    if order is None:
        raise Http404
    is_buyer = partner_quotes.buyer_can_act(request=order, user=request.user)
    is_partner = partner_profiles.partner_can_manage(partner=order.partner, user=request.user)
    if not (is_buyer or is_partner):
        raise Http404  # never reveal someone else's order
    return order, is_buyer, is_partner


def _decorate(order: ServiceRequest) -> list[ServiceQuote]:
    quotes = list(order.quotes.all())
    for quote in quotes:
        quote.total = Money(quote.total_amount, quote.currency)
        quote.rate = _money(quote.hourly_rate, quote.currency)
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
    order, is_buyer, is_partner = _order_for(request, public_id)
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


def _act(request: HttpRequest, order_id: Any, action: Callable[[], Any], success: str) -> HttpResponse:
    try:
        action()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("revenue:service_order", public_id=order_id)


@login_required
@require_POST
def quote_send(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    order, _, is_partner = _order_for(request, public_id)
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
    _order_for(request, quote.request.public_id)
    accept = decision == "accept"
    action = partner_quotes.quote_accept if accept else partner_quotes.quote_decline
    message = "Quote accepted. Pay a milestone to get work started." if accept else "Quote declined."
    return _act(request, quote.request.public_id, lambda: action(quote=quote, actor=request.user), message)


@login_required
@require_POST
def order_close(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    order, _, _ = _order_for(request, public_id)
    reason = request.POST.get("reason", "")
    close = lambda: partner_quotes.service_request_close(request=order, actor=request.user, reason=reason)  # noqa: E731
    return _act(request, order.public_id, close, "Request closed.")


@login_required
@require_POST
def order_rate(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    order, _, _ = _order_for(request, public_id)
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a rating from 1 to 5.")
        return redirect("revenue:service_order", public_id=order.public_id)
    rate = lambda: partner_profiles.rating_create(request=order, actor=request.user, **form.cleaned_data)  # noqa: E731
    return _act(request, order.public_id, rate, "Thank you for rating this partner.")


# --- milestones -------------------------------------------------------------------------------------------------


def _milestone_for(request: HttpRequest, public_id: Any) -> tuple[Any, ServiceRequest]:
    try:
        milestone = partner_milestones.milestone_get(public_id)
    except DomainError as exc:
        raise Http404 from exc
    order, _, _ = _order_for(request, milestone.quote.request.public_id)
    return milestone, order


@login_required
def milestone_pay(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    milestone, order = _milestone_for(request, public_id)
    if not partner_quotes.buyer_can_act(request=order, user=request.user):
        raise Http404
    form = PayMilestoneForm(
        request.POST or None, initial={"billing_country": getattr(request.user, "country", "")}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        bank = data["payment"] == PayMilestoneForm.PAYMENT_BANK

        def pay() -> str:
            paid = partner_milestones.milestone_pay(
                milestone=milestone,
                actor=request.user,
                payment_method="" if bank else data["card_number"],
                gateway="bank_transfer" if bank else None,
                billing_country=data["billing_country"] or getattr(request.user, "country", ""),
            )
            return str(paid.public_id)

        try:
            order_id, _ = submit_once(
                user_id=request.user.pk,
                scope="revenue.service_pay",
                token=data["submission_token"],
                action=pay,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("revenue:receipt", public_id=order_id)
    context = {
        "milestone": milestone,
        "order": order,
        "amount": Money(milestone.amount, milestone.quote.currency),
    }
    return render(request, "revenue/partners/pay.html", {**context, "form": form})


def _milestone_action(
    request: HttpRequest, public_id: Any, run: Callable[[Any], Any], success: str
) -> HttpResponse:
    milestone, order = _milestone_for(request, public_id)
    return _act(request, order.public_id, lambda: run(milestone), success)


@login_required
@require_POST
def milestone_deliver(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    note = request.POST.get("note", "")
    return _milestone_action(
        request,
        public_id,
        lambda m: partner_milestones.milestone_deliver(milestone=m, actor=request.user, note=note),
        "Marked delivered. The buyer has been asked to accept it.",
    )


@login_required
@require_POST
def milestone_accept(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _milestone_action(
        request,
        public_id,
        lambda m: partner_milestones.milestone_accept(milestone=m, actor=request.user),
        "Milestone accepted: its payment is released to the partner.",
    )


@login_required
@require_POST
def milestone_dispute(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    form = DisputeForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _milestone_action(
        request,
        public_id,
        lambda m: partner_disputes.milestone_dispute_open(milestone=m, actor=request.user, reason=reason),
        "Dispute opened. The funds stay in escrow until our finance team resolves it.",
    )


@login_required
@require_POST
def milestone_hours(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    form = TimeEntryForm(request.POST)
    if not form.is_valid():
        _, order = _milestone_for(request, public_id)
        errors = "; ".join(f"{name}: {' '.join(errs)}" for name, errs in form.errors.items())
        messages.error(request, f"Hours not logged — {errors}")
        return redirect("revenue:service_order", public_id=order.public_id)
    return _milestone_action(
        request,
        public_id,
        lambda m: partner_hours.time_entry_log(milestone=m, actor=request.user, **form.cleaned_data),
        "Hours logged; the buyer will review them.",
    )


@login_required
@require_POST
def hours_decide(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(ServiceTimeEntry.objects.select_related("milestone"), pk=pk)
    approve = request.POST.get("approve") == "1"
    return _milestone_action(
        request,
        entry.milestone.public_id,
        lambda m: partner_hours.time_entry_decide(entry=entry, actor=request.user, approve=approve),
        "Hours approved." if approve else "Hours rejected.",
    )


# --- partner console --------------------------------------------------------------------------------------------


@login_required
def console(request: HttpRequest) -> HttpResponse:
    partners = selectors.partners_for_user(user=request.user)
    admin_orgs = [
        o for o in accounts_facade.organizations_for_user(request.user.pk) if o.role in ("owner", "admin")
    ]
    apply_form = PartnerApplyForm(request.POST or None, organizations=admin_orgs) if not partners else None
    listing_form = ListingForm(request.POST or None) if partners else None
    if request.method == "POST":
        try:
            if apply_form is not None and apply_form.is_valid():
                partner_profiles.partner_apply(user=request.user, **_apply_values(apply_form.cleaned_data))
                messages.success(request, "Application received. Staff will review it.")
                return redirect("revenue:service_console")
            if listing_form is not None and listing_form.is_valid():
                data = listing_form.cleaned_data
                partner_profiles.listing_create(
                    partner=partners[0],
                    actor=request.user,
                    title=data["title"],
                    category=data["category"],
                    description=data["description"],
                    pricing=data["pricing"],
                    currency=data["currency"],
                    fixed_amount=data["fixed_price"],
                    hourly_rate=data["hourly_rate"],
                    estimated_hours=data["estimated_hours"],
                )
                messages.success(request, "Listing saved as a draft. Publish it when ready.")
                return redirect("revenue:service_console")
        except DomainError as exc:
            add_domain_error(apply_form or listing_form, exc)
    partner = partners[0] if partners else None
    context = {
        "partner": partner,
        "qualified": partner is not None and partner_profiles.partner_is_qualified(partner=partner),
        "apply_form": apply_form,
        "listing_form": listing_form,
        "listings": [(listing, _price(listing)) for listing in partner.listings.all()] if partner else [],
        "page": page_of(request, selectors.service_requests_for_partner(partners=partners)),
    }
    return render(request, "revenue/partners/console.html", context)


def _apply_values(data: dict[str, Any]) -> dict[str, Any]:
    values = dict(data)
    values["organization_id"] = values.pop("organization")
    return values


@login_required
@require_POST
def console_listing(request: HttpRequest, public_id: uuid.UUID, action: str) -> HttpResponse:
    if action not in ("publish", "archive"):
        raise Http404
    listing = get_object_or_404(ServiceListing.objects.select_related("partner__seller"), public_id=public_id)
    run = partner_profiles.listing_publish if action == "publish" else partner_profiles.listing_archive
    try:
        run(listing=listing, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Listing published." if action == "publish" else "Listing archived.")
    return redirect("revenue:service_console")


# --- finance ----------------------------------------------------------------------------------------------------


@finance_required
def finance_disputes(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", ServiceDispute.State.OPEN)
    page = page_of(
        request, selectors.service_disputes(state=state if state in ServiceDispute.State.values else "")
    )
    return render(request, "revenue/partners/disputes.html", {"page": page, "state": state})


@finance_required
def finance_dispute(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    dispute = get_object_or_404(selectors.service_disputes(), public_id=public_id)
    currency = dispute.milestone.quote.currency
    form = ResolveForm(request.POST or None, currency=currency)
    if request.method == "POST" and form.is_valid():
        try:
            partner_disputes.milestone_dispute_resolve(
                dispute=dispute,
                actor=request.user,
                outcome=form.cleaned_data["outcome"],
                notes=form.cleaned_data["notes"],
                refund_amount=form.cleaned_data["refund_amount"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "Dispute resolved.")
            return redirect("revenue:service_finance_disputes")
    context = {
        "dispute": dispute,
        "form": form,
        "amount": Money(dispute.milestone.amount, currency),
        "refundable": Money(partner_disputes.dispute_refundable(dispute), currency),
    }
    return render(request, "revenue/partners/dispute.html", context)

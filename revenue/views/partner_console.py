"""The partner console (apply, listings, incoming orders) and finance's service dispute pages."""

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
    ListingForm,
    PartnerApplyForm,
    ResolveForm,
)
from revenue.models import (
    Partner,
    ServiceDispute,
    ServiceListing,
)
from revenue.selectors import partner_services as selectors
from revenue.services import (
    partner_disputes,
    partner_profiles,
)
from revenue.views.common import finance_required, page_of
from revenue.views.partner_common import listing_price

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
        "listings": [(listing, listing_price(listing)) for listing in partner.listings.all()]
        if partner
        else [],
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
def finance_partners(request: HttpRequest) -> HttpResponse:
    """Partner applications and partners: approve (their listings may then be published) or suspend."""
    status = request.GET.get("status", Partner.Status.APPLIED)
    page = page_of(
        request, selectors.partners_for_review(status=status if status in Partner.Status.values else "")
    )
    return render(request, "revenue/partners/finance_partners.html", {"page": page, "status": status})


@finance_required
@require_POST
def finance_partner_status(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    partner = get_object_or_404(selectors.partners_for_review(), public_id=public_id)
    try:
        partner = partner_profiles.partner_set_status(
            partner=partner, status=request.POST.get("status", ""), actor=request.user
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{partner.display_name}: {partner.get_status_display().lower()}.")
    return redirect("revenue:service_finance_partners")


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

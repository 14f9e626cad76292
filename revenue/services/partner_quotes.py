"""Services marketplace: quote requests and quotes.

A buyer (a user, optionally for an organisation they handle billing for) requests a quote on a published listing;
the partner answers with a quote made of milestones (title, amount, due date; time-and-materials milestones carry
estimated hours and are priced at the quote's hourly rate). A new quote supersedes the one still open; the buyer
accepts one (the request becomes an active service order) or declines it. Paying the milestones is in
services/partner_milestones.py.

Lock order: service request → quote → milestone → the revenue core's rows (payment → order → lines → ...).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from novacron.accounts import facade as accounts
from novacron.core.exceptions import PermissionDenied, ValidationError
from novacron.core.services.audit import audit_record
from revenue.exceptions import InvalidState
from revenue.models import (
    Partner,
    Pricing,
    ServiceListing,
    ServiceMilestone,
    ServiceQuote,
    ServiceRequest,
)
from revenue.services.partner_profiles import partner_can_manage

BUYER_ORG_ROLES = ("owner", "admin", "billing")
MAX_MILESTONES = 20


@dataclass(frozen=True)
class MilestoneSpec:
    title: str
    due_date: date
    amount: int | None = None  # fixed price (minor units)
    estimated_hours: Decimal | None = None  # time and materials


def buyer_can_act(*, request: ServiceRequest, user: Any) -> bool:
    """The buyer, or an owner/admin/billing member of the organisation the order is for."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return buyer_id_can_act(request=request, user_id=user.pk)


def buyer_id_can_act(*, request: ServiceRequest, user_id: int) -> bool:
    if request.buyer_id == user_id:
        return True
    if request.organization_id is None:
        return False
    return accounts.organization_role(user_id, request.organization_id) in BUYER_ORG_ROLES


def require_buyer(request: ServiceRequest, user: Any) -> None:
    if not buyer_can_act(request=request, user=user):
        raise PermissionDenied("Only the buyer can do this.")


def require_partner(request: ServiceRequest, user: Any) -> None:
    if not partner_can_manage(partner=request.partner, user=user):
        raise PermissionDenied("Only the partner can do this.")


def service_request_create(
    *, listing: ServiceListing, buyer: Any, message: str, organization_id: int | None = None
) -> ServiceRequest:
    message = (message or "").strip()
    if not message:
        raise ValidationError("Tell the partner what you need.", field="message")
    if len(message) > 5000:
        raise ValidationError("At most 5,000 characters.", field="message")
    partner = listing.partner
    if listing.status != ServiceListing.Status.PUBLISHED or partner.status != Partner.Status.APPROVED:
        raise InvalidState("This service is not available.", code="listing_unavailable")
    if partner_can_manage(partner=partner, user=buyer):
        raise ValidationError("You cannot request a quote from yourself.", field="listing")
    if (
        organization_id is not None
        and accounts.organization_role(buyer.pk, organization_id) not in BUYER_ORG_ROLES
    ):
        raise PermissionDenied(
            "Only an owner, admin or billing member can buy for this organisation.", field="organization"
        )
    with transaction.atomic():
        request = ServiceRequest.objects.create(
            listing=listing, partner=partner, buyer=buyer, organization_id=organization_id, message=message
        )
        audit_record(actor=buyer, action="revenue.service_request_create", obj=request)
    return request


def _milestones(
    specs: Sequence[MilestoneSpec], *, pricing: str, hourly_rate: int | None, today: date
) -> list[ServiceMilestone]:
    if not specs:
        raise ValidationError("Add at least one milestone.", field="milestones")
    if len(specs) > MAX_MILESTONES:
        raise ValidationError(f"At most {MAX_MILESTONES} milestones.", field="milestones")
    rows = []
    for index, spec in enumerate(specs):
        field = f"milestones[{index}]"
        title = (spec.title or "").strip()
        if not title:
            raise ValidationError("Give the milestone a title.", field=f"{field}.title")
        if spec.due_date < today:
            raise ValidationError("The due date is in the past.", field=f"{field}.due_date")
        hours = None
        if pricing == Pricing.TIME_AND_MATERIALS:
            hours = spec.estimated_hours
            if hours is None or not Decimal("0.25") <= hours <= Decimal("10000"):
                raise ValidationError("Estimate 0.25 to 10,000 hours.", field=f"{field}.estimated_hours")
            amount = int((Decimal(hourly_rate) * hours).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        else:
            amount = spec.amount
            if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
                raise ValidationError("Enter the milestone's price.", field=f"{field}.amount")
        rows.append(
            ServiceMilestone(
                position=index + 1,
                title=title[:200],
                amount=amount,
                estimated_hours=hours,
                due_date=spec.due_date,
            )
        )
    return rows


def quote_send(
    *,
    request: ServiceRequest,
    actor: Any,
    milestones: Sequence[MilestoneSpec],
    notes: str = "",
    valid_until: date | None = None,
    hourly_rate: int | None = None,
    now: datetime | None = None,
) -> ServiceQuote:
    """The partner quotes (or re-quotes) a request. Pricing and currency follow the listing; a T&M quote's hourly
    rate defaults to the listing's."""
    now = now or timezone.now()
    require_partner(request, actor)
    listing = request.listing
    pricing = listing.pricing
    if pricing == Pricing.TIME_AND_MATERIALS:
        hourly_rate = hourly_rate if hourly_rate is not None else listing.hourly_rate
        if isinstance(hourly_rate, bool) or not isinstance(hourly_rate, int) or hourly_rate <= 0:
            raise ValidationError("Enter the hourly rate.", field="hourly_rate")
    else:
        hourly_rate = None
    today = timezone.localdate(now)
    if valid_until is not None and valid_until < today:
        raise ValidationError("The quote would already have expired.", field="valid_until")
    rows = _milestones(milestones, pricing=pricing, hourly_rate=hourly_rate, today=today)
    with transaction.atomic():
        request = ServiceRequest.objects.select_for_update().get(pk=request.pk)
        if request.state not in (ServiceRequest.State.REQUESTED, ServiceRequest.State.QUOTED):
            raise InvalidState(f"This request is {request.get_state_display().lower()}.")
        request.quotes.filter(state=ServiceQuote.State.SENT).update(
            state=ServiceQuote.State.SUPERSEDED, updated_at=now
        )
        quote = ServiceQuote.objects.create(
            request=request,
            pricing=pricing,
            currency=listing.currency,
            hourly_rate=hourly_rate,
            total_amount=sum(row.amount for row in rows),
            notes=(notes or "").strip(),
            valid_until=valid_until,
            created_by=actor,
        )
        for row in rows:
            row.quote = quote
        ServiceMilestone.objects.bulk_create(rows)
        request.state = ServiceRequest.State.QUOTED
        request.save(update_fields=["state", "updated_at"])
        audit_record(
            actor=actor,
            action="revenue.service_quote_send",
            obj=quote,
            after={"total": quote.total_amount, "currency": quote.currency, "milestones": len(rows)},
        )
    return quote


def _open_quote(quote: ServiceQuote, actor: Any, now: datetime) -> tuple[ServiceRequest, ServiceQuote]:
    require_buyer(quote.request, actor)
    request = ServiceRequest.objects.select_for_update().get(pk=quote.request_id)
    quote = ServiceQuote.objects.select_for_update().get(pk=quote.pk)
    if quote.state != ServiceQuote.State.SENT or request.state != ServiceRequest.State.QUOTED:
        raise InvalidState(f"This quote is {quote.get_state_display().lower()}.", code="quote_not_open")
    return request, quote


def quote_accept(*, quote: ServiceQuote, actor: Any, now: datetime | None = None) -> ServiceQuote:
    """The buyer accepts: the request becomes an active service order whose milestones can be paid."""
    now = now or timezone.now()
    with transaction.atomic():
        request, quote = _open_quote(quote, actor, now)
        if quote.valid_until is not None and quote.valid_until < timezone.localdate(now):
            raise InvalidState("This quote has expired; ask the partner for a new one.", code="quote_expired")
        quote.state = ServiceQuote.State.ACCEPTED
        quote.accepted_at = now
        quote.save(update_fields=["state", "accepted_at", "updated_at"])
        request.state = ServiceRequest.State.ACTIVE
        request.save(update_fields=["state", "updated_at"])
        audit_record(
            actor=actor,
            action="revenue.service_quote_accept",
            obj=quote,
            after={"total": quote.total_amount, "currency": quote.currency},
        )
    return quote


def quote_decline(*, quote: ServiceQuote, actor: Any, now: datetime | None = None) -> ServiceQuote:
    """The buyer declines a quote; the partner may send another."""
    now = now or timezone.now()
    with transaction.atomic():
        request, quote = _open_quote(quote, actor, now)
        quote.state = ServiceQuote.State.DECLINED
        quote.save(update_fields=["state", "updated_at"])
        request.state = ServiceRequest.State.REQUESTED
        request.save(update_fields=["state", "updated_at"])
        audit_record(actor=actor, action="revenue.service_quote_decline", obj=quote)
    return quote


def service_request_close(*, request: ServiceRequest, actor: Any, reason: str = "") -> ServiceRequest:
    """Before a quote is accepted: the partner declines the request, or the buyer withdraws it."""
    as_partner = partner_can_manage(partner=request.partner, user=actor)
    if not as_partner:
        require_buyer(request, actor)
    with transaction.atomic():
        request = ServiceRequest.objects.select_for_update().get(pk=request.pk)
        if request.state not in (ServiceRequest.State.REQUESTED, ServiceRequest.State.QUOTED):
            raise InvalidState(f"This request is {request.get_state_display().lower()}.")
        request.quotes.filter(state=ServiceQuote.State.SENT).update(state=ServiceQuote.State.SUPERSEDED)
        request.state = ServiceRequest.State.DECLINED if as_partner else ServiceRequest.State.WITHDRAWN
        request.decline_reason = (reason or "").strip()[:255]
        request.save(update_fields=["state", "decline_reason", "updated_at"])
        audit_record(
            actor=actor, action="revenue.service_request_close", obj=request, after={"state": request.state}
        )
    return request


def accepted_quote(request: ServiceRequest) -> ServiceQuote | None:
    return request.quotes.filter(state=ServiceQuote.State.ACCEPTED).first()

"""Services marketplace: partner profiles (apply, approve, suspend), service listings (create, publish, archive)
and buyers' ratings.

A listing can be published only by an approved partner whose contact person is qualified: `hooks.partner_qualified`
asks the qualifiers higher apps registered (certification: an active certificate). Staff approve partners (admin
or API); a rating is given once per completed service order by its buyer and keeps the partner's average current
(updated under the partner's row lock, so concurrent ratings never lose a count).
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from novacron.accounts import facade as accounts
from novacron.core.exceptions import PermissionDenied, ValidationError
from novacron.core.money import SUPPORTED_CURRENCIES
from novacron.core.services.audit import audit_record
from revenue import hooks
from revenue.exceptions import InvalidState
from revenue.models import (
    Partner,
    PartnerRating,
    Pricing,
    Seller,
    ServiceCategory,
    ServiceListing,
    ServiceRequest,
)
from revenue.services.products import seller_can_manage
from revenue.services.sellers import seller_ensure

MAX_ESTIMATED_HOURS = Decimal("10000")


def partner_can_manage(*, partner: Partner, user: Any) -> bool:
    """The partner's own user, or an owner/admin of its organisation."""
    return seller_can_manage(seller=partner.seller, user=user)


def partner_is_qualified(*, partner: Partner) -> bool:
    return partner.status == Partner.Status.APPROVED and hooks.partner_qualified(partner.contact_id)


def _country(value: str) -> str:
    code = (value or "").strip().upper()
    if len(code) != 2 or not code.isalpha():
        raise ValidationError("Enter a two-letter country code, e.g. DE.", field="country")
    return code


def partner_apply(
    *,
    user: Any,
    display_name: str,
    country: str,
    headline: str = "",
    description: str = "",
    website: str = "",
    organization_id: int | None = None,
) -> Partner:
    """Become a partner (status applied; staff approve). For an organisation the user must be its owner or
    admin; the user is the partner's contact, whose certification qualifies the partner."""
    display_name = (display_name or "").strip()
    if not display_name:
        raise ValidationError("Enter the partner's name.", field="display_name")
    country = _country(country)
    if organization_id is not None and not accounts.user_can_manage_organization(user.pk, organization_id):
        raise PermissionDenied("Only an owner or admin can register this organisation.", field="organization")
    seller = seller_ensure(
        kind=Seller.Kind.PARTNER,
        display_name=display_name,
        user_id=None if organization_id else user.pk,
        organization_id=organization_id,
    )
    try:
        with transaction.atomic():
            partner = Partner.objects.create(
                seller=seller,
                contact=user,
                display_name=display_name[:200],
                country=country,
                headline=(headline or "").strip()[:200],
                description=(description or "").strip(),
                website=(website or "").strip(),
            )
            audit_record(actor=user, action="revenue.partner_apply", obj=partner, after={"country": country})
    except IntegrityError as exc:
        raise InvalidState("This seller already has a partner profile.", code="partner_exists") from exc
    return partner


def partner_set_status(*, partner: Partner, status: str, actor: Any, now: datetime | None = None) -> Partner:
    """Staff approve or suspend a partner (a suspended partner's listings leave the directory)."""
    if status not in Partner.Status.values:
        raise ValidationError("Unknown partner status.", field="status")
    with transaction.atomic():
        partner = Partner.objects.select_for_update().get(pk=partner.pk)
        before = partner.status
        partner.status = status
        if status == Partner.Status.APPROVED:
            partner.approved_at = now or timezone.now()
            partner.approved_by = actor if getattr(actor, "is_authenticated", False) else None
        partner.save(update_fields=["status", "approved_at", "approved_by", "updated_at"])
        audit_record(
            actor=actor,
            action="revenue.partner_status",
            obj=partner,
            before={"status": before},
            after={"status": status},
        )
    return partner


def listing_create(
    *,
    partner: Partner,
    actor: Any,
    title: str,
    category: str,
    description: str,
    pricing: str,
    currency: str,
    fixed_amount: int | None = None,
    hourly_rate: int | None = None,
    estimated_hours: Decimal | None = None,
) -> ServiceListing:
    """A draft listing (publish it with `listing_publish`)."""
    if not partner_can_manage(partner=partner, user=actor):
        raise PermissionDenied("You cannot manage this partner's listings.")
    title, description = (title or "").strip(), (description or "").strip()
    if not title:
        raise ValidationError("Enter a title.", field="title")
    if not description:
        raise ValidationError("Describe the service.", field="description")
    if category not in ServiceCategory.values:
        raise ValidationError("Choose a category.", field="category")
    currency = (currency or "").strip().upper()
    if currency not in SUPPORTED_CURRENCIES:
        raise ValidationError(f'"{currency}" is not a supported currency.', field="currency")
    if pricing == Pricing.FIXED:
        if not isinstance(fixed_amount, int) or fixed_amount <= 0:
            raise ValidationError("A fixed-price service needs a price.", field="fixed_amount")
        hourly_rate, estimated_hours = None, None
    elif pricing == Pricing.TIME_AND_MATERIALS:
        if not isinstance(hourly_rate, int) or hourly_rate <= 0:
            raise ValidationError("A time-and-materials service needs an hourly rate.", field="hourly_rate")
        if estimated_hours is not None and not Decimal(0) < estimated_hours <= MAX_ESTIMATED_HOURS:
            raise ValidationError("Estimate between 0 and 10,000 hours.", field="estimated_hours")
        fixed_amount = None
    else:
        raise ValidationError("Choose fixed price or time and materials.", field="pricing")
    with transaction.atomic():
        listing = ServiceListing.objects.create(
            partner=partner,
            title=title[:200],
            category=category,
            description=description,
            pricing=pricing,
            currency=currency,
            fixed_amount=fixed_amount,
            hourly_rate=hourly_rate,
            estimated_hours=estimated_hours,
        )
        audit_record(
            actor=actor, action="revenue.service_listing_create", obj=listing, after={"title": title}
        )
    return listing


def listing_publish(*, listing: ServiceListing, actor: Any, now: datetime | None = None) -> ServiceListing:
    """Put a listing in the directory: only an approved partner with a qualified (certified) contact."""
    partner = listing.partner
    if not partner_can_manage(partner=partner, user=actor):
        raise PermissionDenied("You cannot manage this partner's listings.")
    if partner.status != Partner.Status.APPROVED:
        raise InvalidState("Your partner profile is not approved yet.", code="partner_not_approved")
    if not hooks.partner_qualified(partner.contact_id):
        raise InvalidState(
            "Publishing needs a certified partner: the contact person holds no active certificate.",
            code="partner_not_qualified",
        )
    with transaction.atomic():
        listing = ServiceListing.objects.select_for_update().get(pk=listing.pk)
        if listing.status != ServiceListing.Status.PUBLISHED:
            listing.status = ServiceListing.Status.PUBLISHED
            listing.published_at = now or timezone.now()
            listing.save(update_fields=["status", "published_at", "updated_at"])
            audit_record(actor=actor, action="revenue.service_listing_publish", obj=listing)
    return listing


def listing_archive(*, listing: ServiceListing, actor: Any) -> ServiceListing:
    if not partner_can_manage(partner=listing.partner, user=actor):
        raise PermissionDenied("You cannot manage this partner's listings.")
    with transaction.atomic():
        ServiceListing.objects.filter(pk=listing.pk).update(
            status=ServiceListing.Status.ARCHIVED, updated_at=timezone.now()
        )
        audit_record(actor=actor, action="revenue.service_listing_archive", obj=listing)
    listing.refresh_from_db()
    return listing


def rating_create(*, request: ServiceRequest, actor: Any, score: int, comment: str = "") -> PartnerRating:
    """The buyer rates a completed service order once (1–5); the partner's average is updated with it."""
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationError("Rate from 1 to 5.", field="score")
    if actor is None or request.buyer_id != actor.pk:
        raise PermissionDenied("Only the buyer can rate this order.")
    if request.state != ServiceRequest.State.COMPLETED:
        raise InvalidState("You can rate an order once it is completed.", code="not_completed")
    try:
        with transaction.atomic():
            partner = Partner.objects.select_for_update().get(pk=request.partner_id)
            rating = PartnerRating.objects.create(
                request=request, partner=partner, rated_by=actor, score=score, comment=(comment or "").strip()
            )
            partner.rating_count += 1
            partner.rating_total += score
            partner.rating_average = (Decimal(partner.rating_total) / partner.rating_count).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            )
            partner.save(update_fields=["rating_count", "rating_total", "rating_average", "updated_at"])
    except IntegrityError as exc:
        raise InvalidState("You already rated this order.", code="already_rated") from exc
    return rating

"""Factories and helpers for the services marketplace tests."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from revenue.models import Partner, Pricing, Seller, ServiceCategory, ServiceListing
from revenue.services.partner_quotes import MilestoneSpec, quote_accept, quote_send, service_request_create
from tests.factories import UserFactory
from tests.revenue.factories import SellerFactory

VISA = "4242424242424242"


class PartnerFactory(factory.django.DjangoModelFactory):
    """An approved partner whose seller belongs to its contact user."""

    class Meta:
        model = Partner

    contact = factory.SubFactory(UserFactory)
    seller = factory.LazyAttribute(
        lambda o: SellerFactory(kind=Seller.Kind.PARTNER, user=o.contact, display_name="Partner")
    )
    display_name = factory.Sequence(lambda n: f"Cloudsmiths {n}")
    country = "DE"
    status = Partner.Status.APPROVED


class ListingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceListing

    partner = factory.SubFactory(PartnerFactory)
    title = factory.Sequence(lambda n: f"Migration service {n}")
    category = ServiceCategory.MIGRATION
    description = "We migrate your schedules."
    pricing = Pricing.FIXED
    currency = "USD"
    fixed_amount = 100_000
    status = ServiceListing.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class TMListingFactory(ListingFactory):
    pricing = Pricing.TIME_AND_MATERIALS
    fixed_amount = None
    hourly_rate = 10_000
    estimated_hours = Decimal("20")


def due(days: int = 30) -> date:
    return timezone.localdate() + timedelta(days=days)


def accepted_quote(*, listing=None, buyer=None, amounts=(30_000, 70_000), hours=None, organization_id=None):
    """A request on `listing` (a new fixed-price one by default) with an accepted quote of milestones
    (`amounts`, or `hours` for a T&M listing). Returns (request, quote, milestones)."""
    listing = listing or ListingFactory()
    buyer = buyer or UserFactory()
    request = service_request_create(
        listing=listing, buyer=buyer, message="Please migrate us.", organization_id=organization_id
    )
    if hours is not None:
        specs = [
            MilestoneSpec(title=f"Phase {i + 1}", due_date=due(), estimated_hours=h)
            for i, h in enumerate(hours)
        ]
    else:
        specs = [
            MilestoneSpec(title=f"Phase {i + 1}", due_date=due(), amount=a) for i, a in enumerate(amounts)
        ]
    quote = quote_send(request=request, actor=listing.partner.contact, milestones=specs)
    quote_accept(quote=quote, actor=buyer)
    request.refresh_from_db()
    return request, quote, list(quote.milestones.order_by("position"))

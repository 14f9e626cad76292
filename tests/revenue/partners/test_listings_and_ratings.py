"""Partners and listings: only approved partners with a certified contact publish; the directory searches by
category and country; buyers of a completed order rate it once and the partner's average stays current."""

import pytest

from novacron.core.exceptions import ValidationError
from revenue import hooks
from revenue.exceptions import InvalidState
from revenue.models import Partner, ServiceListing
from revenue.selectors.partner_services import listings_search
from revenue.services.partner_milestones import milestone_accept, milestone_deliver
from revenue.services.partner_profiles import listing_create, listing_publish, partner_apply, rating_create
from tests.factories import UserFactory
from tests.revenue.partners.factories import ListingFactory, PartnerFactory, accepted_quote

pytestmark = pytest.mark.django_db


def _draft(partner):
    return listing_create(
        partner=partner,
        actor=partner.contact,
        title="Security review",
        category="security",
        description="A review.",
        pricing="fixed",
        currency="EUR",
        fixed_amount=50_000,
    )


def test_certification_registers_its_qualifier():
    from certification.facade import is_certified

    assert is_certified in hooks._partner_qualifiers


def test_publishing_needs_approval_and_a_certified_contact(qualified):
    # given a partner who applied (not approved yet) with a draft listing
    user = UserFactory()
    partner = partner_apply(user=user, display_name="Secure Ltd", country="gb")
    listing = _draft(partner)
    assert partner.country == "GB"

    # then publishing is refused until staff approve and the contact is certified
    with pytest.raises(InvalidState) as exc:
        listing_publish(listing=listing, actor=user)
    assert exc.value.code == "partner_not_approved"
    Partner.objects.filter(pk=partner.pk).update(status=Partner.Status.APPROVED)
    listing.partner.refresh_from_db()
    with pytest.raises(InvalidState) as exc:
        listing_publish(listing=listing, actor=user)
    assert exc.value.code == "partner_not_qualified"

    qualified.add(user.pk)
    assert listing_publish(listing=listing, actor=user).status == ServiceListing.Status.PUBLISHED


def test_listing_input_is_checked():
    partner = PartnerFactory()
    with pytest.raises(ValidationError) as exc:
        listing_create(
            partner=partner,
            actor=partner.contact,
            title="T&M",
            category="support",
            description="x",
            pricing="time_and_materials",
            currency="USD",
        )
    assert exc.value.field == "hourly_rate"
    with pytest.raises(ValidationError) as exc:
        listing_create(
            partner=partner,
            actor=partner.contact,
            title="x",
            category="gardening",
            description="x",
            pricing="fixed",
            currency="USD",
            fixed_amount=1,
        )
    assert exc.value.field == "category"


def test_directory_filters_by_category_and_country():
    german = ListingFactory(
        title="Kubernetes migration", category="migration", partner=PartnerFactory(country="DE")
    )
    french = ListingFactory(
        title="Operator training", category="training", partner=PartnerFactory(country="FR")
    )
    ListingFactory(category="training", status=ServiceListing.Status.DRAFT)
    ListingFactory(category="training", partner=PartnerFactory(status=Partner.Status.SUSPENDED))

    assert list(listings_search(category="training")) == [french]
    assert list(listings_search(country="de")) == [german]
    assert set(listings_search()) == {german, french}
    assert list(listings_search(query="kubernetes")) == [german]


def test_rating_once_per_completed_order_keeps_the_average(pay):
    partner = PartnerFactory()
    scores = []
    for score in (5, 4):
        request, _, milestones = accepted_quote(listing=ListingFactory(partner=partner), amounts=[10_000])
        with pytest.raises(InvalidState):
            rating_create(request=request, actor=request.buyer, score=score)  # not completed yet
        pay(milestones[0], request.buyer)
        milestone_deliver(milestone=milestones[0], actor=partner.contact)
        milestone_accept(milestone=milestones[0], actor=request.buyer)
        request.refresh_from_db()
        rating_create(request=request, actor=request.buyer, score=score, comment="Good")
        scores.append((request, score))

    partner.refresh_from_db()
    assert (partner.rating_count, str(partner.rating_average)) == (2, "4.50")
    request = scores[0][0]
    with pytest.raises(InvalidState) as exc:
        rating_create(request=request, actor=request.buyer, score=1)
    assert exc.value.code == "already_rated"
    with pytest.raises(ValidationError):
        rating_create(request=scores[1][0], actor=scores[1][0].buyer, score=6)
    partner.refresh_from_db()
    assert partner.rating_count == 2

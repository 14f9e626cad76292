"""Who may act: a stranger can neither see nor touch another's service order; the partner's and the buyer's
actions are their own."""

import pytest

from novacron.core.exceptions import PermissionDenied
from revenue.exceptions import UnknownItem
from revenue.services.partner_disputes import milestone_dispute_open
from revenue.services.partner_milestones import milestone_accept, milestone_deliver, milestone_pay
from revenue.services.partner_quotes import MilestoneSpec, quote_accept, quote_send, service_request_close
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.revenue.partners.factories import VISA, ListingFactory, accepted_quote, due

pytestmark = pytest.mark.django_db


def test_a_stranger_cannot_touch_another_buyers_order(pay):
    request, _quote, (milestone, _) = accepted_quote()
    stranger = UserFactory()

    with pytest.raises(PermissionDenied):
        milestone_pay(milestone=milestone, actor=stranger, payment_method=VISA)
    pay(milestone, request.buyer)
    with pytest.raises(PermissionDenied):
        milestone_deliver(milestone=milestone, actor=stranger)
    milestone_deliver(milestone=milestone, actor=request.partner.contact)
    with pytest.raises(PermissionDenied):
        milestone_accept(milestone=milestone, actor=stranger)
    with pytest.raises(PermissionDenied):
        milestone_accept(milestone=milestone, actor=request.partner.contact)
    with pytest.raises(PermissionDenied):
        milestone_dispute_open(milestone=milestone, actor=stranger, reason="x")


def test_checkout_refuses_a_milestone_of_someone_elses_order():
    from revenue.services.checkout import checkout_create

    _, _, (milestone, _) = accepted_quote()
    with pytest.raises(UnknownItem):
        checkout_create(
            buyer=UserFactory(),
            items=[("revenue.service_milestone", str(milestone.public_id), 1)],
            currency="USD",
            payment_method=VISA,
        )


def test_a_stranger_cannot_quote_accept_or_close():
    listing = ListingFactory()
    buyer, stranger = UserFactory(), UserFactory()
    from revenue.services.partner_quotes import service_request_create

    request = service_request_create(listing=listing, buyer=buyer, message="Help")
    spec = [MilestoneSpec(title="All", due_date=due(), amount=1_000)]
    with pytest.raises(PermissionDenied):
        quote_send(request=request, actor=stranger, milestones=spec)
    quote = quote_send(request=request, actor=listing.partner.contact, milestones=spec)
    with pytest.raises(PermissionDenied):
        quote_accept(quote=quote, actor=stranger)
    with pytest.raises(PermissionDenied):
        quote_accept(quote=quote, actor=listing.partner.contact)
    with pytest.raises(PermissionDenied):
        service_request_close(request=request, actor=stranger)


def test_a_billing_member_of_the_buying_organisation_may_act(pay):
    organization = OrganizationFactory()
    buyer, billing = UserFactory(), UserFactory()
    MembershipFactory(organization=organization, user=buyer, role="owner")
    MembershipFactory(organization=organization, user=billing, role="billing")
    request, _, (milestone, _) = accepted_quote(buyer=buyer, organization_id=organization.pk)

    order = pay(milestone, billing)

    assert order.organization_id == organization.pk
    milestone_deliver(milestone=milestone, actor=request.partner.contact)
    assert milestone_accept(milestone=milestone, actor=billing).state == "released"

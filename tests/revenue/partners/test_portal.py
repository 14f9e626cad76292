"""Portal pages: the directory and listing pages are public; the order page is for its buyer and its partner only;
the journey request → quote → accept → pay → deliver → accept works through the forms; finance resolves disputes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from revenue.models import Partner, ServiceDispute, ServiceListing, ServiceMilestone, ServiceRequest
from revenue.services.partner_disputes import milestone_dispute_open
from revenue.services.partner_milestones import milestone_deliver
from tests.factories import UserFactory
from tests.revenue.partners.factories import ListingFactory, accepted_quote

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def test_directory_and_listing_pages_are_public(client):
    listing = ListingFactory(title="Kubernetes migration", category="migration")
    page = client.get("/revenue/services/", {"category": "migration"})
    assert page.status_code == 200
    assert "Kubernetes migration" in page.content.decode()
    assert client.get(f"/revenue/services/listings/{listing.public_id}/").status_code == 200
    assert client.get(f"/revenue/services/partners/{listing.partner.public_id}/").status_code == 200
    draft = ListingFactory(status=ServiceListing.Status.DRAFT)
    assert client.get(f"/revenue/services/listings/{draft.public_id}/").status_code == 404


def test_buyer_and_partner_journey_through_the_portal(client, django_capture_on_commit_callbacks):
    listing = ListingFactory(currency="EUR")
    buyer, partner = UserFactory(), listing.partner.contact

    # the buyer requests a quote
    _login(client, buyer)
    response = client.post(f"/revenue/services/listings/{listing.public_id}/", {"message": "Migrate 40 jobs"})
    order = ServiceRequest.objects.get(buyer=buyer)
    assert response.status_code == 302

    # the partner quotes two milestones (one blank row is ignored)
    _login(client, partner)
    due = (timezone.localdate() + timedelta(days=10)).isoformat()
    response = client.post(
        f"/revenue/services/orders/{order.public_id}/quote/",
        {
            "title_1": "Plan",
            "price_1": "200.00",
            "due_1": due,
            "title_2": "Move",
            "price_2": "800",
            "due_2": due,
        },
    )
    assert response.status_code == 302
    quote = order.quotes.get()
    assert [m.amount for m in quote.milestones.all()] == [20_000, 80_000]

    # the buyer accepts and pays the first milestone
    _login(client, buyer)
    client.post(f"/revenue/services/quotes/{quote.public_id}/accept/")
    first = quote.milestones.get(position=1)
    page = client.get(f"/revenue/services/milestones/{first.public_id}/pay/")
    token = page.context["form"]["submission_token"].value()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/revenue/services/milestones/{first.public_id}/pay/",
            {
                "payment": "card",
                "card_number": "4242 4242 4242 4242",
                "billing_country": "US",
                "submission_token": token,
            },
        )
    assert response.status_code == 302
    assert "/revenue/purchases/" in response["Location"]
    first.refresh_from_db()
    assert first.state == ServiceMilestone.State.FUNDED

    # the partner delivers, the buyer accepts
    _login(client, partner)
    client.post(f"/revenue/services/milestones/{first.public_id}/deliver/", {"note": "Plan sent"})
    _login(client, buyer)
    client.post(f"/revenue/services/milestones/{first.public_id}/accept/")
    first.refresh_from_db()
    assert first.state == ServiceMilestone.State.RELEASED
    page = client.get(f"/revenue/services/orders/{order.public_id}/")
    assert page.status_code == 200
    assert "Released to the partner" in page.content.decode()


def test_a_stranger_gets_404_on_someone_elses_order(client, pay):
    request, _, (milestone, _) = accepted_quote()
    _login(client, UserFactory())
    assert client.get(f"/revenue/services/orders/{request.public_id}/").status_code == 404
    assert client.get(f"/revenue/services/milestones/{milestone.public_id}/pay/").status_code == 404
    assert client.post(f"/revenue/services/milestones/{milestone.public_id}/accept/").status_code == 404


def test_bad_quote_input_shows_form_errors(client):
    listing = ListingFactory()
    _login(client, UserFactory())
    client.post(f"/revenue/services/listings/{listing.public_id}/", {"message": "Help"})
    order = ServiceRequest.objects.get()
    _login(client, listing.partner.contact)
    response = client.post(
        f"/revenue/services/orders/{order.public_id}/quote/", {"title_1": "Plan", "price_1": "100"}
    )
    assert response.status_code == 400
    assert "Enter a due date." in response.content.decode()
    assert not order.quotes.exists()


def test_finance_resolves_a_dispute_in_the_portal(
    client, pay, finance_user, django_capture_on_commit_callbacks
):
    request, _, (milestone, _) = accepted_quote()
    pay(milestone, request.buyer)
    milestone_deliver(milestone=milestone, actor=request.partner.contact)
    dispute = milestone_dispute_open(milestone=milestone, actor=request.buyer, reason="Late")

    _login(client, request.buyer)
    assert client.get("/revenue/finance/services/disputes/").status_code == 403
    _login(client, finance_user)
    assert "Late" in client.get("/revenue/finance/services/disputes/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/revenue/finance/services/disputes/{dispute.public_id}/",
            {"outcome": "split", "refund": "100.00", "notes": "Half of the work was late"},
        )
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert (dispute.state, dispute.refund_amount) == (ServiceDispute.State.RESOLVED, 10_000)


def test_partner_console_apply_create_and_publish(client, qualified):
    user = UserFactory()
    _login(client, user)
    client.post("/revenue/services/console/", {"display_name": "Secure Ltd", "country": "FR"})
    partner = Partner.objects.get(contact=user)
    Partner.objects.filter(pk=partner.pk).update(status=Partner.Status.APPROVED)
    client.post(
        "/revenue/services/console/",
        {
            "title": "Audit",
            "category": "security",
            "description": "ISO audit",
            "pricing": "fixed",
            "currency": "EUR",
            "fixed_price": "900",
        },
    )
    listing = ServiceListing.objects.get(partner=partner)
    assert listing.fixed_amount == 90_000

    client.post(f"/revenue/services/console/listings/{listing.public_id}/publish/")
    listing.refresh_from_db()
    assert listing.status == ServiceListing.Status.DRAFT  # contact not certified yet
    qualified.add(user.pk)
    client.post(f"/revenue/services/console/listings/{listing.public_id}/publish/")
    listing.refresh_from_db()
    assert listing.status == ServiceListing.Status.PUBLISHED
    assert client.get("/revenue/services/console/").status_code == 200


def test_time_and_materials_hours_through_the_portal(client, pay):
    from decimal import Decimal

    from revenue.models import ServiceTimeEntry
    from tests.revenue.partners.factories import TMListingFactory

    request, _, (milestone,) = accepted_quote(listing=TMListingFactory(), hours=[Decimal("10")])
    pay(milestone, request.buyer)

    # the partner logs hours (a bad entry is refused with a message)
    _login(client, request.partner.contact)
    url = f"/revenue/services/milestones/{milestone.public_id}/hours/"
    client.post(url, {"work_date": "2026-01-05", "hours": "30", "description": "Too long"})
    client.post(url, {"work_date": "2026-01-05", "hours": "3.5", "description": "Inventory"})
    entry = ServiceTimeEntry.objects.get()
    assert entry.hours == Decimal("3.5")
    page = client.get(f"/revenue/services/orders/{request.public_id}/")
    assert "Inventory" in page.content.decode()

    # the buyer approves them
    _login(client, request.buyer)
    assert "Approve" in client.get(f"/revenue/services/orders/{request.public_id}/").content.decode()
    client.post(f"/revenue/services/hours/{entry.pk}/decide/", {"approve": "1"})
    entry.refresh_from_db()
    assert entry.state == ServiceTimeEntry.State.APPROVED
    assert client.post(f"/revenue/services/quotes/{milestone.quote.public_id}/sideways/").status_code == 404


def test_finance_approves_and_suspends_partners_in_the_portal(client, finance_user):
    from django.urls import reverse

    from tests.revenue.partners.factories import PartnerFactory

    applicant = PartnerFactory(status=Partner.Status.APPLIED, display_name="Waiting GmbH")
    client.force_login(UserFactory())
    assert client.get(reverse("revenue:service_finance_partners")).status_code == 403
    client.force_login(finance_user)
    page = client.get(reverse("revenue:service_finance_partners")).content.decode()
    assert "Waiting GmbH" in page
    url = reverse("revenue:service_finance_partner_status", kwargs={"public_id": applicant.public_id})
    response = client.post(url, {"status": "approved"}, follow=True)
    assert "Waiting GmbH: approved." in response.content.decode()
    applicant.refresh_from_db()
    assert (applicant.status, applicant.approved_by) == (Partner.Status.APPROVED, finance_user)
    client.post(url, {"status": "nonsense"})
    applicant.refresh_from_db()
    assert applicant.status == Partner.Status.APPROVED  # refused with a message, nothing changed
    client.post(url, {"status": "suspended"})
    applicant.refresh_from_db()
    assert applicant.status == Partner.Status.SUSPENDED

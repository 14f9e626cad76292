"""/api/v1/revenue/services/: the whole buyer and partner journey over the API, Idempotency-Key on money-moving
POSTs, strangers answered 404, bad input answered 400 with the field."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from revenue.models import AccountKind, JournalEntry, Order, ServiceMilestone
from tests.factories import UserFactory
from tests.revenue.factories import assert_ledger_clean, balance_of
from tests.revenue.partners.factories import VISA, ListingFactory, PartnerFactory

pytestmark = pytest.mark.django_db(transaction=True)
API = "/api/v1/revenue/services"


def _client(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_quote_accept_pay_deliver_accept_over_the_api():
    listing = ListingFactory(title="Kubernetes migration")
    partner, buyer = _client(listing.partner.contact), UserFactory()
    client = _client(buyer)

    # the directory is public
    found = _client().get(f"{API}/listings/", {"category": "migration", "country": "de"})
    assert found.status_code == 200
    assert [row["id"] for row in found.json()["results"]] == [str(listing.public_id)]

    # request a quote; the partner quotes two milestones
    created = client.post(
        f"{API}/listings/{listing.public_id}/requests/", {"message": "Move 40 jobs"}, format="json"
    )
    assert created.status_code == 201, created.json()
    request_id = created.json()["id"]
    due = str(timezone.localdate() + timedelta(days=20))
    quoted = partner.post(
        f"{API}/requests/{request_id}/quotes/",
        {
            "milestones": [
                {"title": "Plan", "due_date": due, "amount": 20_000},
                {"title": "Move", "due_date": due, "amount": 80_000},
            ]
        },
        format="json",
    )
    assert quoted.status_code == 201, quoted.json()
    quote = quoted.json()
    assert quote["total_amount"] == 100_000

    # accept, then pay the first milestone twice with one Idempotency-Key: one order
    assert client.post(f"{API}/quotes/{quote['id']}/accept/").status_code == 200
    milestone_id = quote["milestones"][0]["id"]
    headers = {"HTTP_IDEMPOTENCY_KEY": "pay-1"}
    paid = client.post(
        f"{API}/milestones/{milestone_id}/pay/", {"payment_method": VISA}, format="json", **headers
    )
    again = client.post(
        f"{API}/milestones/{milestone_id}/pay/", {"payment_method": VISA}, format="json", **headers
    )
    assert paid.status_code == 201, paid.json()
    assert paid.json()["state"] == "paid"
    assert again.json()["id"] == paid.json()["id"]
    assert Order.objects.filter(buyer=buyer).count() == 1
    assert ServiceMilestone.objects.get(public_id=milestone_id).state == "funded"

    # the partner delivers; the buyer accepts (idempotent)
    assert (
        partner.post(
            f"{API}/milestones/{milestone_id}/deliver/", {"note": "Plan attached"}, format="json"
        ).status_code
        == 200
    )
    accepted = client.post(f"{API}/milestones/{milestone_id}/accept/", HTTP_IDEMPOTENCY_KEY="accept-1")
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["state"] == "released"
    assert JournalEntry.objects.filter(kind=JournalEntry.Kind.RELEASE).count() == 1
    assert balance_of(AccountKind.SELLER_AVAILABLE, seller=listing.partner.seller) == 14_000

    detail = client.get(f"{API}/requests/{request_id}/").json()
    assert [m["state"] for m in detail["quotes"][0]["milestones"]] == ["released", "awaiting_payment"]
    assert_ledger_clean()


def test_strangers_get_404_and_bad_input_400():
    listing = ListingFactory()
    buyer, stranger = UserFactory(), _client(UserFactory())
    request_id = (
        _client(buyer)
        .post(f"{API}/listings/{listing.public_id}/requests/", {"message": "Hi"}, format="json")
        .json()["id"]
    )

    assert stranger.get(f"{API}/requests/{request_id}/").status_code == 404
    assert (
        stranger.post(f"{API}/requests/{request_id}/quotes/", {"milestones": []}, format="json").status_code
        == 404
    )
    bad = _client(listing.partner.contact).post(
        f"{API}/requests/{request_id}/quotes/",
        {"milestones": [{"title": "x", "due_date": "2001-01-01", "amount": 5}]},
        format="json",
    )
    assert bad.status_code == 400
    assert "milestones[0].due_date" in bad.json()["error"]["fields"]
    assert stranger.get(f"{API}/disputes/").status_code == 403


def test_partner_apply_and_publish_needs_approval():
    user = UserFactory()
    client = _client(user)
    applied = client.post(f"{API}/partners/", {"display_name": "Secure Ltd", "country": "GB"}, format="json")
    assert applied.status_code == 201, applied.json()
    listing = client.post(
        f"{API}/listings/",
        {
            "title": "Audit",
            "category": "security",
            "description": "ISO audit",
            "pricing": "fixed",
            "currency": "GBP",
            "fixed_amount": 90_000,
        },
        format="json",
    )
    assert listing.status_code == 201, listing.json()
    published = client.post(f"{API}/listings/{listing.json()['id']}/publish/")
    assert published.status_code == 409
    assert published.json()["error"]["code"] == "partner_not_approved"
    # a draft is invisible to others
    assert _client().get(f"{API}/listings/{listing.json()['id']}/").status_code == 404


def test_partner_page_is_public():
    partner = PartnerFactory()
    ListingFactory(partner=partner)
    body = _client().get(f"{API}/partners/{partner.public_id}/").json()
    assert body["partner"]["display_name"] == partner.display_name
    assert len(body["listings"]) == 1


def test_finance_reviews_partners_over_the_api(finance_user, qualified):
    applicant = UserFactory()
    partner_id = (
        _client(applicant)
        .post(f"{API}/partners/", {"display_name": "Review Ltd", "country": "FR"}, format="json")
        .json()["id"]
    )
    # not for the applicant, nor anyone without finance rights
    assert _client(applicant).get(f"{API}/partners/review/").status_code == 403
    refused = _client(applicant).post(
        f"{API}/partners/{partner_id}/status/", {"status": "approved"}, format="json"
    )
    assert refused.status_code == 403
    finance = _client(finance_user)
    queue = finance.get(f"{API}/partners/review/", {"status": "applied"}).json()["results"]
    assert [p["id"] for p in queue] == [partner_id]
    bad = finance.post(f"{API}/partners/{partner_id}/status/", {"status": "famous"}, format="json")
    assert bad.status_code == 400
    assert "status" in bad.json()["error"]["fields"]
    approved = finance.post(f"{API}/partners/{partner_id}/status/", {"status": "approved"}, format="json")
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    assert finance.get(f"{API}/partners/review/", {"status": "applied"}).json()["results"] == []

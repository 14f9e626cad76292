"""Revenue read API: each user sees only their own money; finance sees the ledger."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from novacron.accounts.services.tokens import api_token_create
from revenue.models import JournalEntry, Seller
from revenue.services.escrow import escrow_release_due
from revenue.services.refunds import refund_create
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.revenue.factories import LineSpec, SellerFactory, create_paid_order, drain_available

pytestmark = pytest.mark.django_db

API = "/api/v1/revenue"


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def seller():
    return SellerFactory(display_name="Ada Apps")


@pytest.fixture
def sale(seller):
    order, _ = create_paid_order(lines=[LineSpec(seller, 10_000)])
    return order


def test_balances_are_mine_only(seller, sale):
    other = SellerFactory()
    create_paid_order(lines=[LineSpec(other, 50_000)])

    mine = _client(seller.user).get(f"{API}/balances/")
    theirs = _client(seller.user).get(f"{API}/balances/", {"seller": str(other.public_id)})
    nobody = _client(UserFactory()).get(f"{API}/balances/")

    assert mine.status_code == 200
    assert mine.json() == {
        "sellers": [
            {
                "seller": {
                    "public_id": str(seller.public_id),
                    "display_name": "Ada Apps",
                    "kind": "developer",
                    "tier": "standard",
                },
                "balances": [
                    {
                        "currency": "USD",
                        "pending": 7_000,
                        "available": 0,
                        "reserve": 0,
                        "receivable": 0,
                        "in_transit": 0,
                        "paid_to_date": 0,
                        "net": 7_000,
                    }
                ],
            }
        ]
    }
    assert theirs.status_code == 404
    assert theirs.json()["error"]["code"] == "not_a_seller"
    assert nobody.json() == {"sellers": []}


def test_an_organisations_billing_member_sees_its_balances():
    user = UserFactory()
    org = OrganizationFactory()
    MembershipFactory(user=user, organization=org, role="billing")
    partner = SellerFactory(user=None, organization=org, kind=Seller.Kind.PARTNER)
    create_paid_order(lines=[LineSpec(partner, 1_000)], currency="EUR")

    body = _client(user).get(f"{API}/balances/", {"seller": str(partner.public_id)}).json()

    assert body["sellers"][0]["balances"][0]["currency"] == "EUR"
    assert body["sellers"][0]["balances"][0]["pending"] == 700


def test_statement_as_json_and_as_csv(seller, sale):
    escrow_release_due(now=timezone.now() + timedelta(days=15))
    today = timezone.localdate()
    params = {"from": (today - timedelta(days=1)).isoformat(), "to": (today + timedelta(days=20)).isoformat()}
    client = _client(seller.user)

    as_json = client.get(f"{API}/earnings/statement/", params)
    by_format = client.get(f"{API}/earnings/statement/", {**params, "format": "csv"})
    by_accept = client.get(f"{API}/earnings/statement/", params, HTTP_ACCEPT="text/csv")

    assert as_json.status_code == 200
    body = as_json.json()
    assert [(r["kind"], r["amount"], r["running_balance"]) for r in body["rows"]] == [
        ("sale", 7_000, 7_000),
        ("release", 0, 7_000),
    ]
    assert body["rows"][1]["changes"] == {"pending": -7_000, "available": 7_000}
    assert body["closing"] == {"USD": 7_000}
    for response in (by_format, by_accept):
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert "attachment" in response["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        assert [row[2] for row in rows[1:]] == ["opening_balance", "sale", "release", "closing_balance"]


def test_a_bad_statement_query_is_a_json_error_even_when_csv_was_asked(seller, sale):
    response = _client(seller.user).get(
        f"{API}/earnings/statement/", {"from": "2025-02-01", "to": "2025-01-01", "format": "csv"}
    )

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["fields"] == {"to": ["The end date is before the start date."]}


def test_tier_progress(seller, sale):
    body = _client(seller.user).get(f"{API}/tier/").json()

    assert body["tier"] == "standard"
    assert body["developer_rate"] == "0.7000"
    assert body["trailing_revenue_usd"] == 10_000
    assert body["next_tier"] == "silver"
    assert body["distance_usd"] == 10_000_000 - 10_000
    assert _client(UserFactory()).get(f"{API}/tier/").status_code == 404


def test_payouts_are_mine_only(seller, sale):
    escrow_release_due(now=timezone.now() + timedelta(days=15))
    drain_available(seller, 5_000)
    other = SellerFactory()
    create_paid_order(lines=[LineSpec(other, 10_000)])
    escrow_release_due(now=timezone.now() + timedelta(days=15))
    drain_available(other, 1_000)

    body = _client(seller.user).get(f"{API}/payouts/").json()

    assert body["count"] == 1
    assert body["results"][0]["amount"] == 5_000
    assert body["results"][0]["seller"] == str(seller.public_id)


def test_orders_are_the_buyers_own_with_lines_and_refunds(sale):
    refund_create(order=sale, amount=1_000)
    client = _client(sale.buyer)

    listing = client.get(f"{API}/orders/").json()
    detail = client.get(f"{API}/orders/{sale.public_id}/")
    stranger = _client(UserFactory()).get(f"{API}/orders/{sale.public_id}/")

    assert listing["count"] == 1
    assert detail.status_code == 200
    body = detail.json()
    assert (body["state"], body["total"], body["refunded_total"]) == ("paid", 10_000, 1_000)
    assert body["lines"][0]["net_amount"] == 10_000
    assert body["payments"][0]["refunds"][0]["amount"] == 1_000
    assert stranger.status_code == 404
    assert _client(UserFactory()).get(f"{API}/orders/").json()["count"] == 0


def test_the_ledger_is_for_finance_only(sale, finance_user):
    entry = JournalEntry.objects.get(kind="sale")

    assert _client(sale.buyer).get(f"{API}/ledger/accounts/").status_code == 403
    assert _client(sale.buyer).get(f"{API}/ledger/entries/{entry.public_id}/").status_code == 403
    accounts = _client(finance_user).get(f"{API}/ledger/accounts/", {"kind": "seller_pending"}).json()
    detail = _client(finance_user).get(f"{API}/ledger/entries/{entry.public_id}/").json()

    assert accounts["count"] == 1
    assert accounts["results"][0]["balance"] == 7_000
    assert detail["kind"] == "sale"
    assert sum(p["amount"] for p in detail["postings"]) == 0
    assert _client(finance_user).get(f"{API}/ledger/accounts/", {"kind": "nope"}).status_code == 400


def test_anonymous_callers_and_tokens_without_the_revenue_scope_are_refused(seller, sale):
    _, narrow = api_token_create(user=seller.user, name="narrow", scopes=["account:read"])
    _, revenue = api_token_create(user=seller.user, name="revenue", scopes=["revenue:read"])
    client = APIClient()

    anonymous = client.get(f"{API}/balances/")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {narrow}")
    refused = client.get(f"{API}/balances/")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {revenue}")
    allowed = client.get(f"{API}/balances/")

    assert anonymous.status_code in (401, 403)
    assert refused.status_code == 403
    assert allowed.status_code == 200


def test_the_read_api_is_in_the_schema(admin_client):
    response = admin_client.get("/api/schema/", {"format": "json"})
    paths = response.json()["paths"]

    for path in (
        "/api/v1/revenue/balances/",
        "/api/v1/revenue/earnings/statement/",
        "/api/v1/revenue/tier/",
        "/api/v1/revenue/payouts/",
        "/api/v1/revenue/orders/",
        "/api/v1/revenue/orders/{public_id}/",
        "/api/v1/revenue/ledger/accounts/",
        "/api/v1/revenue/ledger/entries/{public_id}/",
    ):
        assert paths[path]["get"]["tags"] == ["revenue"], path

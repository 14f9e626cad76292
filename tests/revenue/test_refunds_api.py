"""POST /api/v1/revenue/orders/{id}/refunds/: the seller of every line or finance; Idempotency-Key."""

import pytest
from rest_framework.test import APIClient

from novacron.accounts.models import OrgRole
from revenue.models import Refund
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.revenue.factories import LineSpec, SellerFactory, assert_ledger_clean, create_paid_order

pytestmark = pytest.mark.django_db(transaction=True)


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _url(order):
    return f"/api/v1/revenue/orders/{order.public_id}/refunds/"


def test_seller_refunds_part_of_their_order(fake_gateway):
    seller = SellerFactory()
    order, _ = create_paid_order(lines=[LineSpec(seller, 10_000)], gateway="fake")

    response = _client(seller.user).post(
        _url(order), {"amount": 2_500, "reason": "late delivery"}, format="json"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["amount"] == 2_500
    assert body["state"] == "succeeded"
    assert body["order"] == str(order.public_id)
    assert_ledger_clean()


def test_idempotency_key_replays_and_refunds_once(fake_gateway):
    seller = SellerFactory()
    order, _ = create_paid_order(lines=[LineSpec(seller, 10_000)], gateway="fake")
    client = _client(seller.user)

    first = client.post(_url(order), {"amount": 1_000}, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    again = client.post(_url(order), {"amount": 1_000}, format="json", HTTP_IDEMPOTENCY_KEY="abc")

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert first.json()["id"] == again.json()["id"]
    assert Refund.objects.count() == 1
    assert Refund.objects.get().idempotency_key == f"api:{seller.user.pk}:abc"


def test_organisation_admin_may_refund_its_sales(fake_gateway):
    organization = OrganizationFactory()
    admin = MembershipFactory(organization=organization, role=OrgRole.ADMIN).user
    seller = SellerFactory(user=None, organization=organization, kind="partner")
    order, _ = create_paid_order(lines=[LineSpec(seller, 10_000)], gateway="fake")

    assert _client(admin).post(_url(order), {}, format="json").status_code == 201


def test_strangers_see_nothing_and_co_sellers_are_refused(fake_gateway):
    alice, bob = SellerFactory(), SellerFactory()
    order, _ = create_paid_order(lines=[LineSpec(alice, 1_000), LineSpec(bob, 1_000)], gateway="fake")

    assert _client(UserFactory()).post(_url(order), {}, format="json").status_code == 404
    response = _client(alice.user).post(_url(order), {}, format="json")
    assert response.status_code == 403
    assert not Refund.objects.exists()


def test_finance_may_refund_any_order_and_over_refunds_are_field_errors(fake_gateway, finance_user):
    alice, bob = SellerFactory(), SellerFactory()
    order, _ = create_paid_order(lines=[LineSpec(alice, 1_000), LineSpec(bob, 1_000)], gateway="fake")
    client = _client(finance_user)

    too_much = client.post(_url(order), {"amount": 2_001}, format="json")
    assert too_much.status_code == 400
    assert "amount" in too_much.json()["error"]["fields"]
    assert client.post(_url(order), {}, format="json").json()["amount"] == 2_000
    nothing_left = client.post(_url(order), {}, format="json")
    assert nothing_left.status_code == 409
    assert nothing_left.json()["error"]["code"] == "nothing_to_refund"

"""Self-billing payout statements: the seller (or finance) downloads a PDF stating the sales, the commission and
the payout, issued on the seller's behalf."""

from datetime import UTC, datetime, timedelta

import pytest
from rest_framework.test import APIClient

from revenue.services.escrow import escrow_release_due
from revenue.services.payouts import payout_account_set, payout_create_for
from tests.factories import UserFactory
from tests.revenue.billing.conftest import pdf_text
from tests.revenue.factories import LineSpec, SellerFactory, create_paid_order

pytestmark = pytest.mark.django_db

WHEN = datetime(2025, 1, 6, 9, tzinfo=UTC)


@pytest.fixture
def payout(fake_gateway):
    seller = SellerFactory(display_name="Ada's Apps")
    create_paid_order(lines=[LineSpec(seller, 10_000)], paid_at=WHEN)
    escrow_release_due(now=WHEN + timedelta(days=15))
    account = payout_account_set(
        seller=seller,
        currency="USD",
        method="stripe_connect",
        stripe_account_id="acct_1Seller0001",
        actor=seller.user,
    )
    return payout_create_for(payout_account=account, now=WHEN + timedelta(days=16))


def test_the_seller_downloads_the_self_billing_statement(payout, client):
    api = APIClient()
    api.force_authenticate(payout.seller.user)
    response = api.get(f"/api/v1/revenue/payouts/{payout.public_id}/statement/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in ("Self-billing", "Ada's Apps", "NovaCron Community Ltd", "$100.00", "$30.00", "$70.00"):
        assert expected in text, expected

    client.force_login(payout.seller.user)
    assert str(payout.public_id)[:8] in client.get("/revenue/billing/statements/").content.decode()
    assert client.get(f"/revenue/billing/statements/{payout.public_id}/pdf/").status_code == 200


def test_others_do_not_see_it_but_finance_does(payout, finance_user):
    stranger = APIClient()
    stranger.force_authenticate(UserFactory())
    assert stranger.get(f"/api/v1/revenue/payouts/{payout.public_id}/statement/").status_code == 404
    finance = APIClient()
    finance.force_authenticate(finance_user)
    assert finance.get(f"/api/v1/revenue/payouts/{payout.public_id}/statement/").status_code == 200

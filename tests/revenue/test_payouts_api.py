"""The seller's payout accounts (GET/PUT /payout-account/) and finance's payout outcomes."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from revenue.models import Payout
from revenue.models.sellers import PayoutInterval
from revenue.services.escrow import escrow_release_due
from revenue.services.payouts import payouts_create_due
from tests.revenue.factories import (
    LineSpec,
    SellerFactory,
    assert_ledger_clean,
    balance_of,
    create_paid_order,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/revenue/payout-account/"


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_seller_sets_and_reads_payout_accounts_per_currency():
    seller = SellerFactory()
    client = _client(seller.user)

    bad = client.put(
        URL,
        {"currency": "EUR", "method": "bank_transfer", "account_holder": "Ada", "iban": "DE00"},
        format="json",
    )
    assert bad.status_code == 400
    assert "iban" in bad.json()["error"]["fields"]

    eur = client.put(
        URL,
        {
            "currency": "EUR",
            "method": "bank_transfer",
            "account_holder": "Ada",
            "iban": "DE89370400440532013000",
        },
        format="json",
    )
    assert eur.status_code == 200, eur.json()
    assert eur.json()["iban"] == "DE89…3000"
    usd = client.put(
        URL, {"currency": "usd", "method": "stripe_connect", "stripe_account_id": "acct_1AbCdEf"}
    )
    assert usd.status_code == 200

    listed = client.get(URL)
    assert [a["currency"] for a in listed.json()] == ["EUR", "USD"]
    assert [a["currency"] for a in client.get(f"{URL}?currency=usd").json()] == ["USD"]


def test_users_without_a_seller_get_404(user):
    assert _client(user).get(URL).status_code == 404


def test_finance_marks_payouts_paid_or_failed(fake_gateway, finance_user, run_on_commit):
    seller = SellerFactory(payout_interval=PayoutInterval.DAILY, escrow_hold_days=0)
    now = timezone.now()
    create_paid_order(lines=[LineSpec(seller, 10_000)], paid_at=now - timedelta(hours=1))
    create_paid_order(lines=[LineSpec(seller, 5_000)], paid_at=now - timedelta(hours=1), currency="EUR")
    escrow_release_due(now=now)
    client = _client(seller.user)
    client.put(URL, {"currency": "USD", "method": "stripe_connect", "stripe_account_id": "acct_1AbCdEf"})
    client.put(URL, {"currency": "EUR", "method": "stripe_connect", "stripe_account_id": "acct_1AbCdEf"})
    from revenue.services.fx import rate_set

    rate_set(base="EUR", quote="USD", rate="1.1", as_of=now.date())
    fake_gateway.transfer_default = "in_transit"
    with run_on_commit():
        usd, eur = sorted(payouts_create_due(now=now), key=lambda p: p.currency, reverse=True)

    assert _client(seller.user).post(f"/api/v1/revenue/payouts/{usd.public_id}/mark-paid/").status_code == 403
    finance = _client(finance_user)
    paid = finance.post(f"/api/v1/revenue/payouts/{usd.public_id}/mark-paid/", HTTP_IDEMPOTENCY_KEY="p1")
    assert paid.status_code == 200
    assert paid.json()["state"] == "paid"
    failed = finance.post(
        f"/api/v1/revenue/payouts/{eur.public_id}/mark-failed/", {"message": "IBAN closed"}, format="json"
    )
    assert failed.json()["state"] == "failed"
    assert Payout.objects.get(pk=eur.pk).failure_message == "IBAN closed"
    assert balance_of("seller_available", "EUR", seller=seller) == 3_500
    again = finance.post(f"/api/v1/revenue/payouts/{eur.public_id}/mark-paid/")
    assert again.status_code == 409
    assert_ledger_clean()

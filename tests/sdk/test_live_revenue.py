"""Earnings and purchases through the SDK and `novacron earnings` / `novacron purchases`, against the live
server: balances, payouts, statement (table, JSON, CSV), tier, purchases."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from novacron_sdk.resources.revenue import Balances, Statement
from revenue.services.escrow import escrow_release_due
from tests.revenue.factories import LineSpec, SellerFactory, create_paid_order, drain_available
from tests.sdk.conftest import make_token

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


@pytest.fixture
def earnings(account):
    """Ada sells for 100.00 USD (70.00 hers), it leaves escrow, 50.00 is paid out; she buys for 25.00 USD."""
    seller = SellerFactory(user=account.user, display_name="Ada Apps")
    create_paid_order(lines=[LineSpec(seller, 10_000)])
    escrow_release_due(now=timezone.now() + timedelta(days=15))
    drain_available(seller, 5_000)
    purchase, _ = create_paid_order(lines=[LineSpec(SellerFactory(), 2_500)], buyer=account.user)
    return seller, purchase


def test_sdk_reads_balances_statement_tier_payouts_and_purchases(sdk, earnings):
    seller, purchase = earnings

    balances = sdk.revenue.balances()
    statement = sdk.revenue.statement(start=timezone.localdate() - timedelta(days=30))
    tier = sdk.revenue.tier()
    payouts = sdk.revenue.payouts().all()
    purchases = sdk.revenue.purchases().all()

    assert isinstance(balances, Balances)
    [mine] = balances.sellers
    assert mine.seller.public_id == seller.public_id
    [usd] = mine.balances
    assert (usd.currency, usd.available, usd.in_transit, usd.net) == ("USD", 2_000, 5_000, 7_000)
    assert isinstance(statement, Statement)
    assert statement.closing == {"USD": 7_000}
    assert [row.kind for row in statement.rows][:1] == ["sale"]
    assert tier.tier == "standard"
    assert str(tier.developer_rate) == "0.7000"
    assert [(p.amount, p.currency) for p in payouts] == [(5_000, "USD")]
    assert [p.public_id for p in purchases] == [purchase.public_id]
    assert sdk.revenue.purchase(purchase.public_id).total == 2_500


def test_cli_earnings_and_purchases(logged_in, earnings):
    _, purchase = earnings

    balances = logged_in("earnings", "balances")
    payouts = logged_in("earnings", "payouts")
    statement = logged_in("earnings", "statement")
    as_csv = logged_in("earnings", "statement", "--csv")
    as_json = logged_in("earnings", "statement", "--json")
    tier = logged_in("earnings", "tier")
    purchases = logged_in("purchases", "list")
    shown = logged_in("purchases", "show", str(purchase.public_id))

    assert balances.code == 0, balances.err
    header, row = balances.out.splitlines()
    assert header.split()[:3] == ["SELLER", "CUR", "PENDING"]
    assert row.split() == ["Ada", "Apps", "USD", "0.00", "USD", "20.00", "USD", "0.00", "USD", "50.00", "USD",
                           "0.00", "USD", "0.00", "USD", "70.00", "USD"]  # fmt: skip
    assert len({len(line) for line in balances.out.splitlines()}) == 1  # right-aligned columns line up
    assert payouts.code == 0, payouts.err
    assert "50.00 USD" in payouts.out
    assert "in_transit" in payouts.out
    assert statement.code == 0, statement.err
    assert "Closing: 70.00 USD" in statement.out
    assert as_csv.code == 0, as_csv.err
    assert next(csv.reader(io.StringIO(as_csv.out)))[:3] == ["effective_at", "entry_id", "kind"]
    assert json.loads(as_json.out)["closing"] == {"USD": 7_000}
    assert tier.code == 0, tier.err
    assert "Your share:     70.0 %" in tier.out
    assert purchases.code == 0, purchases.err
    assert str(purchase.public_id) in purchases.out
    assert "25.00 USD" in purchases.out
    assert shown.code == 0, shown.err
    assert "Total:    25.00 USD" in shown.out


def test_cli_statement_field_errors_and_empty_states(logged_in, cli, live_server, account):
    backwards = logged_in("earnings", "statement", "--from", "2026-05-01", "--to", "2026-01-01")
    not_a_seller = logged_in("earnings", "tier")
    no_balances = logged_in("earnings", "balances")
    both = logged_in("earnings", "statement", "--csv", "--json")

    assert backwards.code == 1
    assert "  to: The end date is before the start date." in backwards.err
    assert not_a_seller.code == 4
    assert "not a seller" in not_a_seller.err
    assert (no_balances.code, no_balances.out) == (0, "No earnings yet.\n")
    assert both.code == 1


def test_cli_earnings_need_the_revenue_scope(cli, live_server, account):
    cli("login", "--base-url", live_server.url, "--token", make_token(account.user, ["account:read"]))

    result = cli("earnings", "balances")

    assert result.code == 2
    assert "'revenue:read' (or 'read')" in result.err

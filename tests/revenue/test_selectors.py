"""Read side of revenue: balances, statements, tier progress, finance views — right figures, bounded queries."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from revenue import selectors
from revenue.models import Dispute, Seller, Tier
from revenue.services.escrow import escrow_release_due
from revenue.services.fx import rate_set
from revenue.services.refunds import refund_create
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.revenue.factories import LineSpec, SellerFactory, create_paid_order, drain_available

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def _sale(seller, net, *, currency="USD", when=T0, buyer=None):
    return create_paid_order(lines=[LineSpec(seller, net)], currency=currency, paid_at=when, buyer=buyer)


# --- balances ------------------------------------------------------------------------------------------------


def test_balances_are_per_currency_and_follow_escrow_and_payouts():
    seller = SellerFactory()
    _sale(seller, 10_000, when=T0)  # 7,000 to the seller
    _sale(seller, 2_000, currency="EUR", when=T0)  # 1,400 EUR
    escrow_release_due(now=T0 + timedelta(days=15))
    _sale(seller, 1_000, when=T0 + timedelta(days=20))  # 700 pending
    drain_available(seller, 5_000)

    (eur, usd) = selectors.seller_balances_for(seller=seller)

    assert (eur.currency, eur.pending, eur.available) == ("EUR", 0, 1_400)
    assert (usd.currency, usd.pending, usd.available, usd.in_transit) == ("USD", 700, 2_000, 5_000)
    assert usd.net == 7_700
    assert str(usd.available_money) == "$20.00"


def test_balances_of_many_sellers_take_two_queries(django_assert_num_queries):
    sellers = [SellerFactory() for _ in range(4)]
    for seller in sellers:
        _sale(seller, 1_000)
        _sale(seller, 1_000, currency="EUR")

    with django_assert_num_queries(2):
        balances = selectors.seller_balances(seller_ids=[s.pk for s in sellers])

    assert [len(balances[s.pk]) for s in sellers] == [2, 2, 2, 2]
    assert selectors.seller_balances(seller_ids=[999_999]) == {999_999: []}


def test_a_user_sees_their_own_sellers_and_those_of_organisations_they_bill_for():
    user = UserFactory()
    own = SellerFactory(user=user)
    billed = OrganizationFactory()
    member_only = OrganizationFactory()
    MembershipFactory(user=user, organization=billed, role="billing")
    MembershipFactory(user=user, organization=member_only, role="member")
    org_seller = SellerFactory(user=None, organization=billed, kind=Seller.Kind.PARTNER)
    SellerFactory(user=None, organization=member_only, kind=Seller.Kind.PARTNER)
    SellerFactory()  # someone else's

    found = selectors.sellers_for_user(user_id=user.pk)

    assert {s.pk for s in found} == {own.pk, org_seller.pk}


# --- statement -----------------------------------------------------------------------------------------------


def test_statement_has_opening_balance_running_balance_and_zero_net_releases():
    seller = SellerFactory()
    _sale(seller, 10_000, when=T0)  # before the period: opening 7,000
    order, _ = _sale(seller, 4_000, when=T0 + timedelta(days=10))  # +2,800
    escrow_release_due(now=T0 + timedelta(days=16))  # releases the first sale only
    refund_create(order=order, amount=1_000, now=T0 + timedelta(days=17))  # seller part −700

    statement = selectors.earnings_statement(
        seller=seller, start=T0 + timedelta(days=5), end=T0 + timedelta(days=30)
    )

    assert statement.opening == {"USD": 7_000}
    assert [(r.kind, r.amount, r.running_balance) for r in statement.rows] == [
        ("sale", 2_800, 9_800),
        ("release", 0, 9_800),
        ("refund", -700, 9_100),
    ]
    release = statement.rows[1]
    assert release.changes == {"pending": -7_000, "available": 7_000}
    assert [label for label, _ in release.movements] == ["Pending", "Available"]
    assert statement.closing == {"USD": 9_100}


def test_statement_filters_one_currency_and_takes_two_queries(django_assert_num_queries):
    seller = SellerFactory()
    for day in range(3):
        _sale(seller, 1_000, when=T0 + timedelta(days=day))
        _sale(seller, 1_000, currency="EUR", when=T0 + timedelta(days=day))

    with django_assert_num_queries(2):
        statement = selectors.earnings_statement(
            seller=seller, start=T0 - timedelta(days=1), end=T0 + timedelta(days=5), currency="EUR"
        )

    assert {r.currency for r in statement.rows} == {"EUR"}
    assert [r.running_balance for r in statement.rows] == [700, 1_400, 2_100]


def test_statement_csv_has_header_opening_rows_closing_and_defuses_formulas():
    seller = SellerFactory()
    _sale(seller, 1_000, when=T0)
    statement = selectors.earnings_statement(
        seller=seller, start=T0 - timedelta(days=1), end=T0 + timedelta(days=1)
    )
    row = statement.rows[0]
    statement.rows[0] = type(row)(**{**row.__dict__, "description": "=HYPERLINK(evil)"})

    rows = list(csv.reader(io.StringIO("".join(selectors.statement_csv_lines(statement)))))

    assert rows[0] == list(selectors.STATEMENT_CSV_HEADER)
    assert rows[1][2:3] + rows[1][6:7] + rows[1][-1:] == ["opening_balance", "USD", "0.00"]
    assert rows[2][2] == "sale"
    assert rows[2][3] == "'=HYPERLINK(evil)"
    assert rows[2][7] == "7.00"  # amount in major units
    assert rows[2][8] == "7.00"  # pending
    assert rows[-1][2] == "closing_balance"
    assert rows[-1][-1] == "7.00"


# --- tiers ---------------------------------------------------------------------------------------------------


def test_tier_progress_counts_revenue_in_usd_and_measures_the_way_to_the_next_tier():
    seller = SellerFactory()
    now = datetime.now(UTC)
    rate_set(base="EUR", quote="USD", rate="1.10", as_of=(now - timedelta(days=1)).date())
    _sale(seller, 1_000_000, when=now - timedelta(days=30))  # $10,000
    _sale(seller, 1_000_000, currency="EUR", when=now - timedelta(days=20))  # €10,000 = $11,000
    _sale(seller, 5_000_000, when=now - timedelta(days=400))  # outside the window
    _sale(seller, 500_000, currency="GBP", when=now - timedelta(days=10))  # no rate

    progress = selectors.tier_progress(seller=seller, now=now)

    assert progress.tier == Tier.STANDARD
    assert progress.developer_percent == "70%"
    assert progress.trailing_revenue_usd == 2_100_000
    assert progress.next_tier == Tier.SILVER
    assert progress.distance_usd == 10_000_000 - 2_100_000
    assert progress.progress_percent == 21
    assert progress.currencies_without_rate == ["GBP"]
    assert progress.next_benefits["marketing_credits_usd"] == 10_000


def test_the_top_tier_has_no_next_tier():
    seller = SellerFactory(tier=Tier.PLATINUM)

    progress = selectors.tier_progress(seller=seller)

    assert (progress.next_tier, progress.distance_usd, progress.progress_percent) == (None, None, 100)
    assert progress.benefits["dedicated_manager"] is True
    assert progress.developer_percent == "72%"


# --- orders and finance --------------------------------------------------------------------------------------


def test_orders_for_a_buyer_are_prefetched(django_assert_max_num_queries):
    buyer = UserFactory()
    seller = SellerFactory()
    for _ in range(3):
        order, _ = _sale(seller, 1_000, buyer=buyer)
    refund_create(order=order, amount=100)
    _sale(seller, 1_000)  # someone else's

    with django_assert_max_num_queries(5):
        orders = list(selectors.orders_for_buyer(buyer_id=buyer.pk))
        refunds = [selectors.order_refunds(o) for o in orders]
        sellers = [line.seller.display_name for o in orders for line in o.lines.all()]

    assert len(orders) == 3
    assert sum(len(r) for r in refunds) == 1
    assert len(sellers) == 3


def test_ledger_accounts_filter_by_kind_currency_and_owner():
    seller = SellerFactory(display_name="Acme Apps")
    _sale(seller, 1_000)
    _sale(SellerFactory(), 1_000, currency="EUR")

    pending = selectors.ledger_accounts(kind="seller_pending")
    by_name = selectors.ledger_accounts(owner="acme")
    by_id = selectors.ledger_accounts(owner=str(seller.public_id))
    platform_eur = selectors.ledger_accounts(owner="platform", currency="eur", nonzero=True)

    assert pending.count() == 2
    assert {a.seller_id for a in by_name} == {seller.pk} == {a.seller_id for a in by_id}
    assert {(a.kind, a.currency) for a in platform_eur} == {
        ("gateway_clearing", "EUR"),
        ("platform_revenue", "EUR"),
    }
    assert all(a.posting_count == 1 for a in platform_eur)


def test_finance_disputes_list_open_ones_first_by_deadline():
    seller = SellerFactory()
    payments = [_sale(seller, 1_000)[1] for _ in range(3)]
    now = datetime.now(UTC)
    closed = Dispute.objects.create(
        payment=payments[0], amount=100, currency="USD", state=Dispute.State.LOST, closed_at=now
    )
    late = Dispute.objects.create(
        payment=payments[1], amount=100, currency="USD", evidence_due_by=now + timedelta(days=5)
    )
    soon = Dispute.objects.create(
        payment=payments[2], amount=100, currency="USD", evidence_due_by=now + timedelta(days=1)
    )

    ordered = list(selectors.disputes_for_finance())
    overview = selectors.finance_overview(now=now)

    assert ordered == [soon, late, closed]
    assert (overview.open_disputes, overview.disputes_due_soon) == (2, 1)

"""The revenue portal: who sees which page, and the flows a person walks through (buy, 3-D Secure, bank
transfer, refunds, disputes, payouts, payout accounts, statement export)."""

import csv
import io
import re
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from novacron.core.portal import _registry
from revenue.models import Dispute, Order, PayoutAccount, Refund, Seller
from revenue.portal import register_portal
from revenue.services.escrow import escrow_release_due
from revenue.services.payouts import payout_account_set, payout_create_for
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.revenue.factories import (
    LineSpec,
    ProductFactory,
    SellerFactory,
    assert_ledger_clean,
    create_paid_order,
    drain_available,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("local_gateways")]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _errors(response) -> str:
    return " ".join(
        re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.content.decode(), re.S)
    )


@pytest.fixture
def seller():
    return SellerFactory(display_name="Ada Apps")


@pytest.fixture
def sale(seller):
    order, _ = create_paid_order(lines=[LineSpec(seller, 10_000)])
    return order


# --- landing, access -----------------------------------------------------------------------------------------


def test_anonymous_visitors_read_the_area_docs_and_are_sent_to_sign_in_elsewhere():
    client = Client()

    landing = client.get("/revenue/")
    earnings = client.get("/revenue/earnings/")
    finance = client.get("/revenue/finance/")

    assert landing.status_code == 200
    assert "Earnings" in landing.content.decode()
    assert earnings.status_code == finance.status_code == 302
    assert earnings["Location"].startswith("/accounts/login/")


def test_the_landing_page_links_a_seller_to_purchases_and_earnings(seller, sale):
    body = _client(seller.user).get("/revenue/").content.decode()

    assert "/revenue/purchases/" in body
    assert f"/revenue/earnings/?seller={seller.public_id}" in body
    assert "/revenue/finance/" not in body


@pytest.mark.parametrize(
    "url",
    [
        "/revenue/finance/",
        "/revenue/finance/ledger/accounts/",
        "/revenue/finance/ledger/entries/",
        "/revenue/finance/orders/",
        "/revenue/finance/disputes/",
        "/revenue/finance/payments/",
        "/revenue/finance/payouts/",
    ],
)
def test_finance_pages_need_the_finance_permission(url, finance_user, sale):
    assert _client(UserFactory()).get(url).status_code == 403
    assert _client(sale.buyer).get(url).status_code == 403
    response = _client(finance_user).get(url)
    assert response.status_code == 200
    assert 'aria-label="Finance"' in response.content.decode()


# --- earnings ------------------------------------------------------------------------------------------------


def test_earnings_show_balances_tier_sales_and_payouts(seller, sale):
    escrow_release_due(now=timezone.now() + timedelta(days=15))
    create_paid_order(lines=[LineSpec(seller, 2_000)], currency="EUR")
    drain_available(seller, 3_000)  # a payout in transit

    response = _client(seller.user).get("/revenue/earnings/")
    body = response.content.decode()

    assert response.status_code == 200
    assert "Earnings — Ada Apps" in body
    assert "$40.00" in body  # available: 7,000 − 3,000 in transit
    assert "$30.00" in body  # in transit
    assert "€14.00" in body  # EUR pending
    assert "Tier: Standard" in body
    assert "70%" in body
    assert "Progress to Silver" in body
    assert "test.item 1" in body  # recent sales
    assert f"/revenue/orders/{sale.public_id}/refund/" in body
    assert "In transit" in body  # payout history


def test_someone_without_sales_gets_a_friendly_page_and_cannot_peek_at_a_seller(seller):
    client = _client(UserFactory())

    empty = client.get("/revenue/earnings/")
    other = client.get(f"/revenue/earnings/?seller={seller.public_id}")

    assert empty.status_code == 200
    assert "no earnings yet" in empty.content.decode()
    assert other.status_code == 404


def test_an_organisation_manager_switches_between_their_sellers():
    user = UserFactory()
    own = SellerFactory(user=user, display_name="Zed Dev")
    org = OrganizationFactory(name="Cloudy")
    MembershipFactory(user=user, organization=org, role="owner")
    partner = SellerFactory(
        user=None, organization=org, kind=Seller.Kind.PARTNER, display_name="Cloudy Partners"
    )
    client = _client(user)

    default = client.get("/revenue/earnings/").content.decode()
    chosen = client.get(f"/revenue/earnings/?seller={partner.public_id}").content.decode()

    assert "Earnings — Zed Dev" in default  # their own seller first
    assert "Earnings — Cloudy Partners" in chosen
    assert str(own.public_id) in chosen  # the switcher lists both


def test_statement_export_is_a_csv_attachment_for_the_period(seller, sale):
    today = timezone.localdate()
    response = _client(seller.user).get(
        "/revenue/earnings/statement.csv",
        {"start": (today - timedelta(days=1)).isoformat(), "end": today.isoformat(), "currency": "USD"},
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="statement-')
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["effective_at", "entry_id", "kind"]
    assert [row[2] for row in rows[1:]] == ["opening_balance", "sale", "closing_balance"]
    assert rows[2][5] == str(sale.public_id)
    assert rows[2][7] == "70.00"
    assert rows[-1][-1] == "70.00"


def test_a_bad_statement_period_is_a_form_error(seller, sale):
    response = _client(seller.user).get(
        "/revenue/earnings/statement.csv", {"start": "2025-02-01", "end": "2025-01-01"}
    )

    assert response.status_code == 400
    assert "The end date is before the start date." in _errors(response)


def test_payout_account_form_shows_service_errors_and_saves(seller):
    client = _client(seller.user)
    data = {
        "seller": str(seller.public_id),
        "payout-currency": "EUR",
        "payout-method": "bank_transfer",
        "payout-account_holder": "Ada Lovelace",
        "payout-iban": "DE00 1234 5678",
    }

    refused = client.post("/revenue/earnings/payout-account/", data)
    saved = client.post(
        "/revenue/earnings/payout-account/", {**data, "payout-iban": "DE89 3704 0044 0532 0130 00"}
    )

    assert refused.status_code == 400
    assert "This IBAN is not valid" in _errors(refused)
    assert saved.status_code == 302
    account = PayoutAccount.objects.get(seller=seller, is_active=True)
    assert (account.currency, account.iban) == ("EUR", "DE89370400440532013000")


def test_nobody_sets_a_payout_account_for_someone_elses_seller(seller):
    response = _client(UserFactory()).post(
        "/revenue/earnings/payout-account/",
        {"seller": str(seller.public_id), "payout-currency": "USD", "payout-method": "stripe_connect"},
    )

    assert response.status_code == 404
    assert not PayoutAccount.objects.exists()


def test_a_billing_contact_sees_organisation_earnings_but_cannot_redirect_payouts():
    # Given an organisation seller and a member with the billing role
    organization = OrganizationFactory()
    org_seller = SellerFactory(kind=Seller.Kind.PARTNER, user=None, organization=organization)
    billing = MembershipFactory(organization=organization, role="billing").user
    client = _client(billing)

    # When they open the earnings page and then try to change the payout account
    page = client.get(f"/revenue/earnings/?seller={org_seller.public_id}")
    attempt = client.post(
        "/revenue/earnings/payout-account/",
        {
            "seller": str(org_seller.public_id),
            "payout-currency": "EUR",
            "payout-method": "bank_transfer",
            "payout-account_holder": "Mallory",
            "payout-iban": "DE89 3704 0044 0532 0130 00",
        },
    )

    # Then they can read, but not write
    assert page.status_code == 200
    assert attempt.status_code == 403
    assert not PayoutAccount.objects.exists()


# --- buying --------------------------------------------------------------------------------------------------


def _buy(client, product, **data):
    return client.post(
        "/revenue/buy/",
        {
            "product": product.pk,
            "quantity": 1,
            "payment": "card",
            "card_number": "4242 4242 4242 4242",
            "submission_token": uuid.uuid4().hex,
            **data,
        },
    )


def test_submitting_the_buy_form_twice_places_one_order_and_shows_it_both_times():
    product = ProductFactory(unit_amount=4_900)
    buyer = UserFactory()
    client = _client(buyer)
    page = client.get("/revenue/buy/").content.decode()
    token = re.search(r'name="submission_token" value="([0-9a-f]{32})"', page).group(1)

    first = _buy(client, product, submission_token=token)
    second = _buy(client, product, submission_token=token)

    order = Order.objects.get(buyer=buyer)
    assert first["Location"] == second["Location"] == f"/revenue/purchases/{order.public_id}/"
    assert order.payments.count() == 1
    assert_ledger_clean()


def test_a_refused_submission_releases_its_token_so_the_corrected_form_goes_through():
    buyer = UserFactory()
    client = _client(buyer)
    token = uuid.uuid4().hex

    refused = _buy(client, ProductFactory(), card_number="1234", submission_token=token)
    corrected = _buy(client, ProductFactory(), submission_token=token)

    assert refused.status_code == 200
    assert corrected.status_code == 302
    assert Order.objects.filter(buyer=buyer).count() == 1


def test_the_buy_form_without_its_token_is_refused_with_a_clear_error():
    response = _buy(_client(UserFactory()), ProductFactory(), submission_token="")

    assert response.status_code == 200
    assert "This form expired; please submit it again." in _errors(response)
    assert not Order.objects.exists()


def test_the_buy_page_prefills_the_test_card_and_lists_the_test_cards():
    ProductFactory(name="Support plan")

    body = _client(UserFactory()).get("/revenue/buy/").content.decode()

    assert 'value="4242 4242 4242 4242"' in body
    assert "4000 0027 6000 3184" in body
    assert "Support plan" in body


def test_buying_with_the_test_card_pays_and_shows_the_receipt():
    product = ProductFactory(name="Support plan", unit_amount=4_900)
    buyer = UserFactory()
    client = _client(buyer)

    response = _buy(client, product)
    order = Order.objects.get(buyer=buyer)
    receipt = client.get(response["Location"]).content.decode()

    assert response["Location"] == f"/revenue/purchases/{order.public_id}/"
    assert order.state == Order.State.PAID
    assert "Support plan" in receipt
    assert "$49.00" in receipt
    assert "Paid" in receipt
    purchases = client.get("/revenue/purchases/").content.decode()
    assert f"/revenue/purchases/{order.public_id}/" in purchases


def test_a_declined_card_leaves_a_failed_order_and_says_so():
    buyer = UserFactory()
    client = _client(buyer)

    response = _buy(client, ProductFactory(), card_number="4000 0000 0000 0002")
    receipt = client.get(response["Location"])

    assert Order.objects.get(buyer=buyer).state == Order.State.FAILED
    assert "The payment failed; nothing was charged." in receipt.content.decode()


def test_a_bad_card_number_is_a_form_error_and_nothing_is_ordered():
    buyer = UserFactory()

    response = _buy(_client(buyer), ProductFactory(), card_number="1234")

    assert response.status_code == 200
    assert "A card number is 12 to 19 digits." in _errors(response)
    assert not Order.objects.exists()


def test_three_d_secure_is_completed_from_the_receipt():
    buyer = UserFactory()
    client = _client(buyer)
    response = _buy(client, ProductFactory(), card_number="4000 0027 6000 3184")
    order = Order.objects.get(buyer=buyer)
    receipt = client.get(response["Location"]).content.decode()

    assert order.state == Order.State.REQUIRES_ACTION
    assert "Complete 3-D Secure" in receipt
    assert _client(UserFactory()).post(f"/revenue/purchases/{order.public_id}/confirm/").status_code == 404

    confirmed = client.post(f"/revenue/purchases/{order.public_id}/confirm/")

    assert confirmed.status_code == 302
    order.refresh_from_db()
    assert order.state == Order.State.PAID
    assert_ledger_clean()


def test_bank_transfer_shows_instructions_and_finance_marks_it_received(finance_user):
    buyer = UserFactory()
    client = _client(buyer)
    response = _buy(client, ProductFactory(unit_amount=12_345), payment="bank_transfer", card_number="")
    order = Order.objects.get(buyer=buyer)
    reference = order.payments.get().gateway_reference
    receipt = client.get(response["Location"]).content.decode()
    finance = _client(finance_user)

    assert order.state == Order.State.AWAITING_TRANSFER
    assert "Pay by bank transfer" in receipt
    assert reference in receipt
    assert reference in finance.get("/revenue/finance/payments/").content.decode()

    url = f"/revenue/finance/payments/{order.public_id}/received/"
    amount = f"{order.total / 100:.2f}"  # 123.45 + 19% VAT: the buyer is in Germany
    wrong = finance.post(url, {"amount": amount, "reference": "NC-NOPE-NOPE"})
    right = finance.post(url, {"amount": amount, "reference": reference.lower()})

    assert wrong.status_code == 400
    assert "does not match" in _errors(wrong)
    assert right.status_code == 302
    order.refresh_from_db()
    assert order.state == Order.State.PAID
    assert _client(UserFactory()).get(url).status_code == 403
    assert_ledger_clean()


def test_someone_elses_receipt_is_not_found_but_finance_sees_it(sale, finance_user):
    url = f"/revenue/purchases/{sale.public_id}/"

    assert _client(sale.buyer).get(url).status_code == 200
    assert _client(UserFactory()).get(url).status_code == 404
    assert _client(finance_user).get(url).status_code == 200


# --- refunds -------------------------------------------------------------------------------------------------


def _token(client, url) -> str:
    return re.search(r'name="token" value="([^"]+)"', client.get(url).content.decode()).group(1)


def test_finance_refunds_part_of_an_order_once_even_when_the_form_is_sent_twice(sale, finance_user):
    client = _client(finance_user)
    url = f"/revenue/orders/{sale.public_id}/refund/"
    token = _token(client, url)

    too_much = client.post(url, {"amount": "1000", "reason": "", "token": token})
    first = client.post(url, {"amount": "25.00", "reason": "Partial", "token": token})
    again = client.post(url, {"amount": "25.00", "reason": "Partial", "token": token})

    assert too_much.status_code == 400
    assert "At most $100.00 can be refunded." in _errors(too_much)
    assert first.status_code == again.status_code == 302
    refund = Refund.objects.get()
    assert (refund.amount, refund.reason, refund.created_by) == (2_500, "Partial", finance_user)
    assert_ledger_clean()


def test_the_seller_may_refund_their_own_sale_but_not_the_buyer_or_others(sale, seller):
    url = f"/revenue/orders/{sale.public_id}/refund/"

    assert _client(sale.buyer).get(url).status_code == 403
    assert _client(SellerFactory().user).get(url).status_code == 403
    client = _client(seller.user)
    response = client.post(url, {"amount": "", "reason": "Full", "token": _token(client, url)})

    assert response.status_code == 302
    assert Refund.objects.get().amount == 10_000


# --- disputes and payouts ------------------------------------------------------------------------------------


def test_finance_adds_evidence_and_closes_a_dispute(sale, finance_user):
    payment = sale.payments.get()
    dispute = Dispute.objects.create(
        payment=payment, amount=1_000, currency="USD", evidence_due_by=timezone.now() + timedelta(days=7)
    )
    client = _client(finance_user)
    url = f"/revenue/finance/disputes/{dispute.public_id}/"

    page = client.get(url)
    empty = client.post(f"{url}evidence/", {"notes": "  "})
    added = client.post(f"{url}evidence/", {"notes": "Delivery logs attached"})

    assert page.status_code == 200
    assert empty.status_code == 400
    assert added.status_code == 302
    dispute.refresh_from_db()
    assert dispute.state == Dispute.State.UNDER_REVIEW
    assert "Delivery logs attached" in dispute.evidence_notes
    assert _client(UserFactory()).post(f"{url}close/", {"outcome": "won"}).status_code == 403


def test_finance_marks_payouts_failed_then_paid(seller, sale, finance_user):
    escrow_release_due(now=timezone.now() + timedelta(days=15))
    account = payout_account_set(
        seller=seller,
        currency="USD",
        method="stripe_connect",
        stripe_account_id="acct_1Portal0001",
        actor=seller.user,
    )
    first = payout_create_for(payout_account=account)
    client = _client(finance_user)

    listing = client.get("/revenue/finance/payouts/?state=in_transit").content.decode()
    no_reason = client.post(f"/revenue/finance/payouts/{first.public_id}/failed/", {"message": ""})
    failed = client.post(f"/revenue/finance/payouts/{first.public_id}/failed/", {"message": "R03 no account"})
    late = client.post(f"/revenue/finance/payouts/{first.public_id}/paid/", follow=True)
    second = payout_create_for(payout_account=account)
    paid = client.post(f"/revenue/finance/payouts/{second.public_id}/paid/")

    assert "Mark paid" in listing
    assert no_reason.status_code == 400
    assert failed.status_code == paid.status_code == 302
    assert "only a payout in transit can be marked paid" in late.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, first.failure_message, second.state) == ("failed", "R03 no account", "paid")
    assert _client(seller.user).post(f"/revenue/finance/payouts/{second.public_id}/paid/").status_code == 403
    assert_ledger_clean()


# --- dashboard -----------------------------------------------------------------------------------------------


def test_the_dashboard_panel_shows_balances_and_recent_purchases(seller, sale):
    register_portal()
    assert "revenue" in _registry.panels
    create_paid_order(lines=[LineSpec(SellerFactory(), 500)], buyer=seller.user)

    body = _client(seller.user).get("/dashboard/").content.decode()

    assert "Earnings &amp; purchases" in body or "Earnings & purchases" in body
    assert "$70.00" in body  # pending
    assert "$5.00" in body  # their own purchase

"""Refunds of bank-transfer orders are paid by hand: finance records them as sent (or not sent) in the portal,
the API or the admin; until then they are pending."""

import pytest
from django.test import Client

from novacron.core.exceptions import ValidationError
from novacron.core.models import AuditLog
from revenue.exceptions import InvalidState
from revenue.models import AccountKind, Refund
from revenue.services.checkout import checkout_create
from revenue.services.payments import bank_transfer_mark_received
from revenue.services.refunds import refund_create, refund_manual_settle
from tests.factories import UserFactory
from tests.revenue.factories import ProductFactory, SellerFactory, assert_ledger_clean, balance_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("local_gateways")]


@pytest.fixture
def pending_refund(finance_user):
    seller = SellerFactory()
    product = ProductFactory(seller=seller, unit_amount=10_000, currency="EUR")
    order = checkout_create(
        buyer=UserFactory(),
        items=[("revenue.product", str(product.public_id), 1)],
        currency="EUR",
        payment_method="",
        gateway="bank_transfer",
    )
    payment = order.payments.get()
    bank_transfer_mark_received(
        order=order, actor=finance_user, amount=order.total, reference=payment.gateway_reference
    )
    refund = refund_create(order=order, amount=4_000, reason="duplicate order")
    assert refund.state == Refund.State.PENDING
    return refund, seller


def test_recording_a_bank_refund_as_sent_makes_it_succeeded_and_audited(pending_refund, finance_user):
    refund, seller = pending_refund

    settled = refund_manual_settle(refund=refund, sent=True, reference="BANK-123", actor=finance_user)

    assert (settled.state, settled.gateway_reference) == (Refund.State.SUCCEEDED, "BANK-123")
    assert balance_of(AccountKind.SELLER_PENDING, "EUR", seller=seller) == 7_000 - 2_800
    assert AuditLog.objects.get(action="revenue.refund_sent").actor == finance_user
    assert_ledger_clean()
    with pytest.raises(InvalidState):
        refund_manual_settle(refund=refund, sent=True, reference="BANK-124", actor=finance_user)


def test_a_refund_that_could_not_be_sent_puts_the_ledger_back(pending_refund, finance_user):
    refund, seller = pending_refund

    settled = refund_manual_settle(refund=refund, sent=False, message="account closed", actor=finance_user)

    assert settled.state == Refund.State.FAILED
    assert settled.payment.order.refunded_total == 0
    assert balance_of(AccountKind.SELLER_PENDING, "EUR", seller=seller) == 7_000
    assert_ledger_clean()


def test_missing_reference_or_reason_is_a_field_error(pending_refund, finance_user):
    refund, _ = pending_refund
    with pytest.raises(ValidationError) as sent:
        refund_manual_settle(refund=refund, sent=True, reference=" ", actor=finance_user)
    with pytest.raises(ValidationError) as not_sent:
        refund_manual_settle(refund=refund, sent=False, actor=finance_user)
    assert (sent.value.field, not_sent.value.field) == ("reference", "message")
    refund.refresh_from_db()
    assert refund.state == Refund.State.PENDING


def test_card_refunds_are_not_settled_by_hand(finance_user):
    product = ProductFactory(unit_amount=5_000)
    order = checkout_create(
        buyer=UserFactory(),
        items=[("revenue.product", str(product.public_id), 1)],
        currency="USD",
        payment_method="4242424242424242",
    )
    refund = refund_create(order=order, amount=1_000)
    with pytest.raises(InvalidState):
        refund_manual_settle(refund=refund, sent=True, reference="x", actor=finance_user)


def test_the_api_lists_and_settles_for_finance_only(pending_refund, api_client, finance_user):
    refund, _ = pending_refund
    api_client.force_authenticate(UserFactory())
    assert api_client.get("/api/v1/revenue/refunds/to-send/").status_code == 403

    api_client.force_authenticate(finance_user)
    listed = api_client.get("/api/v1/revenue/refunds/to-send/").json()["results"]
    assert [row["id"] for row in listed] == [str(refund.public_id)]
    url = f"/api/v1/revenue/refunds/{refund.public_id}/settle/"
    bad = api_client.post(url, {"outcome": "sent"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"] == {"reference": ["Enter the bank transfer's reference."]}
    done = api_client.post(url, {"outcome": "sent", "reference": "BANK-9"}, format="json")
    assert done.status_code == 200
    assert done.json()["state"] == "succeeded"
    assert api_client.post(url, {"outcome": "sent", "reference": "BANK-9"}, format="json").status_code == 409


def test_the_portal_page_records_the_outcome(pending_refund, finance_user):
    refund, _ = pending_refund
    client = Client()
    client.force_login(finance_user)
    listing = client.get("/revenue/finance/refunds/").content.decode()
    assert str(refund.payment.order.public_id) in listing

    url = f"/revenue/finance/refunds/{refund.public_id}/settle/"
    missing = client.post(url, {"outcome": "not_sent", "message": ""})
    assert missing.status_code == 400
    done = client.post(url, {"outcome": "sent", "reference": "BANK-77"})
    assert done.status_code == 302
    refund.refresh_from_db()
    assert (refund.state, refund.gateway_reference) == (Refund.State.SUCCEEDED, "BANK-77")
    assert client.get(url).status_code == 404
    assert Client().get("/revenue/finance/refunds/").status_code == 302

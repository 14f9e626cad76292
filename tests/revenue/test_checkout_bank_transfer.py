"""Bank transfer checkout: pending until finance marks the money received."""

import re

import pytest

from novacron.core.exceptions import PermissionDenied
from novacron.core.models import AuditLog
from revenue.exceptions import InvalidState, ValidationError
from revenue.gateways import get_gateway
from revenue.models import AccountKind, JournalEntry, Order, Payment
from revenue.services.checkout import checkout_create
from revenue.services.payments import bank_transfer_mark_received
from tests.factories import UserFactory
from tests.revenue.factories import ProductFactory, SellerFactory, balance_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("local_gateways")]

K = AccountKind
URL = "/api/v1/revenue/checkouts/"


def _bank_order(buyer=None, amount=25_000):
    seller = SellerFactory()
    product = ProductFactory(seller=seller, unit_amount=amount, currency="EUR")
    order = checkout_create(
        buyer=buyer or UserFactory(),
        items=[("revenue.product", str(product.public_id), 1)],
        currency="EUR",
        payment_method="",
        gateway="bank_transfer",
    )
    return order, seller


def test_bank_transfer_checkout_waits_with_a_reference_and_instructions(auth_client):
    product = ProductFactory(unit_amount=25_000, currency="EUR")

    response = auth_client.post(
        URL,
        {
            "items": [{"type": "revenue.product", "id": str(product.public_id)}],
            "currency": "EUR",
            "gateway": "bank_transfer",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["state"] == "awaiting_transfer"
    assert body["payment"]["state"] == "processing"
    instructions = body["next_action"]["bank_transfer"]
    assert re.fullmatch(r"NC-[A-Z2-9]{4}-[A-Z2-9]{4}", instructions["reference"])
    assert (instructions["amount"], instructions["currency"]) == (25_000, "EUR")
    assert instructions["iban"]
    assert body["payment"]["gateway_reference"] == instructions["reference"]
    assert not JournalEntry.objects.exists()


def test_finance_marks_the_transfer_received_and_the_sale_is_posted(api_client, finance_user):
    # Given an order awaiting a €250 transfer
    order, seller = _bank_order()
    payment = order.payments.get()

    # When finance marks it received with the buyer's reference (typed in lower case, with spaces)
    api_client.force_authenticate(finance_user)
    url = f"/api/v1/revenue/bank-transfers/{order.public_id}/received/"
    typed = payment.gateway_reference.lower().replace("-", " - ")
    response = api_client.post(url, {"amount": 25_000, "reference": typed}, format="json")

    # Then the payment is captured (no fee), the sale posted to the bank-transfer clearing, and it is audited
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "paid"
    payment.refresh_from_db()
    assert (payment.state, payment.fee_amount) == (Payment.State.SUCCEEDED, 0)
    assert balance_of(K.GATEWAY_CLEARING, "EUR", gateway="bank_transfer") == 25_000
    assert balance_of(K.SELLER_PENDING, "EUR", seller=seller) == 17_500
    audit = AuditLog.objects.get(action="revenue.bank_transfer_received")
    assert audit.actor == finance_user
    assert audit.after["amount"] == 25_000
    assert audit.after["reference"] == payment.gateway_reference

    # And marking it again changes nothing
    again = api_client.post(url, {"amount": 25_000, "reference": payment.gateway_reference}, format="json")
    assert again.status_code == 200
    assert JournalEntry.objects.filter(kind=JournalEntry.Kind.SALE).count() == 1
    assert AuditLog.objects.filter(action="revenue.bank_transfer_received").count() == 1


def test_only_finance_can_mark_a_transfer_received(auth_client, user):
    order, _seller = _bank_order(buyer=user)
    payment = order.payments.get()

    response = auth_client.post(
        f"/api/v1/revenue/bank-transfers/{order.public_id}/received/",
        {"amount": 25_000, "reference": payment.gateway_reference},
        format="json",
    )

    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        bank_transfer_mark_received(
            order=order, actor=user, amount=25_000, reference=payment.gateway_reference
        )
    order.refresh_from_db()
    assert order.state == Order.State.AWAITING_TRANSFER


def test_wrong_amount_or_reference_is_refused(finance_user):
    order, _seller = _bank_order()
    payment = order.payments.get()

    with pytest.raises(ValidationError) as wrong_amount:
        bank_transfer_mark_received(
            order=order, actor=finance_user, amount=24_999, reference=payment.gateway_reference
        )
    with pytest.raises(ValidationError) as wrong_reference:
        bank_transfer_mark_received(order=order, actor=finance_user, amount=25_000, reference="NC-AAAA-AAAA")

    assert wrong_amount.value.field == "amount"
    assert wrong_reference.value.field == "reference"
    assert not JournalEntry.objects.exists()


def test_card_orders_cannot_be_marked_as_bank_transfers(finance_user):
    product = ProductFactory()
    order = checkout_create(
        buyer=UserFactory(),
        items=[("revenue.product", str(product.public_id), 1)],
        currency="USD",
        payment_method="4000002760003184",
    )

    with pytest.raises(InvalidState):
        bank_transfer_mark_received(order=order, actor=finance_user, amount=order.total, reference="x")


def test_bank_transfer_refunds_and_payouts_are_manual_work():
    gateway = get_gateway("bank_transfer")

    refund = gateway.refund("NC-AAAA-BBBB", amount=100, currency="EUR", idempotency_key="refund:1")
    payout = gateway.transfer(
        destination="DE89370400440532013000",
        amount=100,
        currency="EUR",
        idempotency_key="payout:1",
        description="",
    )

    assert (refund.state, refund.reference[:6]) == ("pending", "NC-RF-")
    assert (payout.state, payout.reference[:6]) == ("in_transit", "NC-PO-")
    assert gateway.refund("NC-AAAA-BBBB", amount=100, currency="EUR", idempotency_key="refund:1") == refund

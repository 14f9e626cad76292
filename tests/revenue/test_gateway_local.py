"""The local test gateway: Stripe's test cards, the fee rule, refunds, transfers, signed webhooks; the registry."""

import time

import pytest

from revenue.gateways import GatewayNotEnabled, get_gateway
from revenue.gateways.base import ChargeRequest, InvalidWebhook
from revenue.gateways.local import LocalTestGateway, local_fee
from revenue.models import Payment, Refund
from revenue.services.checkout import checkout_create
from tests.factories import UserFactory
from tests.revenue.factories import ProductFactory

pytestmark = pytest.mark.usefixtures("local_gateways")


def _charge(card, key="payment:1", amount=1_000):
    return LocalTestGateway().charge(
        ChargeRequest(
            amount=amount, currency="USD", payment_method=card, description="t", idempotency_key=key
        )
    )


@pytest.mark.parametrize(
    ("card", "state", "code"),
    [
        ("4242424242424242", "succeeded", ""),
        ("4242 4242 4242 4242", "succeeded", ""),
        ("5555555555554444", "succeeded", ""),
        ("4000000000000002", "failed", "card_declined"),
        ("4000000000009995", "failed", "insufficient_funds"),
        ("4000002760003184", "requires_action", ""),
        ("4000002500003155", "requires_action", ""),
        ("4000000000000341", "failed", "card_declined"),
        ("4000000000000259", "succeeded", ""),
        ("pm_card_threeDSecure2Required", "requires_action", ""),
        ("1234", "failed", "incorrect_number"),
    ],
)
def test_test_cards_behave_like_stripes(card, state, code):
    result = _charge(card)

    assert (result.state, result.failure_code) == (state, code)
    assert result.reference.startswith("lt_pi_")
    assert result.fee_amount == (local_fee(1_000) if state == "succeeded" else 0)
    if state == "requires_action":
        assert result.next_action["type"] == "three_d_secure"


def test_same_idempotency_key_same_answer_and_another_key_another_reference():
    assert _charge("4242424242424242", key="payment:a") == _charge("4242424242424242", key="payment:a")
    assert (
        _charge("4242424242424242", key="payment:a").reference
        != _charge("4242424242424242", key="b").reference
    )


@pytest.mark.parametrize(
    ("amount", "fee"),
    [
        (1_000, 59),  # 29 + 30
        (500, 44),  # 14.5 → 14 (half to even) + 30
        (1_500, 74),  # 43.5 → 44 (half to even) + 30
        (10, 10),  # never more than the amount
        (0, 0),
    ],
)
def test_fee_is_2_9_percent_half_even_plus_30(amount, fee):
    assert local_fee(amount) == fee


def test_transfers_are_paid_unless_the_destination_says_fail():
    gateway = LocalTestGateway()

    paid = gateway.transfer(
        destination="acct_123", amount=2_500, currency="USD", idempotency_key="payout:1", description=""
    )
    failed = gateway.transfer(
        destination="acct_will_fail", amount=2_500, currency="USD", idempotency_key="payout:2", description=""
    )

    assert (paid.state, failed.state) == ("paid", "failed")
    assert paid.reference.startswith("lt_tr_")
    assert failed.failure_message


@pytest.mark.django_db
def test_refunds_never_exceed_what_was_captured_and_confirm_works_across_instances():
    product = ProductFactory(unit_amount=1_000)
    order = checkout_create(
        buyer=UserFactory(),
        items=[("revenue.product", str(product.public_id), 1)],
        currency="USD",
        payment_method="4000002760003184",
    )
    payment = order.payments.get()

    # A fresh instance (another process) confirms from our own rows
    confirmed = LocalTestGateway().confirm(payment.gateway_reference, idempotency_key="confirm:x")
    assert (confirmed.state, confirmed.fee_amount) == ("succeeded", local_fee(1_000))
    Payment.objects.filter(pk=payment.pk).update(state=Payment.State.SUCCEEDED)

    gateway = LocalTestGateway()
    first = gateway.refund(payment.gateway_reference, amount=600, currency="USD", idempotency_key="refund:1")
    Refund.objects.create(
        payment=payment, amount=600, currency="USD", state="succeeded", gateway_reference=first.reference
    )
    too_much = gateway.refund(
        payment.gateway_reference, amount=401, currency="USD", idempotency_key="refund:2"
    )
    rest = gateway.refund(payment.gateway_reference, amount=400, currency="USD", idempotency_key="refund:3")
    replay = gateway.refund(payment.gateway_reference, amount=600, currency="USD", idempotency_key="refund:1")

    assert first.state == "succeeded"
    assert too_much.state == "failed"
    assert rest.state == "succeeded"
    assert replay == first
    assert gateway.refund("lt_pi_unknown", amount=1, currency="USD", idempotency_key="r").state == "failed"
    [record] = gateway.list_payments()
    assert (record.reference, record.refunded_amount, record.fee_amount) == (
        payment.gateway_reference,
        600,
        local_fee(1_000),
    )


def test_webhook_signatures_are_verified():
    gateway = LocalTestGateway(secret="s3cret")
    payload, headers = gateway.build_event("payment_intent.succeeded", {"id": "lt_pi_1"}, event_id="evt_1")

    event = gateway.parse_webhook(payload, {k.lower(): v for k, v in headers.items()})
    assert (event.id, event.type, event.data["id"]) == ("evt_1", "payment_intent.succeeded", "lt_pi_1")

    with pytest.raises(InvalidWebhook):
        gateway.parse_webhook(payload + b" ", headers)
    with pytest.raises(InvalidWebhook):
        LocalTestGateway(secret="other").parse_webhook(payload, headers)
    with pytest.raises(InvalidWebhook):
        gateway.parse_webhook(payload, {})
    with pytest.raises(InvalidWebhook):
        gateway.parse_webhook(payload, headers, now=time.time() + 3_600)  # replayed an hour later
    stale = {"Local-Signature": gateway.sign(payload, timestamp=int(time.time()) - 3_600)}
    with pytest.raises(InvalidWebhook):
        gateway.parse_webhook(payload, stale)


def test_registry_refuses_gateways_that_are_not_enabled(settings):
    assert get_gateway().name == "local_test"
    assert get_gateway("bank_transfer").name == "bank_transfer"
    with pytest.raises(GatewayNotEnabled) as error:
        get_gateway("stripe")
    assert error.value.field == "gateway"
    settings.REVENUE_ENABLED_GATEWAYS = ["bank_transfer"]
    with pytest.raises(GatewayNotEnabled):
        get_gateway("local_test")

"""The Stripe gateway against localstripe (PaymentIntents, 3-D Secure, refunds, signed webhooks) and against
recorded Stripe responses for Connect transfers (localstripe has no Connect)."""

import hashlib
import hmac
import http.server
import json
import threading
import time
import urllib.request

import pytest
import stripe

from revenue.exceptions import GatewayUnavailable
from revenue.gateways import get_gateway
from revenue.gateways.base import InvalidWebhook
from revenue.gateways.stripe_gateway import StripeGateway
from revenue.models import AccountKind, GatewayEvent, JournalEntry, Order, Payment
from revenue.services.checkout import checkout_confirm, checkout_create
from tests.factories import UserFactory
from tests.revenue.conftest import STRIPE_TEST_KEY, STRIPE_TEST_WEBHOOK_SECRET
from tests.revenue.factories import ProductFactory, SellerFactory, balance_of
from tests.revenue.recorded_stripe import replay as _replay

K = AccountKind

# All localstripe tests share one server (module fixture); xdist_group keeps them on one worker under
# `--dist loadgroup`, the file lock in conftest guards the rest.
localstripe_tests = [
    pytest.mark.django_db,
    pytest.mark.xdist_group("localstripe"),
    pytest.mark.usefixtures("stripe_enabled"),
]


@pytest.fixture
def stripe_client(stripe_enabled):
    return stripe.StripeClient(STRIPE_TEST_KEY, base_addresses={"api": stripe_enabled}, max_network_retries=0)


def _payment_method(client, number):
    card = {"number": number, "exp_month": 12, "exp_year": 2035, "cvc": "123"}
    return client.v1.payment_methods.create(params={"type": "card", "card": card})["id"]


def _checkout(payment_method, *, amount=10_000, seller=None, buyer=None):
    product = ProductFactory(seller=seller or SellerFactory(), unit_amount=amount, currency="EUR")
    return checkout_create(
        buyer=buyer or UserFactory(),
        items=[("revenue.product", str(product.public_id), 1)],
        currency="EUR",
        payment_method=payment_method,
        gateway="stripe",
    )


class TestAgainstLocalstripe:
    pytestmark = localstripe_tests

    def test_a_card_payment_succeeds_and_posts_the_sale(self, stripe_client):
        seller = SellerFactory()

        order = _checkout(_payment_method(stripe_client, "4242424242424242"), seller=seller)

        assert order.state == Order.State.PAID
        payment = order.payments.get()
        assert payment.state == Payment.State.SUCCEEDED
        assert payment.gateway_reference.startswith("pi_")
        intent = stripe_client.v1.payment_intents.retrieve(payment.gateway_reference)
        assert (intent["amount"], intent["currency"], intent["status"]) == (10_000, "eur", "succeeded")
        assert intent["metadata"]["payment"] == str(payment.public_id)
        assert balance_of(K.GATEWAY_CLEARING, "EUR", gateway="stripe") == 10_000
        assert balance_of(K.SELLER_PENDING, "EUR", seller=seller) == 7_000

    def test_a_card_declined_on_attach_answers_402(self, stripe_client, auth_client):
        product = ProductFactory(currency="EUR")
        payment_method = _payment_method(stripe_client, "4000000000000002")

        response = auth_client.post(
            "/api/v1/revenue/checkouts/",
            {
                "items": [{"type": "revenue.product", "id": str(product.public_id)}],
                "currency": "EUR",
                "payment_method": payment_method,
                "gateway": "stripe",
            },
            format="json",
        )

        assert response.status_code == 402
        assert response.json()["error"]["decline_code"] == "card_declined"
        payment = Payment.objects.get()
        assert (payment.state, payment.failure_code) == (Payment.State.FAILED, "card_declined")
        assert not JournalEntry.objects.exists()

    def test_a_card_that_fails_on_confirm_fails_the_order(self, stripe_client):
        order = _checkout(_payment_method(stripe_client, "4000000000000341"))

        payment = order.payments.get()
        assert order.state == Order.State.FAILED
        assert payment.failure_code == "card_declined"
        assert not JournalEntry.objects.exists()

    def test_three_d_secure_requires_action_then_confirm(self, stripe_client, stripe_enabled):
        # Given a checkout with a 3-D Secure card
        buyer = UserFactory()
        order = _checkout(_payment_method(stripe_client, "4000002760003184"), buyer=buyer)
        payment = order.payments.get()
        assert order.state == Order.State.REQUIRES_ACTION
        assert payment.next_action["type"] == "use_stripe_sdk"
        assert not JournalEntry.objects.exists()

        # When the buyer authenticates with their bank (what Stripe.js does) and the checkout is confirmed
        intent = stripe_client.v1.payment_intents.retrieve(payment.gateway_reference)
        request = urllib.request.Request(  # noqa: S310 - localstripe
            f"{stripe_enabled}/v1/payment_intents/{intent['id']}/_authenticate",
            data=f"client_secret={intent['client_secret']}&success=true".encode(),
            headers={"Authorization": f"Bearer {STRIPE_TEST_KEY}"},
        )
        urllib.request.urlopen(request, timeout=5).close()  # noqa: S310
        order = checkout_confirm(order=order, actor=buyer)

        # Then it is paid and posted
        assert order.state == Order.State.PAID
        assert JournalEntry.objects.filter(kind=JournalEntry.Kind.SALE).count() == 1

    def test_confirm_before_authentication_leaves_it_waiting(self, stripe_client):
        buyer = UserFactory()
        order = _checkout(_payment_method(stripe_client, "4000002500003155"), buyer=buyer)

        order = checkout_confirm(order=order, actor=buyer)

        assert order.state == Order.State.REQUIRES_ACTION

    def test_refunds_and_list_payments(self, stripe_client):
        order = _checkout(_payment_method(stripe_client, "4242424242424242"), amount=2_000)
        payment = order.payments.get()
        gateway = get_gateway("stripe")

        refund = gateway.refund(
            payment.gateway_reference, amount=300, currency="EUR", idempotency_key="refund:t1"
        )

        assert (refund.state, refund.reference[:3]) == ("succeeded", "re_")
        records = {r.reference: r for r in gateway.list_payments()}
        record = records[payment.gateway_reference]
        assert (record.amount, record.currency, record.state, record.refunded_amount) == (
            2_000,
            "EUR",
            "succeeded",
            300,
        )
        assert record.metadata["payment"] == str(payment.public_id)
        assert record.fee_amount == payment.fee_amount == 0  # localstripe charges no fee

    def test_signed_webhooks_from_localstripe_are_verified_and_applied_once(
        self, stripe_client, stripe_enabled, api_client
    ):
        # Given localstripe delivering payment_intent.succeeded, signed with our secret, to a capturing server
        captured = []

        class Capture(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                captured.append((body, dict(self.headers)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        server = http.server.HTTPServer(("127.0.0.1", 0), Capture)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        config = json.dumps(
            {
                "url": f"http://127.0.0.1:{server.server_port}/",
                "secret": STRIPE_TEST_WEBHOOK_SECRET,
                "events": ["payment_intent.succeeded"],
            }
        ).encode()
        register = urllib.request.Request(  # noqa: S310 - localstripe
            f"{stripe_enabled}/_config/webhooks/novacron",
            data=config,
            headers={"Content-Type": "application/json"},
        )
        urllib.request.urlopen(register, timeout=5).close()  # noqa: S310
        try:
            order = _checkout(_payment_method(stripe_client, "4242424242424242"))
            payment = order.payments.get()
            deadline = time.monotonic() + 10
            mine = []
            while time.monotonic() < deadline and not mine:
                mine = [c for c in captured if payment.gateway_reference.encode() in c[0]]
                time.sleep(0.1)
        finally:
            server.shutdown()
        assert mine, "localstripe did not deliver the webhook"
        body, headers = mine[0]

        # When it reaches our endpoint twice
        url = "/api/v1/revenue/webhooks/stripe/"
        first = api_client.post(
            url, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=headers["Stripe-Signature"]
        )
        second = api_client.post(
            url, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=headers["Stripe-Signature"]
        )

        # Then the signature verifies, the event is stored once and the sale was posted only once
        assert first.status_code == second.status_code == 200, first.json()
        assert first.json()["processed"] is True
        assert first.json()["outcome"].endswith("unchanged: payment already succeeded")
        assert GatewayEvent.objects.filter(gateway="stripe").count() == 1
        assert JournalEntry.objects.filter(kind=JournalEntry.Kind.SALE).count() == 1


def _stripe_signature(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """Stripe's signing scheme: v1 = hex HMAC-SHA256 of "<t>.<payload>" with the endpoint secret."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={signature}"


def test_stripe_webhook_signatures_are_verified_with_the_signing_secret():
    gateway = StripeGateway(secret_key="sk_test_x", webhook_secret="whsec_abc")
    payload = json.dumps(
        {
            "id": "evt_1",
            "object": "event",
            "type": "charge.dispute.created",
            "data": {"object": {"id": "dp_1"}},
        }
    ).encode()

    event = gateway.parse_webhook(payload, {"Stripe-Signature": _stripe_signature(payload, "whsec_abc")})

    assert (event.id, event.type, event.data) == ("evt_1", "charge.dispute.created", {"id": "dp_1"})
    for headers in (
        {"Stripe-Signature": _stripe_signature(payload, "whsec_other")},
        {"Stripe-Signature": _stripe_signature(payload, "whsec_abc", timestamp=int(time.time()) - 3_600)},
        {"Stripe-Signature": "t=1,v1=00"},
        {},
    ):
        with pytest.raises(InvalidWebhook):
            gateway.parse_webhook(payload, headers)
    with pytest.raises(InvalidWebhook):
        gateway.parse_webhook(payload + b"\n", {"Stripe-Signature": _stripe_signature(payload, "whsec_abc")})


@pytest.mark.django_db
def test_stripe_webhook_endpoint_answers_400_to_a_bad_signature(settings, api_client):
    settings.REVENUE_ENABLED_GATEWAYS = ["stripe"]
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_abc"
    payload = json.dumps({"id": "evt_2", "type": "x", "data": {"object": {}}}).encode()

    bad = api_client.post(
        "/api/v1/revenue/webhooks/stripe/",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=_stripe_signature(payload, "whsec_wrong"),
    )
    good = api_client.post(
        "/api/v1/revenue/webhooks/stripe/",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=_stripe_signature(payload, "whsec_abc"),
    )

    assert bad.status_code == 400
    assert good.status_code == 200
    assert GatewayEvent.objects.get().event_id == "evt_2"


# --- Connect transfers from recorded Stripe responses --------------------------------------------------------


def _transfer(gateway, request):
    form = request["form"]
    return gateway.transfer(
        destination=form["destination"],
        amount=int(form["amount"]),
        currency=form["currency"].upper(),
        idempotency_key=request["idempotency_key"],
        description=form["description"],
    )


def test_connect_transfer_is_paid():
    gateway, client, request = _replay("stripe_transfer_paid.json")

    result = _transfer(gateway, request)

    assert (result.state, result.reference) == ("paid", "tr_1QAbCdEfGhIjKlMn0pQrStUv")
    assert client.requests == [request]  # same endpoint, form and idempotency key as recorded


def test_connect_transfer_refused_for_insufficient_balance_is_a_failed_result():
    gateway, client, request = _replay("stripe_transfer_insufficient_funds.json")

    result = _transfer(gateway, request)

    assert result.state == "failed"
    assert "insufficient available funds" in result.failure_message
    assert client.requests == [request]


def test_connect_transfer_with_an_unknown_outcome_raises_gateway_unavailable():
    gateway, _client, request = _replay("stripe_transfer_unavailable.json")

    with pytest.raises(GatewayUnavailable):
        _transfer(gateway, request)


def test_stripe_needs_a_secret_key(settings):
    settings.REVENUE_ENABLED_GATEWAYS = ["stripe"]
    settings.STRIPE_SECRET_KEY = ""

    with pytest.raises(GatewayUnavailable):
        get_gateway("stripe")

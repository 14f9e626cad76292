"""Gateway webhooks end to end: signature, storage and effects in one transaction, replays change nothing."""

import json
import threading

import pytest
from django.db import connection

from revenue.exceptions import InvalidState
from revenue.gateways.local import LocalTestGateway, local_fee
from revenue.models import AccountKind, Dispute, GatewayEvent, JournalEntry, Order, Payment, Posting, Refund
from revenue.services.checkout import checkout_confirm, checkout_create
from revenue.services.refunds import refund_create
from revenue.services.webhooks import local_dispute_close_simulate, local_dispute_simulate, webhook_receive
from tests.factories import UserFactory
from tests.revenue.factories import ProductFactory, SellerFactory, assert_ledger_clean, balance_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("local_gateways")]

K = AccountKind
URL = "/api/v1/revenue/webhooks/local_test/"


def _post(client, event_type, obj, event_id):
    payload, headers = LocalTestGateway().build_event(event_type, obj, event_id=event_id)
    return client.post(
        URL, data=payload, content_type="application/json", HTTP_LOCAL_SIGNATURE=headers["Local-Signature"]
    )


def _order(card="4242424242424242", amount=10_000, seller=None):
    product = ProductFactory(seller=seller or SellerFactory(), unit_amount=amount)
    return checkout_create(
        buyer=UserFactory(),
        items=[("revenue.product", str(product.public_id), 1)],
        currency="USD",
        payment_method=card,
    )


def test_webhooks_need_no_csrf_token_or_login():
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)

    response = _post(client, "customer.created", {"id": "cus_csrf"}, "evt_csrf")

    assert response.status_code == 200
    assert response.json()["processed"] is True


def test_a_bad_signature_is_refused_with_400_and_nothing_stored(api_client):
    payload, headers = LocalTestGateway().build_event(
        "payment_intent.succeeded", {"id": "x"}, event_id="evt_bad"
    )
    tampered = payload.replace(b'"x"', b'"y"')

    bad = api_client.post(
        URL, data=tampered, content_type="application/json", HTTP_LOCAL_SIGNATURE=headers["Local-Signature"]
    )
    missing = api_client.post(URL, data=payload, content_type="application/json")

    assert bad.status_code == missing.status_code == 400
    assert bad.json()["error"]["code"] == "invalid_signature"
    assert not GatewayEvent.objects.exists()


def test_unknown_or_disabled_gateways_are_404(api_client):
    assert (
        api_client.post(
            "/api/v1/revenue/webhooks/stripe/", data=b"{}", content_type="application/json"
        ).status_code
        == 404
    )
    assert (
        api_client.post(
            "/api/v1/revenue/webhooks/nope/", data=b"{}", content_type="application/json"
        ).status_code
        == 404
    )


def test_payment_succeeded_captures_an_in_flight_payment_once(api_client, django_capture_on_commit_callbacks):
    # Given a checkout whose gateway answer was lost (payment in flight, no reference recorded)
    order = _order(card="4000002760003184")
    payment = order.payments.get()
    Payment.objects.filter(pk=payment.pk).update(
        state=Payment.State.PROCESSING, gateway_reference="", next_action={}
    )
    Order.objects.filter(pk=order.pk).update(state=Order.State.PENDING)
    obj = {
        "id": "lt_pi_from_webhook",
        "object": "payment_intent",
        "amount": 10_000,
        "currency": "usd",
        "status": "succeeded",
        "fee_amount": local_fee(10_000),
        "metadata": {"payment": str(payment.public_id), "order": str(order.public_id)},
    }

    # When the gateway's payment_intent.succeeded arrives, and is then delivered again
    with django_capture_on_commit_callbacks(execute=True):
        first = _post(api_client, "payment_intent.succeeded", obj, "evt_ok_1")
    second = _post(api_client, "payment_intent.succeeded", obj, "evt_ok_1")

    # Then the payment is found by our metadata, captured and posted, and the replay changed nothing
    assert first.status_code == second.status_code == 200
    assert first.json()["processed"] is True
    payment.refresh_from_db()
    order.refresh_from_db()
    assert (payment.state, payment.gateway_reference, payment.fee_amount) == (
        Payment.State.SUCCEEDED,
        "lt_pi_from_webhook",
        local_fee(10_000),
    )
    assert order.state == Order.State.PAID
    assert GatewayEvent.objects.get().processed_at is not None
    assert JournalEntry.objects.filter(kind=JournalEntry.Kind.SALE).count() == 1
    assert Posting.objects.filter(account__kind=AccountKind.GATEWAY_FEES).count() == 1
    assert_ledger_clean()

    # And another event id for the same payment is stored but changes nothing either
    third = _post(api_client, "payment_intent.succeeded", obj, "evt_ok_2")
    assert third.json()["outcome"].endswith("unchanged: payment already succeeded")
    assert JournalEntry.objects.filter(kind=JournalEntry.Kind.SALE).count() == 1


def test_a_captured_amount_that_differs_is_not_applied(api_client):
    order = _order(card="4000002760003184")
    payment = order.payments.get()
    obj = {"id": payment.gateway_reference, "amount": 9_999, "currency": "usd", "fee_amount": 0}

    response = _post(api_client, "payment_intent.succeeded", obj, "evt_amount")

    assert response.status_code == 422  # the gateway redelivers it
    assert response.json()["processed"] is False
    assert "amount_mismatch" in response.json()["outcome"]
    payment.refresh_from_db()
    assert payment.state == Payment.State.REQUIRES_ACTION
    assert GatewayEvent.objects.get().processed_at is None
    assert not JournalEntry.objects.exists()


def test_payment_failed_fails_a_waiting_payment(api_client):
    order = _order(card="4000002760003184")
    payment = order.payments.get()
    obj = {
        "id": payment.gateway_reference,
        "status": "requires_payment_method",
        "last_payment_error": {"code": "payment_intent_authentication_failure", "message": "3DS failed."},
    }

    response = _post(api_client, "payment_intent.payment_failed", obj, "evt_fail")

    assert response.json()["processed"] is True
    payment.refresh_from_db()
    order.refresh_from_db()
    assert (payment.state, payment.failure_code) == (
        Payment.State.FAILED,
        "payment_intent_authentication_failure",
    )
    assert order.state == Order.State.FAILED


def test_events_for_payments_we_do_not_know_are_stored_as_ignored(api_client):
    response = _post(api_client, "payment_intent.succeeded", {"id": "lt_pi_other", "amount": 1}, "evt_other")
    unhandled = _post(api_client, "customer.created", {"id": "cus_1"}, "evt_customer")

    assert response.json()["outcome"] == "ignored: no matching payment"
    assert unhandled.json()["outcome"].startswith("ignored:")
    assert GatewayEvent.objects.filter(processed_at__isnull=False).count() == 2


def test_refund_events_settle_a_pending_refund_once(api_client, fake_gateway):
    # Given a captured order and a refund posted but not yet answered by the gateway
    order = _order()
    payment = order.payments.get()
    refund = refund_create(order=order, amount=4_000)  # inside the test transaction: the gateway is not asked
    assert refund.state == Refund.State.PENDING
    obj = {
        "id": "lt_ch_1",
        "object": "charge",
        "payment_intent": payment.gateway_reference,
        "amount_refunded": 4_000,
        "refunds": {
            "data": [
                {
                    "id": "lt_re_1",
                    "amount": 4_000,
                    "status": "succeeded",
                    "metadata": {"idempotency_key": f"refund:{refund.public_id}"},
                },
                {"id": "lt_re_dashboard", "amount": 500, "status": "succeeded"},
            ]
        },
    }

    # When the gateway says the refund succeeded (twice)
    first = _post(api_client, "charge.refunded", obj, "evt_refund")
    second = _post(api_client, "charge.refunded", obj, "evt_refund")

    # Then our refund is settled with the gateway's reference; the unknown one is flagged for finance
    refund.refresh_from_db()
    assert (refund.state, refund.gateway_reference) == (Refund.State.SUCCEEDED, "lt_re_1")
    assert "needs review: unknown gateway refund lt_re_dashboard" in first.json()["outcome"]
    assert second.json() == first.json()
    assert GatewayEvent.objects.count() == 1
    assert_ledger_clean()


def test_dispute_webhooks_open_and_close_through_the_dispute_service(api_client):
    # Given a $100 sale from a standard seller
    seller = SellerFactory()
    order = _order(seller=seller)
    payment = order.payments.get()
    dispute_obj = {
        "id": "dp_1",
        "object": "dispute",
        "amount": 10_000,
        "currency": "usd",
        "payment_intent": payment.gateway_reference,
        "reason": "fraudulent",
        "status": "needs_response",
        "evidence_details": {"due_by": 1_900_000_000},
    }

    # When the dispute is opened (delivered twice), then lost
    opened = _post(api_client, "charge.dispute.created", dispute_obj, "evt_dp_open")
    _post(api_client, "charge.dispute.created", dispute_obj, "evt_dp_open")
    closed = _post(api_client, "charge.dispute.closed", {**dispute_obj, "status": "lost"}, "evt_dp_closed")
    _post(api_client, "charge.dispute.closed", {**dispute_obj, "status": "lost"}, "evt_dp_closed")

    # Then one dispute exists, opened and closed once, with its evidence deadline
    assert opened.json()["processed"] is True, opened.json()
    assert closed.json()["processed"] is True, closed.json()
    dispute = Dispute.objects.get()
    assert (dispute.amount, dispute.reason, dispute.gateway_reference) == (10_000, "fraudulent", "dp_1")
    assert dispute.state == Dispute.State.LOST
    assert int(dispute.evidence_due_by.timestamp()) == 1_900_000_000
    assert JournalEntry.objects.filter(kind=JournalEntry.Kind.DISPUTE_OPENED).count() == 1
    assert JournalEntry.objects.filter(kind=JournalEntry.Kind.DISPUTE_LOST).count() == 1
    assert balance_of(K.SELLER_PENDING, seller=seller) == 0
    assert GatewayEvent.objects.count() == 2
    assert_ledger_clean()


def test_the_dispute_card_is_disputed_right_after_paying(django_capture_on_commit_callbacks):
    # When a buyer pays with 4000 0000 0000 0259 and the transaction commits
    with django_capture_on_commit_callbacks(execute=True):
        order = _order(card="4000000000000259")

    # Then a signed dispute event went through the webhook path and opened a dispute
    payment = order.payments.get()
    dispute = Dispute.objects.get(payment=payment)
    assert dispute.state == Dispute.State.NEEDS_RESPONSE
    event = GatewayEvent.objects.get(type="charge.dispute.created")
    assert event.processed_at is not None

    # And simulating it again, then winning it, opens nothing new and reverses the clawback
    local_dispute_simulate(payment=payment)
    local_dispute_close_simulate(payment=payment, won=True)
    dispute.refresh_from_db()
    assert Dispute.objects.count() == 1
    assert dispute.state == Dispute.State.WON
    assert_ledger_clean()


def test_webhook_payload_is_stored_verbatim(api_client):
    _post(api_client, "customer.created", {"id": "cus_1", "email": "a@example.com"}, "evt_store")

    event = GatewayEvent.objects.get()
    assert event.payload["data"]["object"] == {"id": "cus_1", "email": "a@example.com"}
    assert json.loads(json.dumps(event.payload))["id"] == "evt_store"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_and_confirms_capture_once():
    # Given a payment waiting for 3-D Secure
    order = _order(card="4000002760003184")
    payment = order.payments.get()
    obj = {
        "id": payment.gateway_reference,
        "amount": 10_000,
        "currency": "usd",
        "fee_amount": local_fee(10_000),
    }
    deliveries = [
        LocalTestGateway().build_event("payment_intent.succeeded", obj, event_id=f"evt_race_{i % 2}")
        for i in range(4)
    ]
    barrier = threading.Barrier(6)
    errors = []

    def run(action):
        try:
            barrier.wait(timeout=10)
            action()
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    # When the same two events arrive twice each while the buyer confirms twice, all at once
    actions = [
        *(
            lambda p=p, h=h: webhook_receive(gateway="local_test", payload=p, headers=h)
            for p, h in deliveries
        ),
        *(
            lambda: checkout_confirm(order=Order.objects.get(pk=order.pk), actor=order.buyer)
            for _ in range(2)
        ),
    ]
    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # Then the payment was captured and posted exactly once, and each event stored once
    assert not [e for e in errors if not isinstance(e, InvalidState)], errors
    payment.refresh_from_db()
    assert payment.state == Payment.State.SUCCEEDED
    assert JournalEntry.objects.filter(kind=JournalEntry.Kind.SALE).count() == 1
    assert Posting.objects.filter(account__kind=AccountKind.GATEWAY_FEES).count() == 1
    assert sorted(GatewayEvent.objects.values_list("event_id", flat=True)) == ["evt_race_0", "evt_race_1"]
    assert_ledger_clean()

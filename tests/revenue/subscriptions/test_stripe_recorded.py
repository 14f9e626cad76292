"""What localstripe does not reproduce: real Stripe refuses an off-session PaymentIntent whose card needs
authentication with a 402 `authentication_required` (localstripe answers requires_action instead). Replayed from a
recorded-shape response (see recorded/*.json) to check it is a failed result dunning handles, not an exception,
and that the request is an off-session PaymentIntent for the stored customer and card."""

import json
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import stripe

from revenue.gateways.base import ChargeRequest, off_session_method, split_off_session
from revenue.gateways.stripe_gateway import StripeGateway
from revenue.services.subscriptions_billing import AUTHENTICATION_REQUIRED

RECORDED = Path(__file__).parent / "recorded"


class SequenceHTTPClient(stripe.HTTPClient):
    """Replays recorded exchanges in order and keeps the requests it received."""

    name = "recorded-sequence"

    def __init__(self, exchanges):
        super().__init__()
        self.exchanges = list(exchanges)
        self.requests = []

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        self.requests.append(
            {
                "method": method,
                "path": urlsplit(url).path,
                "form": dict(parse_qsl(post_data or "")),
                "idempotency_key": dict(headers or {}).get("Idempotency-Key"),
            }
        )
        response = self.exchanges[len(self.requests) - 1]["response"]
        return json.dumps(response["body"]), response["status"], response["headers"]

    def close(self):
        pass


def test_off_session_charge_needing_authentication_is_a_failed_result():
    # given Stripe answering an off-session renewal with 402 authentication_required
    exchanges = json.loads((RECORDED / "stripe_off_session_authentication_required.json").read_text())[
        "exchanges"
    ]
    http = SequenceHTTPClient(exchanges)
    gateway = StripeGateway(secret_key="sk_test_recorded", http_client=http, max_network_retries=0)
    sent = exchanges[1]["request"]
    # when the renewal is charged with the stored card marked off-session
    result = gateway.charge(
        ChargeRequest(
            amount=5_000,
            currency="EUR",
            payment_method=off_session_method("pm_1NovaCronSca3DS0001"),
            description=sent["form"]["metadata[description]"],
            idempotency_key=sent["idempotency_key"],
            metadata={"order": sent["form"]["metadata[order]"], "payment": sent["form"]["metadata[payment]"]},
        )
    )
    # then it is a failed charge with Stripe's code and the intent's id (no exception)
    assert (result.state, result.failure_code, result.reference) == (
        "failed",
        AUTHENTICATION_REQUIRED,
        "pi_3NovaCronOffSess01",
    )
    # and Stripe was asked for an off-session PaymentIntent on the stored customer and card, nothing attached
    assert [(r["method"], r["path"]) for r in http.requests] == [
        (e["request"]["method"], e["request"]["path"]) for e in exchanges
    ]
    assert http.requests[1]["form"] == sent["form"]
    assert http.requests[1]["idempotency_key"] == sent["idempotency_key"]


def test_off_session_mark_round_trips_and_is_accepted_by_stripe_only_on_pm_ids():
    gateway = StripeGateway(secret_key="sk_test_x")
    marked = off_session_method("pm_123")
    assert off_session_method(marked) == marked  # marking twice changes nothing
    assert split_off_session(marked) == ("pm_123", True)
    assert split_off_session("pm_123") == ("pm_123", False)
    assert gateway.normalize_payment_method(marked) == marked
    assert gateway.normalize_payment_method(" pm_123 ") == "pm_123"
    forged = "off_session:0000000000000000:pm_123"
    assert split_off_session(forged) == (forged, False)
    for bad in (forged, off_session_method("4242424242424242"), "4242424242424242", ""):
        with pytest.raises(ValueError, match="PaymentMethod"):
            gateway.normalize_payment_method(bad)

"""Replaying recorded Stripe responses (for what localstripe does not cover: Connect transfers, disputes)."""

import json
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import stripe

from revenue.gateways.stripe_gateway import StripeGateway

RECORDED = Path(__file__).parent / "recorded"


class RecordedHTTPClient(stripe.HTTPClient):
    """Replays one recorded Stripe response and keeps the request it received."""

    name = "recorded"

    def __init__(self, recording: dict):
        super().__init__()
        self.recording = recording
        self.requests: list[dict] = []

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        self.requests.append(
            {
                "method": method,
                "path": urlsplit(url).path,
                "form": dict(parse_qsl(post_data or "")),
                "idempotency_key": dict(headers or {}).get("Idempotency-Key"),
            }
        )
        response = self.recording["response"]
        return json.dumps(response["body"]), response["status"], response["headers"]

    def close(self):
        pass


def replay(name: str) -> tuple[StripeGateway, RecordedHTTPClient, dict]:
    recording = json.loads((RECORDED / name).read_text())
    client = RecordedHTTPClient(recording)
    gateway = StripeGateway(secret_key="sk_test_recorded", http_client=client, max_network_retries=0)
    return gateway, client, recording["request"]

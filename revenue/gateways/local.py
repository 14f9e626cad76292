"""The local test gateway: in-process, deterministic, following Stripe's test-card behaviour.

It is the default for `make run`, demos and tests. Nothing leaves the process, and every answer is a pure function
of the request, so retrying a call with the same idempotency key gives the same reference and the same outcome.

Test cards (spaces allowed; Stripe's `pm_card_*` test ids work too):

    4242 4242 4242 4242   succeeds
    4000 0000 0000 0002   declined, card_declined
    4000 0000 0000 9995   declined, insufficient_funds
    4000 0027 6000 3184   3-D Secure: charge → requires_action; confirm() succeeds
    4000 0025 0000 3155   3-D Secure, as above
    4000 0000 0000 0341   attaches (can be stored for subscriptions) but every charge fails (card_declined)
    4000 0000 0000 0259   succeeds, then the buyer disputes it (the reference ends in "_dp"; see
                          services.webhooks.local_dispute_simulate)
    other Luhn-valid numbers succeed; anything else fails with incorrect_number.

Fee: 2.9% of the amount rounded half-to-even to the minor unit, plus 30 minor units, never more than the amount
(`local_fee`). For zero-decimal currencies that is 30 whole units (¥30), as the rule is stated in minor units.

State: the gateway keeps no table of its own. What it must remember across processes (a payment's amount for
confirm and refunds, what was refunded, what exists for reconcile) is derived from our own Payment and Refund rows,
which record every reference it hands out. Transfers succeed as "paid" unless the destination contains "fail".

Webhooks are signed like Stripe's: header `Local-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "t.payload">`
with REVENUE_LOCAL_WEBHOOK_SECRET (derived from SECRET_KEY when unset), 5 minutes' tolerance.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Mapping
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Sum

from revenue.gateways.base import (
    ChargeRequest,
    ChargeResult,
    EvidenceResult,
    GatewayRecord,
    InvalidWebhook,
    RefundResult,
    TransferResult,
    WebhookEvent,
)
from revenue.gateways.own_records import own_payment_records

NAME = "local_test"
SIGNATURE_HEADER = "Local-Signature"
TOLERANCE_SECONDS = 300
FEE_RATE = Decimal("0.029")
FEE_FIXED = 30

SUCCEED = "succeed"
DECLINE = "decline"
INSUFFICIENT = "insufficient_funds"
THREE_DS = "three_d_secure"
FAIL_ON_CAPTURE = "fail_on_capture"
DISPUTE = "dispute"

TEST_CARDS: dict[str, str] = {
    "4242424242424242": SUCCEED,
    "4000000000000002": DECLINE,
    "4000000000009995": INSUFFICIENT,
    "4000002760003184": THREE_DS,
    "4000002500003155": THREE_DS,
    "4000000000000341": FAIL_ON_CAPTURE,
    "4000000000000259": DISPUTE,
}
# Stripe's test PaymentMethod ids, so demos need no raw card numbers.
TEST_PAYMENT_METHODS: dict[str, str] = {
    "pm_card_visa": "4242424242424242",
    "pm_card_chargeDeclined": "4000000000000002",
    "pm_card_chargeDeclinedInsufficientFunds": "4000000000009995",
    "pm_card_threeDSecure2Required": "4000002760003184",
    "pm_card_authenticationRequired": "4000002500003155",
    "pm_card_chargeCustomerFail": "4000000000000341",
    "pm_card_createDispute": "4000000000000259",
}
DISPUTE_SUFFIX = "_dp"


def local_fee(amount: int) -> int:
    """2.9% + 30 minor units, the percentage rounded half-to-even, capped at the amount itself."""
    percent = int((Decimal(amount) * FEE_RATE).to_integral_value(rounding=ROUND_HALF_EVEN))
    return min(amount, percent + FEE_FIXED)


def _digest(value: str, length: int = 24) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:length]


def _luhn_ok(number: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def card_number(payment_method: str) -> str:
    """The card number a payment method stands for (spaces and dashes dropped; `pm_card_*` aliases resolved)."""
    value = (payment_method or "").strip()
    if value in TEST_PAYMENT_METHODS:
        return TEST_PAYMENT_METHODS[value]
    return value.replace(" ", "").replace("-", "")


def card_behaviour(payment_method: str) -> str | None:
    """What the card does, or None for a number that is not a valid card."""
    number = card_number(payment_method)
    if number in TEST_CARDS:
        return TEST_CARDS[number]
    if number.isdigit() and 12 <= len(number) <= 19 and _luhn_ok(number):
        return SUCCEED
    return None


def webhook_secret() -> str:
    configured = getattr(settings, "REVENUE_LOCAL_WEBHOOK_SECRET", "")
    if configured:
        return configured
    return hmac.new(settings.SECRET_KEY.encode(), b"revenue.local_test.webhook", hashlib.sha256).hexdigest()


def _signature(secret: str, timestamp: int, payload: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()


def _header(headers: Mapping[str, str], name: str) -> str:
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return ""


class LocalTestGateway:
    name = NAME

    def __init__(self, *, secret: str | None = None) -> None:
        self._secret = secret

    @property
    def secret(self) -> str:
        return self._secret or webhook_secret()

    # --- payments --------------------------------------------------------------------------------------
    def normalize_payment_method(self, payment_method: str) -> str:
        """Refuse what cannot be a card before an order is created (raises ValueError with a message)."""
        if card_behaviour(payment_method) is None:
            raise ValueError(
                "Enter a card number (test cards such as 4242 4242 4242 4242) or a pm_card_* id."
            )
        return payment_method.strip()

    def attach_payment_method(self, payment_method: str) -> str:
        """Store a card for off-session charges (subscriptions), like attaching a PaymentMethod on Stripe:
        declined cards (0002, 9995) are refused here; 4000 0000 0000 0341 attaches and fails when charged."""
        token = self.normalize_payment_method(payment_method)
        if card_behaviour(token) in (DECLINE, INSUFFICIENT):
            raise ValueError("Your card was declined.")
        return token

    def charge(self, request: ChargeRequest) -> ChargeResult:
        behaviour = card_behaviour(request.payment_method)
        reference = f"lt_pi_{_digest(request.idempotency_key)}"
        if behaviour is None:
            return ChargeResult(
                reference=reference,
                state="failed",
                failure_code="incorrect_number",
                failure_message="Your card number is incorrect.",
            )
        if behaviour == DECLINE:
            return self._declined(reference, "card_declined", "Your card was declined.")
        if behaviour == INSUFFICIENT:
            return self._declined(reference, "insufficient_funds", "Your card has insufficient funds.")
        if behaviour == FAIL_ON_CAPTURE:
            return self._declined(reference, "card_declined", "Your card was declined.")
        if behaviour == THREE_DS:
            return ChargeResult(
                reference=reference,
                state="requires_action",
                card_country="US",
                next_action={
                    "type": "three_d_secure",
                    "three_d_secure": {
                        "message": "Authenticate the payment with your bank, then confirm the checkout.",
                        "simulated": True,
                    },
                },
            )
        if behaviour == DISPUTE:
            reference += DISPUTE_SUFFIX
        return ChargeResult(
            reference=reference, state="succeeded", fee_amount=local_fee(request.amount), card_country="US"
        )

    @staticmethod
    def _declined(reference: str, code: str, message: str) -> ChargeResult:
        return ChargeResult(
            reference=reference, state="failed", card_country="US", failure_code=code, failure_message=message
        )

    def confirm(self, reference: str, *, idempotency_key: str) -> ChargeResult:
        """The buyer completed 3-D Secure: the payment succeeds (the only local cards that need it all pass)."""
        payment = self._payment(reference)
        if payment is None:
            return ChargeResult(
                reference=reference,
                state="failed",
                failure_code="resource_missing",
                failure_message="No such payment.",
            )
        if payment.state in ("requires_action", "succeeded"):
            return ChargeResult(
                reference=reference,
                state="succeeded",
                fee_amount=local_fee(payment.amount),
                card_country="US",
            )
        return self.retrieve(reference)

    def retrieve(self, reference: str) -> ChargeResult:
        payment = self._payment(reference)
        if payment is None:
            return ChargeResult(
                reference=reference,
                state="failed",
                failure_code="resource_missing",
                failure_message="No such payment.",
            )
        state = {
            "succeeded": "succeeded",
            "requires_action": "requires_action",
            "processing": "processing",
        }.get(payment.state, "failed")
        return ChargeResult(
            reference=reference,
            state=state,
            fee_amount=local_fee(payment.amount) if state == "succeeded" else 0,
            card_country=payment.card_country,
            next_action=payment.next_action if state == "requires_action" else {},
            failure_code=payment.failure_code,
            failure_message=payment.failure_message,
        )

    def refund(self, reference: str, *, amount: int, currency: str, idempotency_key: str) -> RefundResult:
        from revenue.models import Refund

        refund_reference = f"lt_re_{_digest(idempotency_key)}"
        payment = self._payment(reference)
        if payment is None or payment.state != "succeeded":
            return RefundResult(refund_reference, "failed", "No captured payment with this reference.")
        if currency.upper() != payment.currency:
            return RefundResult(refund_reference, "failed", "Refund currency differs from the payment's.")
        refunded = (
            Refund.objects.filter(payment=payment, state="succeeded")
            .exclude(gateway_reference=refund_reference)
            .aggregate(total=Sum("amount"))["total"]
            or 0
        )
        if amount <= 0 or amount > payment.amount - refunded:
            return RefundResult(
                refund_reference,
                "failed",
                f"Refund of {amount} exceeds the {payment.amount - refunded} still refundable.",
            )
        return RefundResult(refund_reference, "succeeded")

    def transfer(
        self, *, destination: str, amount: int, currency: str, idempotency_key: str, description: str
    ) -> TransferResult:
        reference = f"lt_tr_{_digest(idempotency_key)}"
        if "fail" in destination.lower():
            return TransferResult(reference, "failed", "The destination account cannot receive transfers.")
        if amount <= 0:
            return TransferResult(reference, "failed", "Transfer amount must be positive.")
        return TransferResult(reference, "paid")

    def submit_dispute_evidence(self, reference: str, *, text: str, idempotency_key: str) -> EvidenceResult:
        """Accepts evidence for the disputes it simulates (references "dp_lt_…"), as Stripe does."""
        if not reference.startswith("dp_lt_"):
            return EvidenceResult(False, f"No such dispute: {reference}.")
        if not text.strip():
            return EvidenceResult(False, "The evidence is empty.")
        return EvidenceResult(True)

    def list_payments(self, *, since: datetime | None = None) -> list[GatewayRecord]:
        return own_payment_records(self.name, since=since, fee=local_fee)

    def _payment(self, reference: str) -> Any:
        from revenue.models import Payment

        return Payment.objects.filter(gateway=self.name, gateway_reference=reference).first()

    # --- webhooks ------------------------------------------------------------------------------------------
    def sign(self, payload: bytes, *, timestamp: int | None = None) -> str:
        """The `Local-Signature` header value for a payload."""
        timestamp = int(time.time()) if timestamp is None else timestamp
        return f"t={timestamp},v1={_signature(self.secret, timestamp, payload)}"

    def build_event(
        self,
        event_type: str,
        obj: Mapping[str, Any],
        *,
        event_id: str | None = None,
        created: int | None = None,
    ) -> tuple[bytes, dict[str, str]]:
        """A signed webhook request (body, headers) shaped like Stripe's events."""
        created = int(time.time()) if created is None else created
        event = {
            "id": event_id or f"evt_lt_{uuid.uuid4().hex[:24]}",
            "object": "event",
            "type": event_type,
            "created": created,
            "data": {"object": dict(obj)},
        }
        payload = json.dumps(event, sort_keys=True).encode()
        return payload, {
            SIGNATURE_HEADER: self.sign(payload, timestamp=created),
            "Content-Type": "application/json",
        }

    def parse_webhook(
        self, payload: bytes, headers: Mapping[str, str], *, now: float | None = None
    ) -> WebhookEvent:
        header = _header(headers, SIGNATURE_HEADER)
        if not header:
            raise InvalidWebhook(f"Missing {SIGNATURE_HEADER} header.")
        timestamp: int | None = None
        signatures: list[str] = []
        for part in header.split(","):
            key, _, value = part.strip().partition("=")
            if key == "t" and value.isdigit():
                timestamp = int(value)
            elif key == "v1":
                signatures.append(value)
        if timestamp is None or not signatures:
            raise InvalidWebhook("Malformed signature header.")
        expected = _signature(self.secret, timestamp, payload)
        if not any(hmac.compare_digest(expected, signature) for signature in signatures):
            raise InvalidWebhook("Signature does not match.")
        current = time.time() if now is None else now
        if abs(current - timestamp) > TOLERANCE_SECONDS:
            raise InvalidWebhook("Signature timestamp outside the tolerance.")
        try:
            event = json.loads(payload)
            return WebhookEvent(
                id=str(event["id"]), type=str(event["type"]), data=dict(event["data"]["object"]), raw=event
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidWebhook("Malformed event payload.") from exc

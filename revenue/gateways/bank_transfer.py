"""Manual bank transfer: the buyer wires the money quoting a payment reference; finance marks it received.

- charge → "processing" with a reference NC-XXXX-XXXX (derived from the idempotency key, so a retried call gives
  the same reference) and the bank instructions in `next_action`;
- finance calls services.payments.bank_transfer_mark_received, which captures and posts the sale;
- refunds and transfers (payouts) are manual work: they come back "pending" / "in_transit" with a reference for
  finance's bank portal.

The bank account shown to buyers is REVENUE_BANK_ACCOUNT (a dict: account_holder, iban, bic, bank_name) when set,
else a clearly fake demo account. The gateway keeps no state of its own: it reads our Payment rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.conf import settings

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

NAME = "bank_transfer"
# No 0/O, 1/I: references are typed by hand into banking apps.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
DEMO_ACCOUNT = {
    "account_holder": "NovaCron Community (demo account, do not pay)",
    "iban": "DE00 0000 0000 0000 0000 00",
    "bic": "DEMODEXXXXX",
    "bank_name": "Demo Bank",
}


def _code(seed: str, length: int) -> str:
    number = int.from_bytes(hashlib.sha256(seed.encode()).digest(), "big")
    chars = []
    for _ in range(length):
        number, index = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[index])
    return "".join(chars)


def payment_reference(idempotency_key: str) -> str:
    """NC-XXXX-XXXX, deterministic per idempotency key."""
    code = _code(idempotency_key, 8)
    return f"NC-{code[:4]}-{code[4:]}"


def normalize_reference(reference: str) -> str:
    """How a reference is compared: upper case, spaces dropped (buyers type it into their banking app)."""
    return "".join((reference or "").upper().split())


def bank_account() -> dict[str, str]:
    return {**DEMO_ACCOUNT, **getattr(settings, "REVENUE_BANK_ACCOUNT", {})}


class BankTransferGateway:
    name = NAME

    def normalize_payment_method(self, payment_method: str) -> str:
        if payment_method not in ("", "bank_transfer"):
            raise ValueError('For a bank transfer leave payment_method empty (or "bank_transfer").')
        return "bank_transfer"

    def charge(self, request: ChargeRequest) -> ChargeResult:
        reference = payment_reference(request.idempotency_key)
        return ChargeResult(
            reference=reference,
            state="processing",
            next_action={
                "type": "bank_transfer",
                "bank_transfer": {
                    "reference": reference,
                    "amount": request.amount,
                    "currency": request.currency,
                    **bank_account(),
                    "instructions": f"Transfer exactly the amount and quote {reference} as the payment "
                    "reference. The order is completed once the money has arrived.",
                },
            },
        )

    def confirm(self, reference: str, *, idempotency_key: str) -> ChargeResult:
        """Nothing to confirm: the payment completes when finance marks the transfer received."""
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
        state = {"succeeded": "succeeded", "processing": "processing"}.get(payment.state, "failed")
        return ChargeResult(
            reference=reference,
            state=state,
            next_action=payment.next_action if state == "processing" else {},
            failure_code=payment.failure_code,
            failure_message=payment.failure_message,
        )

    def refund(self, reference: str, *, amount: int, currency: str, idempotency_key: str) -> RefundResult:
        """Recorded as pending manual work: finance wires the money back."""
        return RefundResult(f"NC-RF-{_code(idempotency_key, 8)}", "pending")

    def transfer(
        self, *, destination: str, amount: int, currency: str, idempotency_key: str, description: str
    ) -> TransferResult:
        """A manual payout: finance sends it from the bank portal quoting this reference."""
        return TransferResult(f"NC-PO-{_code(idempotency_key, 8)}", "in_transit")

    def submit_dispute_evidence(self, reference: str, *, text: str, idempotency_key: str) -> EvidenceResult:
        return EvidenceResult(
            False, "Bank transfers cannot be charged back, so there is no gateway to answer."
        )

    def parse_webhook(self, payload: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        raise InvalidWebhook("Bank transfers have no webhooks; finance marks transfers received.")

    def list_payments(self, *, since: datetime | None = None) -> list[GatewayRecord]:
        return own_payment_records(self.name, since=since)

    def _payment(self, reference: str) -> Any:
        from revenue.models import Payment

        return Payment.objects.filter(gateway=self.name, gateway_reference=reference).first()

"""The gateway interface every payment provider implements, and the registry that picks one by name.

Amounts are integer minor units with an ISO 4217 currency. Every call that moves money takes an idempotency key
derived from our own ids, so retrying a call after a timeout never charges, refunds or pays twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol


class InvalidWebhook(Exception):
    """The webhook's signature or payload could not be verified."""


@dataclass(frozen=True)
class ChargeRequest:
    amount: int
    currency: str
    payment_method: (
        str  # a card number (local test gateway), a Stripe PaymentMethod id, or "" for bank transfer
    )
    description: str
    idempotency_key: str
    customer_email: str = ""
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ChargeResult:
    reference: str
    state: Literal["succeeded", "requires_action", "processing", "failed"]
    fee_amount: int = 0
    card_country: str = ""
    next_action: Mapping[str, Any] = field(default_factory=dict)
    failure_code: str = ""
    failure_message: str = ""


@dataclass(frozen=True)
class RefundResult:
    reference: str
    state: Literal["succeeded", "pending", "failed"]
    failure_message: str = ""


@dataclass(frozen=True)
class TransferResult:
    reference: str
    state: Literal["in_transit", "paid", "failed"]
    failure_message: str = ""


@dataclass(frozen=True)
class EvidenceResult:
    accepted: bool
    message: str = ""  # why the gateway refused it


@dataclass(frozen=True)
class WebhookEvent:
    id: str
    type: str
    data: Mapping[str, Any]
    raw: Mapping[str, Any]


@dataclass(frozen=True)
class GatewayRecord:
    """A payment as the gateway reports it, for reconciliation."""

    reference: str
    amount: int
    currency: str
    state: str
    refunded_amount: int
    created_at: datetime | None
    # Added compatibly (defaults): the gateway's fee when it reports one, and the metadata we sent with the
    # charge (`payment` = our Payment's public id) so a charge whose reference we never recorded can be matched.
    fee_amount: int | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)


class PaymentGateway(Protocol):
    name: str

    def charge(self, request: ChargeRequest) -> ChargeResult:
        """Authorise and capture. May return requires_action (3-D Secure) or processing (bank transfer)."""

    def confirm(self, reference: str, *, idempotency_key: str) -> ChargeResult:
        """Finish a payment that required action."""

    def retrieve(self, reference: str) -> ChargeResult:
        """The payment's current state at the gateway, with its fee once captured (webhooks, recovery).
        Added compatibly: read-only, moves no money."""

    def refund(self, reference: str, *, amount: int, currency: str, idempotency_key: str) -> RefundResult: ...

    def transfer(
        self, *, destination: str, amount: int, currency: str, idempotency_key: str, description: str
    ) -> TransferResult:
        """Send a payout to a seller (Stripe Connect account id, or bank details reference)."""

    def submit_dispute_evidence(self, reference: str, *, text: str, idempotency_key: str) -> EvidenceResult:
        """Send the dispute's evidence to the card network through the gateway and submit it (final: nothing can
        be added afterwards). Raises GatewayUnavailable when the gateway cannot be reached."""

    def parse_webhook(self, payload: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        """Verify the signature and return the event; raise InvalidWebhook otherwise."""

    def list_payments(self, *, since: datetime | None = None) -> list[GatewayRecord]: ...

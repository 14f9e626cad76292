"""The gateway interface every payment provider implements, and the registry that picks one by name.

Amounts are integer minor units with an ISO 4217 currency. Every call that moves money takes an idempotency key
derived from our own ids, so retrying a call after a timeout never charges, refunds or pays twice.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from django.conf import settings


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

    # Added compatibly: a charge the buyer did not start (a subscription renewal, a dunning retry) carries its
    # stored method marked with `off_session_method()`; checkout passes the string through unchanged.
    @property
    def off_session(self) -> bool:
        return split_off_session(self.payment_method)[1]

    @property
    def stored_payment_method(self) -> str:
        """The payment method without the off-session mark."""
        return split_off_session(self.payment_method)[0]


OFF_SESSION_PREFIX = "off_session:"


def _off_session_signature(token: str) -> str:
    key = hashlib.sha256(f"revenue.off_session|{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()[:16]


def off_session_method(token: str) -> str:
    """Mark a stored payment method token for a merchant-initiated (off-session) charge. Only for gateways whose
    `supports_off_session` is True (they accept the mark in normalize_payment_method and charge). The mark is
    signed with SECRET_KEY, so a buyer cannot send one through the checkout API to pose as a renewal."""
    if split_off_session(token)[1]:
        return token
    return f"{OFF_SESSION_PREFIX}{_off_session_signature(token)}:{token}"


def split_off_session(payment_method: str) -> tuple[str, bool]:
    """(token, whether it carries a valid off-session mark). A forged or broken mark is returned unchanged."""
    value = payment_method or ""
    if not value.startswith(OFF_SESSION_PREFIX):
        return value, False
    signature, _, token = value[len(OFF_SESSION_PREFIX) :].partition(":")
    if token and hmac.compare_digest(signature, _off_session_signature(token)):
        return token, True
    return value, False


@dataclass(frozen=True)
class StoredPaymentMethod:
    """What `attach_payment_method` may return instead of a bare token: the token to store and a label to show
    (e.g. "Visa •••• 4242"), for gateways whose tokens do not carry the card's digits."""

    token: str
    label: str = ""


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


class StoresPaymentMethods(Protocol):
    """Optional, added compatibly: a gateway that can keep a payment method for later charges the buyer does not
    start (subscriptions). Gateways without it cannot be used for subscriptions' stored methods beyond what
    `normalize_payment_method` accepts.

    - `attach_payment_method(payment_method)` validates the method and stores it for reuse, returning the token
      (str) or a StoredPaymentMethod (token + label). It raises ValueError with a buyer-facing message when the
      method is refused (e.g. declined on attach). Gateways that keep a customer record (Stripe) also accept the
      keyword `customer_email=` to find or create the buyer's customer; callers pass it only when the signature
      has it (the local test gateway's does not).
    - `supports_off_session = True` means the gateway understands tokens marked with `off_session_method()`:
      such a charge is made without the buyer (Stripe: `off_session=True`), and a card that needs the buyer to
      authenticate gives "requires_action" or "failed" (code "authentication_required"), never an exception.
    """

    supports_off_session: bool

    def attach_payment_method(self, payment_method: str) -> str | StoredPaymentMethod: ...

"""Stripe through the stripe SDK (a `StripeClient`, no global state).

- charge: the PaymentMethod (pm_..., created client-side by Stripe.js) is attached to the buyer's Customer (found by
  email, else created) and a PaymentIntent is created and confirmed in one call (automatic capture). Every call
  that creates something carries an idempotency key derived from ours, so a retry after a timeout never charges
  twice. A card declined on attach or on confirm gives a "failed" result with Stripe's code; 3-D Secure gives
  "requires_action" with Stripe's next_action; the fee comes from the charge's balance transaction.
- attach_payment_method (subscriptions): the PaymentMethod is attached to the buyer's Customer (found by email,
  else created) so it can be charged later; a card declined on attach raises ValueError (the buyer sees why).
- off-session charges (a token marked with `base.off_session_method`: renewals, dunning retries, prorations):
  a PaymentIntent with customer + payment_method + off_session=True + confirm=True. A card that needs the buyer
  to authenticate gives Stripe's 402 `authentication_required` ("failed", code authentication_required) or, on
  localstripe, a PaymentIntent in requires_action ("requires_action"): either way a result dunning handles.
- confirm: after the buyer authenticated (Stripe.js), the PaymentIntent is re-read and confirmed if it still
  needs confirmation.
- refund: Refund on the PaymentIntent; transfer: Connect `Transfer` to the seller's acct_... account.
- parse_webhook: `stripe.Webhook.construct_event` with STRIPE_WEBHOOK_SECRET.
- list_payments: PaymentIntents with their latest charge (refunds, fee) for reconcile; `since` is applied here,
  as localstripe does not filter PaymentIntents by date.

Network failures, rate limits and Stripe 5xx raise GatewayUnavailable (the outcome is unknown: callers keep the
payment in flight and recover it later); card and request errors are results, not exceptions.
STRIPE_API_BASE points the client at another server (localstripe in tests).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import stripe
from django.conf import settings

from revenue.exceptions import GatewayUnavailable
from revenue.gateways.base import (
    ChargeRequest,
    ChargeResult,
    EvidenceResult,
    GatewayRecord,
    InvalidWebhook,
    RefundResult,
    StoredPaymentMethod,
    TransferResult,
    WebhookEvent,
    split_off_session,
)

NAME = "stripe"
_TRANSIENT = (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError, stripe.AuthenticationError)
_FAILED_STATES = {"requires_payment_method", "canceled"}
_EXPAND_CHARGE = ["latest_charge.balance_transaction", "payment_method"]


def _dict(obj: Any) -> dict[str, Any]:
    if obj is None:
        return {}
    if isinstance(obj, dict):
        return obj
    return obj.to_dict()


def _id(value: Any) -> str:
    """An expandable field: either the id string or the expanded object."""
    if isinstance(value, str):
        return value
    return str(_dict(value).get("id") or "")


class StripeGateway:
    name = NAME
    supports_off_session = True

    def __init__(
        self,
        *,
        secret_key: str,
        webhook_secret: str = "",
        api_base: str = "",
        http_client: stripe.HTTPClient | None = None,
        max_network_retries: int = 2,
    ) -> None:
        if not secret_key:
            raise GatewayUnavailable("Stripe is not configured (STRIPE_SECRET_KEY).")
        base_addresses: dict[str, str] = {}
        if api_base:
            base_addresses = {"api": api_base, "connect": api_base, "files": api_base}
        self.webhook_secret = webhook_secret
        self.client = stripe.StripeClient(
            secret_key,
            base_addresses=base_addresses,  # type: ignore[arg-type]
            http_client=http_client,
            max_network_retries=max_network_retries,
        )

    @classmethod
    def from_settings(cls) -> StripeGateway:
        return cls(
            secret_key=settings.STRIPE_SECRET_KEY,
            webhook_secret=settings.STRIPE_WEBHOOK_SECRET,
            api_base=settings.STRIPE_API_BASE,
        )

    # --- payments --------------------------------------------------------------------------------------
    def normalize_payment_method(self, payment_method: str) -> str:
        value = (payment_method or "").strip()
        token, off_session = split_off_session(value)
        if not token.startswith("pm_"):
            raise ValueError("Pass the id of a Stripe PaymentMethod (pm_...) created with Stripe.js.")
        return value if off_session else token

    def attach_payment_method(self, payment_method: str, *, customer_email: str = "") -> StoredPaymentMethod:
        """Keep a PaymentMethod for off-session charges: attach it to the buyer's Customer (reused by email,
        else created). Raises ValueError when Stripe refuses the card; GatewayUnavailable when unreachable."""
        token = split_off_session(self.normalize_payment_method(payment_method))[0]
        try:
            found = _dict(self.client.v1.payment_methods.retrieve(token))
            if not _id(found.get("customer")):
                customer = self._customer(customer_email, f"attach:{token}")
                found = _dict(
                    self.client.v1.payment_methods.attach(
                        token, params={"customer": customer}, options={"idempotency_key": f"attach:{token}"}
                    )
                )
        except stripe.CardError as exc:
            raise ValueError(exc.user_message or "Your card was declined.") from exc
        except _TRANSIENT as exc:
            raise GatewayUnavailable(f"Stripe did not answer: {exc.user_message or exc}") from exc
        except stripe.InvalidRequestError as exc:
            raise ValueError(exc.user_message or "This payment method cannot be used.") from exc
        card = found.get("card") or {}
        brand = str(card.get("brand") or "card").title()
        label = f"{brand} •••• {card['last4']}" if card.get("last4") else token
        return StoredPaymentMethod(token=token, label=label[:60])

    def charge(self, request: ChargeRequest) -> ChargeResult:
        key = request.idempotency_key
        method = request.stored_payment_method
        card_country = ""
        try:
            payment_method = self.client.v1.payment_methods.retrieve(method)
            card_country = str(_dict(payment_method).get("card", {}).get("country") or "")
            customer = _id(payment_method["customer"]) or self._customer(request.customer_email, key)
            if not _id(payment_method["customer"]):
                self.client.v1.payment_methods.attach(
                    method,
                    params={"customer": customer},
                    options={"idempotency_key": f"{key}:attach"},
                )
            params: dict[str, Any] = {
                "amount": request.amount,
                "currency": request.currency.lower(),
                "customer": customer,
                "payment_method": method,
                "payment_method_types": ["card"],
                "confirm": True,
                # The description travels in metadata: localstripe refuses PaymentIntent descriptions.
                "metadata": {**dict(request.metadata), "description": request.description[:500]},
                "expand": _EXPAND_CHARGE,
            }
            if request.off_session:
                params["off_session"] = True  # the buyer is not there: Stripe applies off-session rules
            intent = self.client.v1.payment_intents.create(params=params, options={"idempotency_key": key})
        except stripe.CardError as exc:
            return self._card_failure(exc, card_country=card_country)
        except _TRANSIENT as exc:
            raise GatewayUnavailable(f"Stripe did not answer: {exc.user_message or exc}") from exc
        except stripe.InvalidRequestError as exc:
            return ChargeResult(
                reference=self._error_intent(exc),
                state="failed",
                failure_code=exc.code or "invalid_request",
                failure_message=(exc.user_message or str(exc))[:255],
            )
        return self._result(intent, card_country=card_country)

    def _customer(self, email: str, key: str) -> str:
        if email:
            found = self.client.v1.customers.list(params={"email": email, "limit": 1})
            for customer in found.data:
                return customer["id"]
        digest = hashlib.sha256(f"{email}|{key}".encode()).hexdigest()[:16]
        customer = self.client.v1.customers.create(
            params={"email": email} if email else {}, options={"idempotency_key": f"{key}:customer:{digest}"}
        )
        return customer["id"]

    @staticmethod
    def _error_intent(exc: stripe.StripeError) -> str:
        error = (exc.json_body or {}).get("error", {}) if isinstance(exc.json_body, dict) else {}
        return _id(error.get("payment_intent")) if error.get("payment_intent") else ""

    def _card_failure(self, exc: stripe.CardError, *, card_country: str) -> ChargeResult:
        error = (exc.json_body or {}).get("error", {}) if isinstance(exc.json_body, dict) else {}
        decline_code = error.get("decline_code") or ""
        return ChargeResult(
            reference=self._error_intent(exc),
            state="failed",
            card_country=card_country,
            # Stripe's code is card_declined; its decline_code says why (insufficient_funds, ...).
            failure_code=decline_code
            if decline_code not in ("", "generic_decline")
            else exc.code or "card_declined",
            failure_message=(exc.user_message or str(exc))[:255],
        )

    def _result(self, intent: Any, *, card_country: str = "") -> ChargeResult:
        data = _dict(intent)
        status = data.get("status")
        reference = str(data.get("id", ""))
        if not card_country:
            card_country = str(_dict(data.get("payment_method")).get("card", {}).get("country") or "")
        if status == "succeeded":
            charge = _dict(data.get("latest_charge")) if isinstance(data.get("latest_charge"), dict) else {}
            fee = int(_dict(charge.get("balance_transaction")).get("fee") or 0) if charge else 0
            return ChargeResult(reference, "succeeded", fee_amount=fee, card_country=card_country)
        if status == "requires_action":
            return ChargeResult(
                reference,
                "requires_action",
                card_country=card_country,
                next_action=data.get("next_action") or {},
            )
        if status in ("processing", "requires_capture", "requires_confirmation"):
            return ChargeResult(reference, "processing", card_country=card_country)
        error = data.get("last_payment_error") or {}
        return ChargeResult(
            reference,
            "failed",
            card_country=card_country,
            failure_code=str(error.get("decline_code") or error.get("code") or status or "failed"),
            failure_message=str(error.get("message") or "The payment failed.")[:255],
        )

    def retrieve(self, reference: str) -> ChargeResult:
        try:
            intent = self.client.v1.payment_intents.retrieve(reference, params={"expand": _EXPAND_CHARGE})
        except _TRANSIENT as exc:
            raise GatewayUnavailable(f"Stripe did not answer: {exc}") from exc
        except stripe.InvalidRequestError as exc:
            return ChargeResult(
                reference,
                "failed",
                failure_code=exc.code or "resource_missing",
                failure_message=str(exc)[:255],
            )
        return self._result(intent)

    def confirm(self, reference: str, *, idempotency_key: str) -> ChargeResult:
        try:
            intent = self.client.v1.payment_intents.retrieve(reference, params={"expand": _EXPAND_CHARGE})
            if intent["status"] == "requires_confirmation":
                intent = self.client.v1.payment_intents.confirm(
                    reference, params={"expand": _EXPAND_CHARGE}, options={"idempotency_key": idempotency_key}
                )
        except stripe.CardError as exc:
            result = self._card_failure(exc, card_country="")
            return ChargeResult(
                reference, "failed", failure_code=result.failure_code, failure_message=result.failure_message
            )
        except _TRANSIENT as exc:
            raise GatewayUnavailable(f"Stripe did not answer: {exc}") from exc
        except stripe.InvalidRequestError as exc:
            return ChargeResult(
                reference,
                "failed",
                failure_code=exc.code or "invalid_request",
                failure_message=str(exc)[:255],
            )
        return self._result(intent)

    def refund(self, reference: str, *, amount: int, currency: str, idempotency_key: str) -> RefundResult:
        try:
            refund = self.client.v1.refunds.create(
                params={
                    "payment_intent": reference,
                    "amount": amount,
                    "metadata": {"idempotency_key": idempotency_key},
                },
                options={"idempotency_key": idempotency_key},
            )
        except _TRANSIENT as exc:
            raise GatewayUnavailable(f"Stripe did not answer: {exc}") from exc
        except stripe.StripeError as exc:
            return RefundResult("", "failed", (exc.user_message or str(exc))[:255])
        status = refund["status"]
        state = (
            "succeeded"
            if status == "succeeded"
            else "failed"
            if status in ("failed", "canceled")
            else "pending"
        )
        return RefundResult(refund["id"], state, str(_dict(refund).get("failure_reason") or ""))

    def transfer(
        self, *, destination: str, amount: int, currency: str, idempotency_key: str, description: str
    ) -> TransferResult:
        """A Connect transfer to the seller's account; Stripe moves it at once, so it is "paid" (a later
        `transfer.reversed` webhook would undo it)."""
        try:
            transfer = self.client.v1.transfers.create(
                params={
                    "amount": amount,
                    "currency": currency.lower(),
                    "destination": destination,
                    "description": description[:1000],
                },
                options={"idempotency_key": idempotency_key},
            )
        except _TRANSIENT as exc:
            raise GatewayUnavailable(f"Stripe did not answer: {exc}") from exc
        except stripe.StripeError as exc:
            return TransferResult("", "failed", (exc.user_message or str(exc))[:255])
        if transfer["reversed"]:
            return TransferResult(transfer["id"], "failed", "The transfer was reversed.")
        return TransferResult(transfer["id"], "paid")

    def submit_dispute_evidence(self, reference: str, *, text: str, idempotency_key: str) -> EvidenceResult:
        """Updates the dispute's evidence (free text: our notes) and submits it to the card network."""
        try:
            self.client.v1.disputes.update(
                reference,
                params={"evidence": {"uncategorized_text": text[:20_000]}, "submit": True},
                options={"idempotency_key": idempotency_key},
            )
        except _TRANSIENT as exc:
            raise GatewayUnavailable(f"Stripe did not answer: {exc}") from exc
        except stripe.StripeError as exc:
            return EvidenceResult(False, (exc.user_message or str(exc))[:255])
        return EvidenceResult(True)

    # --- webhooks and reconciliation ---------------------------------------------------------------------
    def parse_webhook(self, payload: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        signature = next((v for k, v in headers.items() if k.lower() == "stripe-signature"), "")
        if not signature:
            raise InvalidWebhook("Missing Stripe-Signature header.")
        if not self.webhook_secret:
            raise InvalidWebhook("STRIPE_WEBHOOK_SECRET is not configured.")
        try:
            stripe.Webhook.construct_event(payload, signature, self.webhook_secret)
            event = json.loads(payload)
            return WebhookEvent(
                id=str(event["id"]), type=str(event["type"]), data=dict(event["data"]["object"]), raw=event
            )
        except stripe.SignatureVerificationError as exc:
            raise InvalidWebhook("Signature does not match.") from exc
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidWebhook("Malformed event payload.") from exc

    def list_payments(self, *, since: datetime | None = None) -> list[GatewayRecord]:
        try:
            page = self.client.v1.payment_intents.list(
                params={"limit": 100, "expand": ["data.latest_charge.balance_transaction"]}
            )
            intents = [_dict(intent) for intent in page.auto_paging_iter()]
        except _TRANSIENT as exc:
            raise GatewayUnavailable(f"Stripe did not answer: {exc}") from exc
        records = []
        for data in intents:
            created = datetime.fromtimestamp(int(data.get("created") or 0), tz=UTC)
            if since is not None and created < since:
                continue
            charge = data.get("latest_charge") if isinstance(data.get("latest_charge"), dict) else {}
            status = str(data.get("status"))
            records.append(
                GatewayRecord(
                    reference=str(data["id"]),
                    amount=int(data.get("amount") or 0),
                    currency=str(data.get("currency") or "").upper(),
                    state="failed" if status in _FAILED_STATES else status,
                    refunded_amount=int(charge.get("amount_refunded") or 0),
                    created_at=created,
                    fee_amount=int(_dict(charge.get("balance_transaction")).get("fee") or 0)
                    if isinstance(charge.get("balance_transaction"), dict)
                    else None,
                    metadata={str(k): str(v) for k, v in (data.get("metadata") or {}).items()},
                )
            )
        return records

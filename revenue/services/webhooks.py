"""Gateway webhooks: verified by the gateway, stored as GatewayEvent and applied in the same transaction.

`webhook_receive` verifies the signature (the gateway's `parse_webhook`), then in ONE transaction gets-or-creates
the GatewayEvent row by (gateway, event id) — the unique constraint makes concurrent deliveries of one event
wait for each other — and, unless that row is already processed, applies the event's effects and marks it
processed. A replayed event id therefore changes nothing. Effects that fail with a domain error are rolled back
(savepoint) and the row is kept unprocessed with the error as its outcome: redelivering the event retries it, and
`reconcile` lists it. Any other error rolls everything back (500), so the gateway redelivers.

Events (Stripe's names and object shapes; the local test gateway sends the same):

- payment_intent.succeeded: capture and post the sale if our payment was still processing / requires_action
  (found by reference, else by the `payment` metadata we sent, for an answer we never recorded);
- payment_intent.payment_failed / payment_intent.canceled: fail a payment still waiting;
- charge.refunded, charge.refund.updated, refund.created/updated/failed: sync the state of our Refund rows;
  refunds we know nothing of (made in the gateway's dashboard) are reported in the outcome for finance;
- charge.dispute.created / charge.dispute.closed: revenue.services.disputes.dispute_open / dispute_close;
- transfer.reversed (Connect payouts): a fully reversed transfer fails its paid payout and returns the money to
  the seller's available balance (paid again by a later run); a partial one returns the part reversed so far
  (Stripe's cumulative `amount_reversed`, so each event returns only what is new).

Anything else is stored as "ignored".
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from django.db import transaction
from django.utils import timezone

from novacron.core.exceptions import DomainError
from revenue.exceptions import GatewayUnavailable, InvalidState, ValidationError
from revenue.gateways import get_gateway
from revenue.gateways.base import ChargeResult, PaymentGateway, WebhookEvent
from revenue.gateways.local import NAME as LOCAL_TEST
from revenue.gateways.local import LocalTestGateway
from revenue.models import Dispute, GatewayEvent, Payment, Payout, Refund
from revenue.services.payments import payment_record

logger = structlog.get_logger(__name__)

PAYMENT_SUCCEEDED = "payment_intent.succeeded"
PAYMENT_FAILED = ("payment_intent.payment_failed", "payment_intent.canceled")
REFUND_EVENTS = (
    "charge.refunded",
    "charge.refund.updated",
    "refund.created",
    "refund.updated",
    "refund.failed",
)
DISPUTE_CREATED = "charge.dispute.created"
DISPUTE_CLOSED = "charge.dispute.closed"
TRANSFER_REVERSED = "transfer.reversed"


def webhook_receive(
    *, gateway: str, payload: bytes, headers: Mapping[str, str], now: datetime | None = None
) -> GatewayEvent:
    """Verify, store and apply one webhook delivery. Raises GatewayNotEnabled for an unknown gateway and
    InvalidWebhook for a bad signature or payload (nothing is stored then)."""
    payment_gateway = get_gateway(gateway)
    event = payment_gateway.parse_webhook(payload, headers)
    return webhook_apply(gateway=payment_gateway, event=event, now=now)


def webhook_apply(
    *, gateway: PaymentGateway, event: WebhookEvent, now: datetime | None = None
) -> GatewayEvent:
    """Store and apply an already verified event, exactly once per (gateway, event id)."""
    now = now or timezone.now()
    fee = _prefetch_fee(gateway, event)  # network I/O stays outside the transaction
    with transaction.atomic():
        row, _created = GatewayEvent.objects.select_for_update().get_or_create(
            gateway=gateway.name, event_id=event.id, defaults={"type": event.type, "payload": dict(event.raw)}
        )
        if row.processed_at is not None:
            return row
        try:
            with transaction.atomic():
                outcome = _dispatch(gateway, event, fee, now)
            row.processed_at = now
        except DomainError as exc:
            outcome = f"error: {exc.code}: {exc.message}"
            logger.warning("webhook.apply_failed", gateway=gateway.name, event_id=event.id, error=outcome)
        row.outcome = outcome[:255]
        row.save(update_fields=["processed_at", "outcome"])
    logger.info(
        "webhook.applied", gateway=gateway.name, event_id=event.id, type=event.type, outcome=row.outcome
    )
    return row


def _prefetch_fee(gateway: PaymentGateway, event: WebhookEvent) -> int | None:
    """The fee of a succeeded payment: in the event (local test gateway) or read back from the gateway."""
    if event.type != PAYMENT_SUCCEEDED:
        return None
    if "fee_amount" in event.data:
        return int(event.data["fee_amount"] or 0)
    reference = str(event.data.get("id") or "")
    if (
        not reference
        or GatewayEvent.objects.filter(
            gateway=gateway.name, event_id=event.id, processed_at__isnull=False
        ).exists()
    ):
        return None
    try:
        result = gateway.retrieve(reference)
    except (GatewayUnavailable, NotImplementedError, AttributeError):
        return None
    return result.fee_amount if result.state == "succeeded" else None


def _dispatch(gateway: PaymentGateway, event: WebhookEvent, fee: int | None, now: datetime) -> str:
    data = event.data
    if event.type == PAYMENT_SUCCEEDED:
        return _payment_succeeded(gateway, data, fee, now)
    if event.type in PAYMENT_FAILED:
        return _payment_failed(gateway, data, now)
    if event.type in REFUND_EVENTS:
        return _refunds_sync(gateway, data, now)
    if event.type == DISPUTE_CREATED:
        return _dispute_opened(gateway, data, now)
    if event.type == DISPUTE_CLOSED:
        return _dispute_closed(gateway, data, now)
    if event.type == TRANSFER_REVERSED:
        return _transfer_reversed(gateway, data, now)
    return f"ignored: {event.type} is not handled"


def _transfer_reversed(gateway: PaymentGateway, data: Mapping[str, Any], now: datetime) -> str:
    from revenue.services.payouts import payout_reverse

    payout = Payout.objects.filter(gateway=gateway.name, gateway_reference=_str(data.get("id"))).first()
    if payout is None:
        return "ignored: no matching payout"
    reversed_total = int(data.get("amount_reversed") or 0)
    payout = payout_reverse(
        payout=payout, message="Transfer reversed by the gateway", reversed_total=reversed_total, now=now
    )
    if payout.state == Payout.State.FAILED:
        return f"payout {payout.public_id} reversed; the money is available again"
    return (
        f"payout {payout.public_id} partially reversed ({payout.reversed_amount} of {payout.amount} "
        f"{payout.currency}); that part is available again"
    )


def _str(value: Any) -> str:
    if isinstance(value, Mapping):
        return str(value.get("id") or "")
    return str(value or "")


def _payment_for(
    gateway: PaymentGateway, data: Mapping[str, Any], *, reference_key: str = "id"
) -> Payment | None:
    reference = _str(data.get(reference_key))
    payment = None
    if reference:
        payment = Payment.objects.filter(gateway=gateway.name, gateway_reference=reference).first()
    if payment is None:
        public_id = (data.get("metadata") or {}).get("payment")
        try:
            if public_id:
                payment = Payment.objects.filter(
                    gateway=gateway.name, public_id=uuid.UUID(str(public_id))
                ).first()
        except ValueError:
            payment = None
    return payment


def _payment_succeeded(
    gateway: PaymentGateway, data: Mapping[str, Any], fee: int | None, now: datetime
) -> str:
    payment = _payment_for(gateway, data)
    if payment is None:
        return "ignored: no matching payment"
    amount = int(data.get("amount_received") or data.get("amount") or 0)
    currency = str(data.get("currency") or "").upper()
    if amount != payment.amount or (currency and currency != payment.currency):
        raise ValidationError(
            f"gateway captured {amount} {currency}, our payment is {payment.amount} {payment.currency}",
            code="amount_mismatch",
        )
    result = ChargeResult(reference=_str(data.get("id")), state="succeeded", fee_amount=fee or 0)
    _payment, outcome = payment_record(payment=payment, result=result, now=now)
    return f"payment {payment.public_id}: {outcome}"


def _payment_failed(gateway: PaymentGateway, data: Mapping[str, Any], now: datetime) -> str:
    payment = _payment_for(gateway, data)
    if payment is None:
        return "ignored: no matching payment"
    error = data.get("last_payment_error") or {}
    code = error.get("decline_code") or error.get("code") or data.get("cancellation_reason") or "failed"
    result = ChargeResult(
        reference=_str(data.get("id")),
        state="failed",
        failure_code=str(code),
        failure_message=str(error.get("message") or "The payment failed."),
    )
    _payment, outcome = payment_record(payment=payment, result=result, now=now)
    return f"payment {payment.public_id}: {outcome}"


def _refunds_sync(gateway: PaymentGateway, data: Mapping[str, Any], now: datetime) -> str:
    if data.get("object") == "refund":
        payment = _payment_for(gateway, data, reference_key="payment_intent")
        gateway_refunds = [data]
    else:
        payment = _payment_for(gateway, data, reference_key="payment_intent")
        gateway_refunds = list((data.get("refunds") or {}).get("data") or [])
    if payment is None:
        return "ignored: no matching payment"
    notes = []
    for item in gateway_refunds:
        notes.append(_refund_sync(payment, item, now))
    if not gateway_refunds and data.get("amount_refunded") is not None:
        notes.append(f"gateway refunded {int(data['amount_refunded'])} in total")
    recorded = sum(r.amount for r in Refund.objects.filter(payment=payment, state=Refund.State.SUCCEEDED))
    return f"payment {payment.public_id} refunds (we have {recorded} succeeded): " + "; ".join(
        notes or ["none"]
    )


def _refund_row(payment: Payment, item: Mapping[str, Any]) -> Refund | None:
    """Our Refund for a gateway refund: by reference, else by the idempotency key we sent in its metadata
    (`refund:<public id>`), for an answer the refund service never recorded."""
    reference = _str(item.get("id"))
    refund = (
        Refund.objects.filter(payment=payment, gateway_reference=reference).first() if reference else None
    )
    key = str((item.get("metadata") or {}).get("idempotency_key") or "")
    if refund is None and key.startswith("refund:"):
        try:
            refund = Refund.objects.filter(payment=payment, public_id=uuid.UUID(key.split(":", 1)[1])).first()
        except ValueError:
            refund = None
    return refund


def _refund_sync(payment: Payment, item: Mapping[str, Any], now: datetime) -> str:
    from revenue.services.refunds import refund_settle

    reference = _str(item.get("id"))
    status = str(item.get("status") or "")
    refund = _refund_row(payment, item)
    if refund is None:
        # A refund made outside the platform (the gateway's dashboard): finance records it by hand.
        return f"needs review: unknown gateway refund {reference} of {item.get('amount')} ({status})"
    if refund.state == Refund.State.PENDING and status in ("succeeded", "failed", "canceled"):
        refund = refund_settle(
            refund=refund,
            succeeded=status == "succeeded",
            gateway_reference=reference,
            failure_message="" if status == "succeeded" else f"Refund {status} at the gateway",
            now=now,
        )
        return f"{reference} {refund.state}"
    if status in ("failed", "canceled") and refund.state == Refund.State.SUCCEEDED:
        return f"needs review: {reference} failed at the gateway after it succeeded"
    return f"{reference} unchanged ({refund.state})"


def _timestamp(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value), tz=UTC) if value else None
    except (TypeError, ValueError):
        return None


def _disputed_payment(gateway: PaymentGateway, data: Mapping[str, Any]) -> Payment | None:
    payment = _payment_for(gateway, data, reference_key="payment_intent")
    if payment is None and data.get("charge"):
        payment = Payment.objects.filter(gateway=gateway.name, gateway_reference=_str(data["charge"])).first()
    return payment


def _dispute_opened(gateway: PaymentGateway, data: Mapping[str, Any], now: datetime) -> str:
    from revenue.services.disputes import dispute_open

    payment = _disputed_payment(gateway, data)
    if payment is None:
        return "ignored: no matching payment"
    dispute = dispute_open(
        payment=payment,
        amount=int(data.get("amount") or 0),
        reason=str(data.get("reason") or "")[:60],
        gateway_reference=_str(data.get("id")),
        evidence_due_by=_timestamp((data.get("evidence_details") or {}).get("due_by")),
        now=now,
    )
    return f"dispute {dispute.public_id} opened on payment {payment.public_id}"


def _dispute_closed(gateway: PaymentGateway, data: Mapping[str, Any], now: datetime) -> str:
    from revenue.services.disputes import dispute_close, dispute_open

    status = str(data.get("status") or "")
    if status not in ("won", "lost", "warning_closed"):
        return f"ignored: dispute status {status}"
    reference = _str(data.get("id"))
    dispute = Dispute.objects.filter(payment__gateway=gateway.name, gateway_reference=reference).first()
    if dispute is None:
        # The "created" event never came (or came after): open it first, then close it.
        payment = _disputed_payment(gateway, data)
        if payment is None:
            return "ignored: no matching payment"
        dispute = dispute_open(
            payment=payment,
            amount=int(data.get("amount") or 0),
            reason=str(data.get("reason") or "")[:60],
            gateway_reference=reference,
            evidence_due_by=_timestamp((data.get("evidence_details") or {}).get("due_by")),
            now=now,
        )
    won = status in ("won", "warning_closed")
    dispute = dispute_close(dispute=dispute, won=won, now=now)
    return f"dispute {dispute.public_id} closed ({'won' if won else 'lost'})"


# --- local test gateway: simulated gateway events (demos, tests) ------------------------------------------


def _local_dispute_object(
    payment: Payment, *, amount: int | None, reason: str, status: str, now: datetime
) -> dict:
    if payment.gateway != LOCAL_TEST or payment.state != Payment.State.SUCCEEDED:
        raise InvalidState("Only succeeded payments of the local test gateway can be disputed by simulation.")
    digest = hashlib.sha256(str(payment.public_id).encode()).hexdigest()[:24]
    return {
        "id": f"dp_lt_{digest}",
        "object": "dispute",
        "amount": payment.amount if amount is None else amount,
        "currency": payment.currency.lower(),
        "payment_intent": payment.gateway_reference,
        "charge": payment.gateway_reference,
        "reason": reason,
        "status": status,
        "evidence_details": {"due_by": int((now + timedelta(days=7)).timestamp())},
    }


def local_event_deliver(
    *, event_type: str, obj: Mapping[str, Any], event_id: str, now: datetime | None = None
) -> GatewayEvent:
    """Send a signed local-test-gateway event through the whole webhook path (signature included)."""
    gateway = LocalTestGateway()
    payload, headers = gateway.build_event(event_type, obj, event_id=event_id, created=int(time.time()))
    return webhook_receive(gateway=LOCAL_TEST, payload=payload, headers=headers, now=now)


def local_dispute_simulate(
    *, payment: Payment, amount: int | None = None, reason: str = "fraudulent", now: datetime | None = None
) -> GatewayEvent:
    """The buyer disputes a local-test payment (what card 4000 0000 0000 0259 does by itself). Idempotent."""
    now = now or timezone.now()
    obj = _local_dispute_object(payment, amount=amount, reason=reason, status="needs_response", now=now)
    return local_event_deliver(
        event_type=DISPUTE_CREATED, obj=obj, event_id=f"evt_lt_{obj['id']}_created", now=now
    )


def local_dispute_close_simulate(*, payment: Payment, won: bool, now: datetime | None = None) -> GatewayEvent:
    """The card network decides a simulated dispute. Idempotent."""
    now = now or timezone.now()
    status = "won" if won else "lost"
    obj = _local_dispute_object(payment, amount=None, reason="fraudulent", status=status, now=now)
    return local_event_deliver(
        event_type=DISPUTE_CLOSED, obj=obj, event_id=f"evt_lt_{obj['id']}_closed", now=now
    )

"""Payment state: the one place a gateway's answer is recorded, bank transfers received, and the recovery of
payments whose gateway outcome was never recorded.

State machine (`payment_record_result`, idempotent; locks the payment, then the order, like refunds):

    processing / requires_action ──succeeded──▶ succeeded   (order paid, sale posted, on_paid hooks on commit)
    processing                  ──requires_action──▶ requires_action (order requires_action)
    processing                  ──processing──▶ processing (bank transfer: order awaiting_transfer)
    processing / requires_action ──failed──▶ failed        (order failed, no ledger entry)
    failed (recovered as "no record")  ──succeeded──▶ succeeded: the gateway holds the money, so it is recorded
                                                    (and logged: support may refund a duplicate purchase)
    succeeded ── anything ──▶ unchanged (a late fee is still posted once, see sale_post's idempotency keys)

A payment is *in flight* while it is processing without a gateway reference: the checkout committed it, then
called the gateway, and the answer was not recorded yet (or the process died). `payment_recover` settles those.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import structlog
from django.db import transaction
from django.utils import timezone

from novacron.core.exceptions import PermissionDenied
from novacron.core.services.audit import audit_record
from revenue import hooks
from revenue.exceptions import InvalidState, ValidationError
from revenue.gateways import get_gateway
from revenue.gateways.bank_transfer import normalize_reference
from revenue.gateways.base import ChargeResult
from revenue.gateways.local import DISPUTE_SUFFIX
from revenue.models import Order, Payment
from revenue.services.sales import sale_post

logger = structlog.get_logger(__name__)

RECOVERY_GRACE = timedelta(minutes=15)
FINANCE_PERMISSION = "accounts.manage_finance"


def payment_in_flight(payment: Payment) -> bool:
    return payment.state == Payment.State.PROCESSING and not payment.gateway_reference


def payment_record_result(*, payment: Payment, result: ChargeResult, now: datetime | None = None) -> Payment:
    """Record a gateway's answer for this payment (idempotent: a repeated or stale answer changes nothing)."""
    return payment_record(payment=payment, result=result, now=now)[0]


def payment_record(
    *, payment: Payment, result: ChargeResult, now: datetime | None = None
) -> tuple[Payment, str]:
    """`payment_record_result`, also saying what happened ("succeeded", "unchanged: ...", ...)."""
    now = now or timezone.now()
    with transaction.atomic():
        # Payment, then order: the same order as refunds and disputes (refunds.lock_sale).
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        order = Order.objects.select_for_update().get(pk=locked.order_id)
        outcome = _apply(order, locked, result, now)
    return locked, outcome


def _apply(order: Order, payment: Payment, result: ChargeResult, now: datetime) -> str:
    """Apply `result` to the locked order and payment; returns what happened (for webhook outcomes)."""
    if result.reference and not payment.gateway_reference:
        payment.gateway_reference = result.reference
    elif result.reference and result.reference != payment.gateway_reference:
        logger.warning(
            "payment.reference_mismatch",
            payment=str(payment.public_id),
            ours=payment.gateway_reference,
            theirs=result.reference,
        )
    if result.card_country and not payment.card_country:
        payment.card_country = result.card_country[:2]

    if result.state == "succeeded":
        return _succeed(order, payment, result, now)
    if payment.state not in (Payment.State.PROCESSING, Payment.State.REQUIRES_ACTION):
        payment.save(update_fields=["gateway_reference", "card_country", "updated_at"])
        return f"unchanged: payment already {payment.state}"
    if result.state == "failed":
        payment.state = Payment.State.FAILED
        payment.failure_code = (result.failure_code or "failed")[:60]
        payment.failure_message = (result.failure_message or "The payment failed.")[:255]
        payment.next_action = {}
        payment.save()
        if order.state != Order.State.PAID:
            order.state = Order.State.FAILED
            order.save(update_fields=["state", "updated_at"])
        return f"failed: {payment.failure_code}"
    if result.state == "requires_action":
        payment.state = Payment.State.REQUIRES_ACTION
        payment.next_action = dict(result.next_action)
        payment.save()
        order.state = Order.State.REQUIRES_ACTION
        order.save(update_fields=["state", "updated_at"])
        return "requires_action"
    # processing: a bank transfer waits for the money; other gateways (async methods, a 3-D Secure payment
    # being captured) finish by webhook.
    payment.state = Payment.State.PROCESSING
    payment.next_action = dict(result.next_action)
    payment.save()
    if payment.gateway == "bank_transfer" and order.state == Order.State.PENDING:
        order.state = Order.State.AWAITING_TRANSFER
        order.save(update_fields=["state", "updated_at"])
    elif order.state == Order.State.REQUIRES_ACTION:
        order.state = Order.State.PENDING
        order.save(update_fields=["state", "updated_at"])
    return "processing"


def _succeed(order: Order, payment: Payment, result: ChargeResult, now: datetime) -> str:
    if payment.state == Payment.State.SUCCEEDED:
        if result.fee_amount and not payment.fee_amount:
            # The first answer (a webhook) had no fee; post it now (sale_post's keys make this post only the fee).
            payment.fee_amount = max(0, min(result.fee_amount, payment.amount))
            payment.save(update_fields=["fee_amount", "gateway_reference", "card_country", "updated_at"])
            sale_post(order=order, payment=payment)
            return "fee recorded"
        payment.save(update_fields=["gateway_reference", "card_country", "updated_at"])
        return "unchanged: payment already succeeded"
    if payment.state in (Payment.State.FAILED, Payment.State.CANCELED):
        logger.warning(
            "payment.succeeded_after_failure", payment=str(payment.public_id), previous=payment.failure_code
        )
    payment.state = Payment.State.SUCCEEDED
    payment.fee_amount = max(0, min(result.fee_amount, payment.amount))
    payment.captured_at = now
    payment.next_action = {}
    payment.failure_code = ""
    payment.failure_message = ""
    payment.save()
    order.state = Order.State.PAID
    order.paid_at = now
    order.save(update_fields=["state", "paid_at", "updated_at"])
    sale_post(order=order, payment=payment)
    order_on_paid_schedule(order=order)
    if payment.gateway == "local_test" and payment.gateway_reference.endswith(DISPUTE_SUFFIX):
        transaction.on_commit(lambda: _local_dispute_followup(payment.pk), robust=True)
    return "succeeded"


def order_on_paid_schedule(*, order: Order) -> None:
    """Run the item types' on_paid hooks once the transaction commits (each line on its own: one failing
    fulfilment is logged and does not stop the others; the sale stays posted)."""
    sold = [
        hooks.SoldLine(
            order_id=str(order.public_id),
            order_line_id=line.pk,
            buyer_id=order.buyer_id,
            organization_id=order.organization_id,
            item_type=line.item_type,
            item_id=line.item_id,
            quantity=line.quantity,
            net_amount=line.net_amount,
            currency=order.currency,
            metadata=dict(line.metadata),
        )
        for line in order.lines.all()
    ]

    def run() -> None:
        for line in sold:
            spec = hooks.item_type(line.item_type)
            if spec is None or spec.on_paid is None:
                continue
            try:
                spec.on_paid(line)
            except Exception:
                logger.exception("order.on_paid_failed", order=line.order_id, line=line.order_line_id)

    transaction.on_commit(run)


def _local_dispute_followup(payment_id: int) -> None:
    """The local test card 4000 0000 0000 0259: the buyer disputes right after paying, like on Stripe."""
    from revenue.services.webhooks import local_dispute_simulate

    payment = Payment.objects.get(pk=payment_id)
    local_dispute_simulate(payment=payment)


def bank_transfer_mark_received(
    *, order: Order, actor: Any, amount: int, reference: str, now: datetime | None = None
) -> Order:
    """Finance saw the buyer's transfer arrive: capture the payment and post the sale (audited).

    The amount must be exactly what was asked and the reference the one we issued; partial or over-payments are
    handled by hand. Marking the same transfer twice changes nothing."""
    if actor is None or not actor.has_perm(FINANCE_PERMISSION):
        raise PermissionDenied("Only finance staff can mark bank transfers received.")
    now = now or timezone.now()
    candidate = (
        Payment.objects.filter(order=order, gateway="bank_transfer").order_by("-created_at", "-id").first()
    )
    if candidate is None:
        raise InvalidState("This order is not paid by bank transfer.")
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=candidate.pk)
        order = Order.objects.select_for_update().get(pk=payment.order_id)
        if normalize_reference(reference) != normalize_reference(payment.gateway_reference):
            raise ValidationError(
                "The reference does not match this order's payment reference.", field="reference"
            )
        if order.state == Order.State.PAID and payment.state == Payment.State.SUCCEEDED:
            return order
        if order.state != Order.State.AWAITING_TRANSFER or payment.state != Payment.State.PROCESSING:
            raise InvalidState(
                f"The order is {order.state}; only orders awaiting a transfer can be marked received."
            )
        if isinstance(amount, bool) or not isinstance(amount, int) or amount != payment.amount:
            raise ValidationError(
                f"Expected exactly {payment.amount} {payment.currency} (minor units); partial or over-payments "
                "are handled by hand.",
                field="amount",
            )
        before = {"order_state": order.state, "payment_state": payment.state}
        _apply(order, payment, ChargeResult(reference=payment.gateway_reference, state="succeeded"), now)
        audit_record(
            actor=actor,
            action="revenue.bank_transfer_received",
            obj=order,
            before=before,
            after={
                "order_state": order.state,
                "payment_state": payment.state,
                "payment": str(payment.public_id),
                "amount": amount,
                "currency": payment.currency,
                "reference": payment.gateway_reference,
            },
        )
    return order


def payment_recover(
    *, payment: Payment, now: datetime | None = None, grace: timedelta = RECOVERY_GRACE
) -> Payment:
    """Settle a payment left in flight (the process died or the gateway timed out between our insert and
    recording the answer). The gateway is asked for a charge carrying our payment's public id in its metadata:
    found → its state is recorded (a success is captured and posted); not found after `grace` → the payment
    fails with gateway_no_record (nothing was charged). Younger payments are left alone: their call may still
    be running."""
    now = now or timezone.now()
    if not payment_in_flight(payment) or now - payment.created_at < grace:
        return payment
    gateway = get_gateway(payment.gateway)
    records = gateway.list_payments(since=payment.created_at - timedelta(minutes=5))
    match = next((r for r in records if r.metadata.get("payment") == str(payment.public_id)), None)
    if match is not None:
        result = gateway.retrieve(match.reference)
        if not result.reference:
            result = ChargeResult(**{**result.__dict__, "reference": match.reference})
    else:
        result = ChargeResult(
            reference="",
            state="failed",
            failure_code="gateway_no_record",
            failure_message="The payment never reached the gateway; nothing was charged.",
        )
    logger.info("payment.recovered", payment=str(payment.public_id), state=result.state)
    return payment_record_result(payment=payment, result=result, now=now)


def payments_recover_stale(
    *, gateway: str | None = None, since: datetime | None = None, now: datetime | None = None
) -> list[Payment]:
    """Run `payment_recover` over every in-flight payment (optionally of one gateway, created since a time);
    returns those that left the in-flight state. Safe to run twice and beside a webhook: recording is idempotent."""
    now = now or timezone.now()
    stuck = Payment.objects.filter(state=Payment.State.PROCESSING, gateway_reference="")
    if gateway is not None:
        stuck = stuck.filter(gateway=gateway)
    if since is not None:
        stuck = stuck.filter(created_at__gte=since)
    settled = []
    for payment in stuck.order_by("pk"):
        recovered = payment_recover(payment=payment, now=now)
        if recovered.state != Payment.State.PROCESSING:
            settled.append(recovered)
    return settled

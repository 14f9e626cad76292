"""Reconciliation: each gateway's records (`list_payments`) against our Payments and Refunds and the ledger's
gateway clearing postings (read-only; `python manage.py reconcile` prints the differences).

Differences:
- missing_ours / missing_gateway: a charge only the gateway knows (that took money), or a payment of ours with a
  reference the gateway does not know;
- amount, currency, state, refund and fee mismatches between the two sides;
- in_flight: a payment whose gateway answer was never recorded (older than the grace period; see
  services.payments.payment_recover);
- ledger: a succeeded payment without its sale entry, a sale or fee entry whose gateway clearing posting differs
  from the payment, a refund without its entry or with a clearing credit other than its amount, an order whose
  state disagrees with its payment;
- event_not_applied: a webhook stored but not applied (its effects failed; redelivery retries it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Sum
from django.utils import timezone

from revenue.gateways import get_gateway
from revenue.gateways.base import GatewayRecord
from revenue.models import AccountKind, GatewayEvent, JournalEntry, Order, Payment, Posting, Refund
from revenue.services.payments import RECOVERY_GRACE, payment_in_flight

_LIVE = {
    "requires_action",
    "processing",
    "requires_confirmation",
    "requires_capture",
    "requires_payment_method",
}


@dataclass(frozen=True)
class Difference:
    kind: str
    gateway: str
    detail: str
    payment: str = ""
    reference: str = ""

    def __str__(self) -> str:
        where = " ".join(
            part
            for part in (
                f"payment={self.payment}" if self.payment else "",
                f"ref={self.reference}" if self.reference else "",
            )
            if part
        )
        return f"DIFF {self.kind} [{self.gateway}] {where}: {self.detail}".replace("  ", " ")


def _normal(state: str) -> str:
    if state == "succeeded":
        return "succeeded"
    if state in ("failed", "canceled"):
        return "failed"
    if state in _LIVE:
        return "pending"
    return state


def _clearing_total(entry_id: int | None, gateway: str) -> int | None:
    if entry_id is None:
        return None
    return (
        Posting.objects.filter(
            entry_id=entry_id, account__kind=AccountKind.GATEWAY_CLEARING, account__gateway=gateway
        ).aggregate(total=Sum("amount"))["total"]
        or 0
    )


def _fee_total(entry_ids: list[int]) -> int:
    return (
        Posting.objects.filter(entry_id__in=entry_ids, account__kind=AccountKind.GATEWAY_FEES).aggregate(
            total=Sum("amount")
        )["total"]
        or 0
    )


def reconcile_gateway(
    name: str,
    *,
    since: datetime | None = None,
    now: datetime | None = None,
    grace: timedelta = RECOVERY_GRACE,
) -> tuple[list[Difference], int]:
    """The differences for one gateway, and how many of our payments were compared."""
    now = now or timezone.now()
    diffs: list[Difference] = []
    records: list[GatewayRecord] = get_gateway(name).list_payments(since=since)
    ours = Payment.objects.filter(gateway=name).select_related("order")
    if since is not None:
        ours = ours.filter(created_at__gte=since)
    ours = list(ours.order_by("created_at", "pk"))
    by_reference = {p.gateway_reference: p for p in ours if p.gateway_reference}
    by_public = {str(p.public_id): p for p in ours}
    matched: set[int] = set()

    for record in records:
        payment = by_reference.get(record.reference) or by_public.get(record.metadata.get("payment", ""))
        if payment is None:  # ours may predate --since
            payment = Payment.objects.filter(gateway=name, gateway_reference=record.reference).first()
        if payment is None:
            if _normal(record.state) == "succeeded" or record.refunded_amount:
                diffs.append(
                    Difference(
                        "missing_ours",
                        name,
                        f"gateway has a {record.state} charge of {record.amount} {record.currency} we do not know",
                        reference=record.reference,
                    )
                )
            continue
        matched.add(payment.pk)
        diffs += _compare(name, payment, record)

    for payment in ours:
        pid = str(payment.public_id)
        if payment.pk not in matched and payment.gateway_reference and payment.state != Payment.State.FAILED:
            diffs.append(
                Difference(
                    "missing_gateway",
                    name,
                    f"our {payment.state} payment of {payment.amount} {payment.currency} is unknown to the gateway",
                    pid,
                    payment.gateway_reference,
                )
            )
        if payment_in_flight(payment) and now - payment.created_at >= grace:
            diffs.append(
                Difference(
                    "in_flight",
                    name,
                    f"the gateway's answer was never recorded (since {payment.created_at:%Y-%m-%d %H:%M}); "
                    "run reconcile --recover",
                    pid,
                )
            )
        diffs += _ledger(name, payment)

    for event in GatewayEvent.objects.filter(gateway=name, processed_at__isnull=True).order_by("received_at"):
        diffs.append(Difference("event_not_applied", name, f"{event.type} {event.event_id}: {event.outcome}"))
    return diffs, len(ours)


def _compare(name: str, payment: Payment, record: GatewayRecord) -> list[Difference]:
    pid, ref = str(payment.public_id), record.reference
    diffs = []
    if not payment.gateway_reference and _normal(record.state) != "failed":
        diffs.append(
            Difference(
                "reference_not_recorded", name, "the charge exists but our payment has no reference", pid, ref
            )
        )
    if record.amount != payment.amount or record.currency.upper() != payment.currency:
        diffs.append(
            Difference(
                "amount_mismatch",
                name,
                f"gateway {record.amount} {record.currency}, ours {payment.amount} {payment.currency}",
                pid,
                ref,
            )
        )
    if _normal(record.state) != _normal(payment.state):
        diffs.append(
            Difference("state_mismatch", name, f"gateway {record.state}, ours {payment.state}", pid, ref)
        )
    settled = (
        Refund.objects.filter(payment=payment, state=Refund.State.SUCCEEDED).aggregate(total=Sum("amount"))[
            "total"
        ]
        or 0
    )
    if record.refunded_amount != settled:
        diffs.append(
            Difference(
                "refund_mismatch",
                name,
                f"gateway refunded {record.refunded_amount}, our succeeded refunds total {settled}",
                pid,
                ref,
            )
        )
    if (
        record.fee_amount is not None
        and payment.state == Payment.State.SUCCEEDED
        and record.fee_amount != payment.fee_amount
    ):
        diffs.append(
            Difference(
                "fee_mismatch", name, f"gateway fee {record.fee_amount}, ours {payment.fee_amount}", pid, ref
            )
        )
    return diffs


def _ledger(name: str, payment: Payment) -> list[Difference]:
    pid, ref = str(payment.public_id), payment.gateway_reference
    diffs = []
    order: Order = payment.order
    succeeded = payment.state == Payment.State.SUCCEEDED
    if succeeded and order.state != Order.State.PAID:
        diffs.append(
            Difference(
                "order_state",
                name,
                f"payment succeeded but order {order.public_id} is {order.state}",
                pid,
                ref,
            )
        )
    elif (
        order.state == Order.State.PAID and not order.payments.filter(state=Payment.State.SUCCEEDED).exists()
    ):
        diffs.append(
            Difference(
                "order_state", name, f"order {order.public_id} is paid without a captured payment", pid, ref
            )
        )
    entries = {
        entry.idempotency_key: entry.pk
        for entry in JournalEntry.objects.filter(
            idempotency_key__in=[f"sale:{payment.pk}", f"fee:{payment.pk}"]
        )
    }
    sale_entry = entries.get(f"sale:{payment.pk}")
    if succeeded:
        # The sale entry clears the amount less the fee and books the fee (older sales: a separate fee entry).
        fee_entry = entries.get(f"fee:{payment.pk}")
        cleared = _clearing_total(sale_entry, name)
        fee = _fee_total([pk for pk in (sale_entry, fee_entry) if pk is not None])
        gross = None if cleared is None else cleared + (_clearing_total(fee_entry, name) or 0) + fee
        if gross is None:
            diffs.append(
                Difference("ledger_missing_sale", name, "succeeded payment without a sale entry", pid, ref)
            )
        elif gross != payment.amount:
            diffs.append(
                Difference(
                    "ledger_sale_amount",
                    name,
                    f"sale clears {gross}, payment is {payment.amount}",
                    pid,
                    ref,
                )
            )
        if fee != payment.fee_amount:
            diffs.append(
                Difference(
                    "ledger_fee",
                    name,
                    f"ledger books a fee of {fee}, payment fee is {payment.fee_amount}",
                    pid,
                    ref,
                )
            )
    elif sale_entry is not None:
        diffs.append(
            Difference("ledger_unexpected_sale", name, f"{payment.state} payment has a sale entry", pid, ref)
        )

    outstanding = 0
    for refund in Refund.objects.filter(payment=payment).exclude(state=Refund.State.FAILED):
        outstanding += refund.amount
        cleared = _clearing_total(refund.entry_id, name)
        if cleared is None:
            diffs.append(
                Difference("ledger_missing_refund", name, f"refund {refund.public_id} has no entry", pid, ref)
            )
        elif cleared != -refund.amount:
            diffs.append(
                Difference(
                    "ledger_refund_amount",
                    name,
                    f"refund {refund.public_id} clears {-cleared}, refund is {refund.amount}",
                    pid,
                    ref,
                )
            )
    if outstanding != payment.refunded_amount:
        diffs.append(
            Difference(
                "refund_total",
                name,
                f"payment says {payment.refunded_amount} refunded, its refunds total {outstanding}",
                pid,
                ref,
            )
        )
    return diffs

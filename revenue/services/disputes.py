"""Disputes (chargebacks).

Opened: the gateway has already withdrawn the disputed amount, so gateway clearing is credited with all of it.
The amount is split over what remains of the sale's legs exactly like a refund (`refunds.legs_allocate`,
largest remainder): the seller's part is clawed back (from pending while the line is in escrow, else from
available, else into the seller's receivable) and recorded in `OrderLine.clawed_seller`; the platform and tax
parts are held in DISPUTES_HELD (`disputed_platform`, `disputed_tax`). If the gateway disputes more than the
legs still hold (a dispute after a refund), the excess is held too, as the platform's — the gateway took it
either way. The split is stored on the dispute (`allocation`) so closing reverses exactly what opening did.

Won: everything is reversed — the funds are back in clearing, DISPUTES_HELD is released, and the seller's share
is returned to where it is owed now (pending if the line is still in escrow, else the receivable first, then
available). Lost: DISPUTES_HELD moves to DISPUTE_LOSSES and the seller's clawback stays.

`dispute_open` is idempotent on the gateway's dispute reference and `dispute_close` on the dispute: webhook
replays change nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from novacron.core.exceptions import Conflict, ValidationError
from novacron.core.services.audit import audit_record
from revenue import gateways
from revenue.exceptions import InvalidState
from revenue.models import AccountKind, Dispute, JournalEntry, Payment, Seller
from revenue.services.escrow import SellerPurse, merge_lines
from revenue.services.ledger import Line, accounts_lock, entry_post
from revenue.services.refunds import (
    apply_line_totals,
    legs_allocate,
    legs_remaining,
    lock_sale,
    require_posted,
    reversal_lines,
    sale_accounts,
    shares_from_json,
)

DISPUTE_FIELDS = ("clawed_seller", "disputed_platform", "disputed_tax")
MAX_EVIDENCE_CHARS = 20_000


def _evidence_days() -> int:
    return int(getattr(settings, "REVENUE_DISPUTE_EVIDENCE_DAYS", 7))


def _existing(gateway_reference: str, payment: Payment) -> Dispute | None:
    dispute = Dispute.objects.filter(gateway_reference=gateway_reference).first()
    if dispute is not None and dispute.payment_id != payment.pk:
        raise Conflict("This dispute reference belongs to another payment.", code="dispute_reference_reused")
    return dispute


def dispute_open(
    *,
    payment: Payment,
    amount: int,
    reason: str,
    gateway_reference: str,
    evidence_due_by: datetime | None = None,
    now: datetime | None = None,
) -> Dispute:
    """Record a dispute the gateway opened (see the module). Idempotent on `gateway_reference`."""
    now = now or timezone.now()
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValidationError("The disputed amount is a positive number of minor units.", field="amount")
    gateway_reference = (gateway_reference or "").strip()
    if not gateway_reference:
        raise ValidationError("A dispute needs the gateway's reference.", field="gateway_reference")
    existing = _existing(gateway_reference, payment)
    if existing is not None:
        return existing
    payment = Payment.objects.select_related("order").get(pk=payment.pk)
    if payment.state != Payment.State.SUCCEEDED:
        raise InvalidState("Only a captured payment can be disputed.")
    accounts = sale_accounts(
        payment=payment,
        lines=list(payment.order.lines.select_related("seller")),
        extra=[AccountKind.DISPUTES_HELD],
    )
    try:
        with transaction.atomic():
            payment, order, lines = lock_sale(payment)
            existing = _existing(gateway_reference, payment)
            if existing is not None:
                return existing
            require_posted(payment)
            if amount > payment.amount - payment.disputed_amount:
                raise ValidationError(
                    f"At most {payment.amount - payment.disputed_amount} of this payment can be disputed.",
                    field="amount",
                )
            locked = accounts_lock(accounts.all())
            allocated = min(amount, sum(sum(legs_remaining(line)) for line in lines))
            shares = legs_allocate(lines=lines, amount=allocated, currency=payment.currency)
            by_id = {line.pk: line for line in lines}
            held = (amount - allocated) + sum(
                share.platform
                + share.tax
                + (share.seller if by_id[share.line].seller.kind == Seller.Kind.PLATFORM else 0)
                for share in shares
            )
            dispute = Dispute.objects.create(
                payment=payment,
                amount=amount,
                currency=payment.currency,
                reason=(reason or "")[:60],
                gateway_reference=gateway_reference,
                evidence_due_by=evidence_due_by or now + timedelta(days=_evidence_days()),
            )
            held_account = accounts.extra[AccountKind.DISPUTES_HELD]
            postings = [
                Line(accounts.clearing, -amount),
                *reversal_lines(
                    shares=shares,
                    lines=by_id,
                    accounts=accounts,
                    purse=SellerPurse(locked),
                    direction=+1,
                    platform_account=held_account,
                ),
                Line(held_account, amount - allocated),
            ]
            dispute.allocation = {
                "shares": [asdict(share) for share in shares],
                "held": held,
                "unallocated": amount - allocated,
            }
            dispute.opened_entry = entry_post(
                kind=JournalEntry.Kind.DISPUTE_OPENED,
                lines=merge_lines(postings),
                description=f"Dispute {gateway_reference} on order {order.public_id}",
                reference_type="dispute",
                reference_id=str(dispute.public_id),
                idempotency_key=f"dispute_opened:{dispute.public_id}",
                metadata={
                    "order": str(order.public_id),
                    "payment": str(payment.public_id),
                    **dispute.allocation,
                },
                effective_at=now,
            )
            dispute.save(update_fields=["allocation", "opened_entry", "updated_at"])
            apply_line_totals(shares=shares, fields=DISPUTE_FIELDS, direction=+1)
            Payment.objects.filter(pk=payment.pk).update(disputed_amount=F("disputed_amount") + amount)
            audit_record(
                actor=None,
                action="revenue.dispute_open",
                obj=dispute,
                after={"amount": amount, "currency": payment.currency, "reason": dispute.reason},
            )
    except IntegrityError:
        existing = _existing(gateway_reference, payment)
        if existing is None:
            raise
        return existing
    return dispute


def _check_evidence_open(dispute: Dispute, now: datetime) -> None:
    if dispute.evidence_submitted_at is not None:
        raise InvalidState(
            "The evidence was already submitted to the gateway; nothing can be added.",
            code="evidence_submitted",
        )
    if dispute.evidence_due_by is not None and now > dispute.evidence_due_by:
        raise InvalidState(
            "The evidence deadline for this dispute has passed.", code="evidence_deadline_passed"
        )


def dispute_add_evidence(*, dispute: Dispute, notes: str, actor: Any, now: datetime | None = None) -> Dispute:
    """Append evidence notes (timestamped, signed) to an open dispute before its deadline; the dispute is then
    under review."""
    now = now or timezone.now()
    notes = (notes or "").strip()
    if not notes:
        raise ValidationError("Write the evidence notes.", field="notes")
    if len(notes) > MAX_EVIDENCE_CHARS:
        raise ValidationError(f"Evidence notes are at most {MAX_EVIDENCE_CHARS} characters.", field="notes")
    with transaction.atomic():
        dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
        if not dispute.is_open:
            raise InvalidState("This dispute is closed.", code="dispute_closed")
        _check_evidence_open(dispute, now)
        before = {"state": dispute.state, "evidence_chars": len(dispute.evidence_notes)}
        author = getattr(actor, "email", "") or "system"
        block = f"[{now.isoformat(timespec='seconds')} {author}]\n{notes}\n"
        dispute.evidence_notes = f"{dispute.evidence_notes}\n{block}" if dispute.evidence_notes else block
        dispute.state = Dispute.State.UNDER_REVIEW
        dispute.save(update_fields=["evidence_notes", "state", "updated_at"])
        audit_record(
            actor=actor,
            action="revenue.dispute_add_evidence",
            obj=dispute,
            before=before,
            after={
                "state": dispute.state,
                "evidence_chars": len(dispute.evidence_notes),
                "added": notes[:500],
            },
        )
    return dispute


def dispute_submit_evidence(*, dispute: Dispute, actor: Any, now: datetime | None = None) -> Dispute:
    """Send the evidence notes to the gateway, which submits them to the card network (final: no more notes
    afterwards). The gateway is called outside any transaction, with a key derived from the dispute and its
    notes, so a retry or a double click submits once."""
    now = now or timezone.now()
    with transaction.atomic():
        dispute = Dispute.objects.select_for_update().select_related("payment").get(pk=dispute.pk)
        if not dispute.is_open:
            raise InvalidState("This dispute is closed.", code="dispute_closed")
        _check_evidence_open(dispute, now)
        if not dispute.evidence_notes.strip():
            raise ValidationError("Add evidence notes before submitting them.", field="notes")
        if not dispute.gateway_reference:
            raise InvalidState("This dispute has no gateway reference to answer.", code="no_gateway_dispute")
    digest = hashlib.sha256(dispute.evidence_notes.encode()).hexdigest()[:16]
    result = gateways.get_gateway(dispute.payment.gateway).submit_dispute_evidence(
        dispute.gateway_reference,
        text=dispute.evidence_notes,
        idempotency_key=f"dispute-evidence:{dispute.public_id}:{digest}",
    )
    if not result.accepted:
        raise InvalidState(f"The gateway refused the evidence: {result.message}", code="evidence_refused")
    with transaction.atomic():
        dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
        if dispute.evidence_submitted_at is None:
            before = {"state": dispute.state, "evidence_submitted_at": None}
            dispute.evidence_submitted_at = now
            dispute.state = Dispute.State.UNDER_REVIEW if dispute.is_open else dispute.state
            dispute.save(update_fields=["evidence_submitted_at", "state", "updated_at"])
            audit_record(
                actor=actor,
                action="revenue.dispute_submit_evidence",
                obj=dispute,
                before=before,
                after={"state": dispute.state, "evidence_submitted_at": now.isoformat()},
            )
    return dispute


def dispute_close(*, dispute: Dispute, won: bool, actor: Any = None, now: datetime | None = None) -> Dispute:
    """Close an open dispute as won (everything reversed) or lost (held funds become a loss; the seller's
    clawback stays). Idempotent: closing again with the same outcome returns the dispute unchanged; the other
    outcome is InvalidState."""
    now = now or timezone.now()
    dispute = Dispute.objects.select_related("payment__order").get(pk=dispute.pk)
    payment = dispute.payment
    if not dispute.is_open:
        return _closed(dispute, won)
    accounts = sale_accounts(
        payment=payment,
        lines=list(payment.order.lines.select_related("seller")),
        extra=[AccountKind.DISPUTES_HELD, AccountKind.DISPUTE_LOSSES],
    )
    with transaction.atomic():
        payment, order, lines = lock_sale(payment)
        dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
        if not dispute.is_open:
            return _closed(dispute, won)
        locked = accounts_lock(accounts.all())
        allocation = dispute.allocation or {}
        shares = shares_from_json(allocation.get("shares", []))
        held = int(allocation.get("held", 0))
        held_account = accounts.extra[AccountKind.DISPUTES_HELD]
        if won:
            by_id = {line.pk: line for line in lines}
            postings = [
                Line(accounts.clearing, dispute.amount),
                *reversal_lines(
                    shares=shares,
                    lines=by_id,
                    accounts=accounts,
                    purse=SellerPurse(locked),
                    direction=-1,
                    platform_account=held_account,
                ),
                Line(held_account, -int(allocation.get("unallocated", 0))),
            ]
            kind = JournalEntry.Kind.DISPUTE_WON
        else:
            postings = [Line(accounts.extra[AccountKind.DISPUTE_LOSSES], held), Line(held_account, -held)]
            kind = JournalEntry.Kind.DISPUTE_LOST
        postings = merge_lines(postings)
        if postings:
            dispute.closed_entry = entry_post(
                kind=kind,
                lines=postings,
                description=f"Dispute {dispute.gateway_reference} {'won' if won else 'lost'}",
                reference_type="dispute",
                reference_id=str(dispute.public_id),
                idempotency_key=f"dispute_closed:{dispute.public_id}",
                reverses=dispute.opened_entry if won else None,
                metadata={"order": str(order.public_id), "won": won},
                actor=actor,
                effective_at=now,
            )
        if won:
            apply_line_totals(shares=shares, fields=DISPUTE_FIELDS, direction=-1)
            Payment.objects.filter(pk=payment.pk).update(
                disputed_amount=F("disputed_amount") - dispute.amount
            )
        before = {"state": dispute.state}
        dispute.state = Dispute.State.WON if won else Dispute.State.LOST
        dispute.closed_at = now
        dispute.save(update_fields=["state", "closed_at", "closed_entry", "updated_at"])
        audit_record(
            actor=actor,
            action="revenue.dispute_close",
            obj=dispute,
            before=before,
            after={"state": dispute.state, "amount": dispute.amount, "currency": dispute.currency},
        )
    return dispute


def _closed(dispute: Dispute, won: bool) -> Dispute:
    if (dispute.state == Dispute.State.WON) != won:
        raise InvalidState(f"This dispute is already closed as {dispute.state}.", code="dispute_closed")
    return dispute

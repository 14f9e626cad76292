"""Invoices and credit notes.

Lifecycle: draft → finalised → paid, or finalised → void. A draft has no number. `invoice_finalise` takes the
series' counter row with select_for_update, increments it and stamps the number in the same transaction, so
numbers are gap-free and unique per series (issuer code and year: NC-2026-000123; credit notes NC-CN-2026-000007)
even when many finalise at once; a void invoice keeps its number.

Where they come from (every step idempotent, so the after-commit hooks and the sweep can both run):
- checkout: once an order is paid (or awaits a bank transfer), `invoice_sync_order` creates its invoice and
  finalises it (paid, or finalised with the transfer reference as payment reference). Payments settled by webhook
  or by finance are picked up by `invoices_sync_due` (task revenue.sync_invoices, every 5 minutes).
- refunds: a succeeded refund gets a credit note referencing the invoice (`credit_note_for_refund`, after commit
  of the refund's settlement, and in the same sweep).
- held drafts: a reverse-charge sale whose VAT number VIES could not check yet stays a draft (hold
  vat_check_pending) until `vat_checks_retry` gets an answer; if VIES says invalid, finance reviews it
  (`invoice_release_hold`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import structlog
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from novacron.core.exceptions import PermissionDenied
from novacron.core.services.audit import audit_record
from revenue.exceptions import InvalidState, ValidationError
from revenue.models import (
    CouponRedemption,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    Order,
    Refund,
    VatNumberCheck,
)
from revenue.services.tax import billing_profile_for, vat_number_check, vat_number_parse
from revenue.tax import rules

logger = structlog.get_logger(__name__)

FINANCE_PERMISSION = "accounts.manage_finance"
REVERSE_CHARGE_NOTES = (rules.REVERSE_CHARGE_EU, rules.REVERSE_CHARGE_GB)
INVOICEABLE = (Order.State.PAID, Order.State.AWAITING_TRANSFER)


def series_for(kind: str) -> str:
    code = rules.issuer()["code"]
    return code if kind == Invoice.Kind.INVOICE else f"{code}-CN"


def number_next(*, series: str, year: int) -> tuple[int, str]:
    """Take the next number of a series. Call inside the transaction that stamps it: the counter row stays locked
    until that commits, so a rolled-back finalisation gives its number back (no gap)."""
    InvoiceCounter.objects.get_or_create(series=series, year=year)
    counter = InvoiceCounter.objects.select_for_update().get(series=series, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number, f"{series}-{year}-{counter.last_number:06d}"


# --- building a draft -------------------------------------------------------------------------------------------


def _vat_number(order: Order, profile: Any) -> str:
    raw = (order.tax_evidence or {}).get("vat_number") or (profile.vat_number if profile else "")
    if not raw:
        return ""
    try:
        return vat_number_parse(raw).number
    except ValidationError:
        return ""


def _customer(order: Order, profile: Any, vat_number: str) -> dict[str, str]:
    buyer = order.buyer
    person = (buyer.get_full_name() if hasattr(buyer, "get_full_name") else "") or buyer.get_username()
    name = (profile.legal_name if profile else "") or (
        order.organization.name if order.organization else person
    )
    address = [profile.address_line1, profile.address_line2] if profile else []
    place = " ".join(p for p in ((profile.postal_code, profile.city, profile.region) if profile else ()) if p)
    evidence = order.tax_evidence or {}
    return {
        "name": name,
        "address": "\n".join(part for part in [*address, place] if part),
        "country": (profile.country if profile else "") or evidence.get("billing_country", ""),
        "vat_number": vat_number,
        "email": (profile.email if profile else "") or buyer.email,
    }


def _hold_for(vat_number: str, reverse_charge: bool) -> str:
    if not (reverse_charge and vat_number):
        return ""
    check = VatNumberCheck.objects.filter(vat_number=vat_number).first()
    if check is None or check.state == VatNumberCheck.State.VALID:
        return ""
    if check.state == VatNumberCheck.State.PENDING:
        return Invoice.Hold.VAT_CHECK_PENDING
    return Invoice.Hold.VAT_NUMBER_INVALID


def _coupon_code(order: Order) -> str:
    redemption = CouponRedemption.objects.filter(order=order).select_related("coupon").first()
    return redemption.coupon.code if redemption else ""


def _payment(order: Order) -> Any:
    return order.payments.order_by("-created_at", "-id").first()


def invoice_create_draft(*, order: Order) -> Invoice:
    """The order's invoice as a draft (or the one it already has)."""
    existing = Invoice.objects.filter(order=order, kind=Invoice.Kind.INVOICE).first()
    if existing is not None:
        return existing
    order = Order.objects.select_related("buyer", "organization").get(pk=order.pk)
    profile = billing_profile_for(buyer_id=order.buyer_id, organization_id=order.organization_id)
    vat_number = _vat_number(order, profile)
    evidence = order.tax_evidence or {}
    notes = list(dict.fromkeys(evidence.get("notes", [])))
    reverse_charge = any(note in REVERSE_CHARGE_NOTES for note in notes)
    payment = _payment(order)
    lines = list(order.lines.all())
    check = VatNumberCheck.objects.filter(vat_number=vat_number).first() if vat_number else None
    card_country = payment.card_country if payment else ""
    countries = {c for c in (evidence.get("billing_country"), evidence.get("ip_country"), card_country) if c}
    try:
        with transaction.atomic():
            invoice = Invoice.objects.create(
                kind=Invoice.Kind.INVOICE,
                series=series_for(Invoice.Kind.INVOICE),
                order=order,
                buyer_id=order.buyer_id,
                organization_id=order.organization_id,
                currency=order.currency,
                subtotal=order.subtotal,
                tax_total=order.tax_total,
                total=order.total,
                issuer=rules.issuer(),
                customer=_customer(order, profile, vat_number),
                evidence={
                    "billing_country": evidence.get("billing_country", ""),
                    "ip_country": evidence.get("ip_country", ""),
                    "card_country": card_country,
                    "vat_number": vat_number,
                    "vat_check": check.state if check else "",
                    "vat_check_consultation": check.consultation_number if check else "",
                    "place_of_supply": next(
                        (line.tax_jurisdiction for line in lines if line.tax_jurisdiction), ""
                    ),
                    "evidence_agrees": len(countries) <= 1,
                },
                reverse_charge=reverse_charge,
                tax_notes=notes,
                payment_reference=(payment.gateway_reference if payment else "") or str(order.public_id),
                coupon_code=_coupon_code(order),
                hold=_hold_for(vat_number, reverse_charge),
            )
            InvoiceLine.objects.bulk_create(
                InvoiceLine(
                    invoice=invoice,
                    order_line=line,
                    description=line.description,
                    quantity=line.quantity,
                    unit_amount=line.unit_amount,
                    discount_amount=int((line.metadata or {}).get("discount", 0)),
                    net_amount=line.net_amount,
                    tax_rate=line.tax_rate,
                    tax_amount=line.tax_amount,
                    tax_jurisdiction=line.tax_jurisdiction,
                )
                for line in lines
            )
    except IntegrityError:
        return Invoice.objects.get(order=order, kind=Invoice.Kind.INVOICE)
    return invoice


# --- state changes ----------------------------------------------------------------------------------------------


def _email_after_commit(invoice: Invoice) -> None:
    from revenue.tasks_billing import send_invoice_email

    invoice_id = invoice.pk
    transaction.on_commit(lambda: send_invoice_email.delay(invoice_id), robust=True)


def invoice_finalise(*, invoice: Invoice, actor: Any = None, now: datetime | None = None) -> Invoice:
    """Number a draft and make it final (paid at once when its order is paid). Refused while it is on hold.
    Idempotent: a final invoice is returned unchanged."""
    now = now or timezone.now()
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.state != Invoice.State.DRAFT:
            return invoice
        if invoice.hold:
            raise InvalidState(
                f"This invoice is on hold: {invoice.get_hold_display()}.", code="invoice_on_hold"
            )
        order = Order.objects.get(pk=invoice.order_id)
        year = timezone.localtime(now).year
        invoice.sequence, invoice.number = number_next(series=invoice.series, year=year)
        invoice.year = year
        invoice.issued_at = now
        paid = invoice.kind == Invoice.Kind.CREDIT_NOTE or order.state == Order.State.PAID
        invoice.state = Invoice.State.PAID if paid else Invoice.State.FINALISED
        invoice.paid_at = (order.paid_at or now) if invoice.kind == Invoice.Kind.INVOICE and paid else None
        invoice.save()
        audit_record(
            actor=actor,
            action="revenue.invoice_finalise",
            obj=invoice,
            after={"number": invoice.number, "state": invoice.state, "total": invoice.total},
        )
        _email_after_commit(invoice)
    return invoice


def invoice_mark_paid(*, invoice: Invoice, now: datetime | None = None) -> Invoice:
    """A finalised invoice whose order got paid (a bank transfer arrived)."""
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        order = Order.objects.get(pk=invoice.order_id)
        if invoice.state != Invoice.State.FINALISED or order.state != Order.State.PAID:
            return invoice
        invoice.state = Invoice.State.PAID
        invoice.paid_at = order.paid_at or now or timezone.now()
        invoice.save(update_fields=["state", "paid_at", "updated_at"])
        audit_record(actor=None, action="revenue.invoice_paid", obj=invoice, after={"number": invoice.number})
    return invoice


def invoice_void(*, invoice: Invoice, actor: Any, reason: str, now: datetime | None = None) -> Invoice:
    """Void a finalised, unpaid invoice (it keeps its number). A paid invoice is corrected by a credit note."""
    if actor is not None and not actor.has_perm(FINANCE_PERMISSION):
        raise PermissionDenied("Only finance staff can void invoices.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say why the invoice is void.", field="reason")
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.state == Invoice.State.VOID:
            return invoice
        if invoice.state != Invoice.State.FINALISED or invoice.kind != Invoice.Kind.INVOICE:
            raise InvalidState(
                f"A {invoice.get_state_display().lower()} {invoice.get_kind_display().lower()} cannot be voided"
                + (
                    ": refund it, which issues a credit note." if invoice.state == Invoice.State.PAID else "."
                ),
                code="invoice_not_voidable",
            )
        invoice.state = Invoice.State.VOID
        invoice.voided_at = now or timezone.now()
        invoice.void_reason = reason[:255]
        invoice.save(update_fields=["state", "voided_at", "void_reason", "updated_at"])
        audit_record(
            actor=actor,
            action="revenue.invoice_void",
            obj=invoice,
            after={"number": invoice.number, "reason": reason},
        )
    return invoice


def invoice_release_hold(*, invoice: Invoice, actor: Any, note: str, now: datetime | None = None) -> Invoice:
    """Finance checked the buyer's VAT registration by other means: clear the hold and finalise (audited)."""
    if actor is None or not actor.has_perm(FINANCE_PERMISSION):
        raise PermissionDenied("Only finance staff can release a held invoice.")
    note = (note or "").strip()
    if not note:
        raise ValidationError("Record how the VAT number was verified.", field="note")
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.state != Invoice.State.DRAFT or not invoice.hold:
            raise InvalidState("This invoice is not on hold.")
        before = {"hold": invoice.hold}
        invoice.hold = ""
        invoice.evidence = {**invoice.evidence, "hold_released": note[:255]}
        invoice.save(update_fields=["hold", "evidence", "updated_at"])
        audit_record(
            actor=actor,
            action="revenue.invoice_release_hold",
            obj=invoice,
            before=before,
            after={"note": note},
        )
        return invoice_finalise(invoice=invoice, actor=actor, now=now)


def invoice_sync_order(*, order: Order, now: datetime | None = None) -> Invoice | None:
    """Bring the order's invoice in line with the order (idempotent): paid or awaiting a transfer → an invoice,
    finalised unless held; paid → marked paid; canceled or failed after finalisation → void."""
    order.refresh_from_db(fields=["state", "paid_at"])
    invoice = Invoice.objects.filter(order=order, kind=Invoice.Kind.INVOICE).first()
    if invoice is None:
        if order.state not in INVOICEABLE:
            return None
        invoice = invoice_create_draft(order=order)
    if invoice.state == Invoice.State.DRAFT and not invoice.hold and order.state in INVOICEABLE:
        invoice = invoice_finalise(invoice=invoice, now=now)
    elif invoice.state == Invoice.State.FINALISED and order.state == Order.State.PAID:
        invoice = invoice_mark_paid(invoice=invoice, now=now)
    elif invoice.state == Invoice.State.FINALISED and order.state in (
        Order.State.CANCELED,
        Order.State.FAILED,
    ):
        invoice = invoice_void(invoice=invoice, actor=None, reason=f"Order {order.state}", now=now)
    return invoice


def invoice_sync_after_commit(order_id: int) -> None:
    """For transaction.on_commit: a failure is logged and left to the sweep (invoices_sync_due)."""
    try:
        invoice_sync_order(order=Order.objects.get(pk=order_id))
    except Exception:
        logger.exception("invoice.sync_failed", order=order_id)


# --- credit notes -----------------------------------------------------------------------------------------------


def credit_note_for_refund(*, refund: Refund, now: datetime | None = None) -> Invoice | None:
    """The credit note of a succeeded refund (created once, numbered in the credit-note series, referencing the
    invoice). None while the refund is not final or its invoice is not numbered yet (the sweep comes back)."""
    refund = Refund.objects.select_related("payment", "entry").get(pk=refund.pk)
    if refund.state != Refund.State.SUCCEEDED:
        return None
    existing = Invoice.objects.filter(refund=refund).first()
    if existing is not None:
        return existing
    order = refund.payment.order
    invoice = invoice_sync_order(order=order, now=now)
    if invoice is None or invoice.number is None:
        return None
    shares = (refund.entry.metadata or {}).get("shares", []) if refund.entry_id else []
    by_order_line = {line.order_line_id: line for line in invoice.lines.all()}
    lines = []
    for share in shares:
        source = by_order_line.get(share["line"])
        if source is None:
            continue
        net = int(share.get("seller", 0)) + int(share.get("platform", 0))
        lines.append(
            InvoiceLine(
                description=f"Refund: {source.description}"[:255],
                quantity=1,
                unit_amount=net,
                net_amount=net,
                tax_rate=source.tax_rate,
                tax_amount=int(share.get("tax", 0)),
                tax_jurisdiction=source.tax_jurisdiction,
                order_line_id=source.order_line_id,
            )
        )
    subtotal = sum(line.net_amount for line in lines)
    tax_total = sum(line.tax_amount for line in lines)
    if subtotal + tax_total != refund.amount:
        logger.error("credit_note.amount_mismatch", refund=str(refund.public_id))
        return None
    try:
        with transaction.atomic():
            note = Invoice.objects.create(
                kind=Invoice.Kind.CREDIT_NOTE,
                series=series_for(Invoice.Kind.CREDIT_NOTE),
                order=order,
                invoice=invoice,
                refund=refund,
                buyer_id=invoice.buyer_id,
                organization_id=invoice.organization_id,
                currency=refund.currency,
                subtotal=subtotal,
                tax_total=tax_total,
                total=refund.amount,
                issuer=invoice.issuer,
                customer=invoice.customer,
                evidence=invoice.evidence,
                reverse_charge=invoice.reverse_charge,
                tax_notes=invoice.tax_notes,
                payment_reference=refund.gateway_reference or str(refund.public_id),
            )
            for line in lines:
                line.invoice = note
            InvoiceLine.objects.bulk_create(lines)
            note = invoice_finalise(invoice=note, now=now)
    except IntegrityError:
        return Invoice.objects.get(refund=refund)
    return note


def credit_note_after_commit(refund_id: int) -> None:
    try:
        credit_note_for_refund(refund=Refund.objects.get(pk=refund_id))
    except Exception:
        logger.exception("credit_note.failed", refund=refund_id)


# --- sweeps (Celery beat) ---------------------------------------------------------------------------------------


def vat_checks_retry(*, now: datetime | None = None, client: Any = None) -> int:
    """Ask VIES again about numbers it could not check, then finalise the drafts they held (or flag them for
    finance when VIES says invalid). Returns how many invoices left the vat_check_pending hold."""
    now = now or timezone.now()
    held = Invoice.objects.filter(state=Invoice.State.DRAFT, hold=Invoice.Hold.VAT_CHECK_PENDING)
    numbers = set(held.values_list("evidence__vat_number", flat=True))
    for number in sorted(n for n in numbers if n):
        try:
            vat_number_check(vat=vat_number_parse(number), now=now, client=client)
        except ValidationError:
            VatNumberCheck.objects.filter(vat_number=number).update(state=VatNumberCheck.State.INVALID)
    released = 0
    for invoice in held.order_by("pk"):
        number = invoice.evidence.get("vat_number", "")
        check = VatNumberCheck.objects.filter(vat_number=number).first()
        state = check.state if check else VatNumberCheck.State.VALID
        if state == VatNumberCheck.State.PENDING:
            continue
        hold = "" if state == VatNumberCheck.State.VALID else Invoice.Hold.VAT_NUMBER_INVALID
        evidence = {**invoice.evidence, "vat_check": state}
        if check is not None:
            evidence["vat_check_consultation"] = check.consultation_number
        updated = Invoice.objects.filter(
            pk=invoice.pk, state=Invoice.State.DRAFT, hold=Invoice.Hold.VAT_CHECK_PENDING
        ).update(hold=hold, evidence=evidence, updated_at=now)
        if updated:
            released += 1
            if not hold:
                invoice_sync_order(order=invoice.order, now=now)
    return released


def invoices_sync_due(*, now: datetime | None = None, lookback: timedelta = timedelta(days=35)) -> int:
    """Create and finalise what the after-commit hooks missed (payments recorded by webhook or finance, a crash
    after commit): invoices of recently paid or awaiting orders, and credit notes of succeeded refunds."""
    now = now or timezone.now()
    since = now - lookback
    done = 0
    has_invoice = Invoice.objects.filter(order=OuterRef("pk"), kind=Invoice.Kind.INVOICE)
    open_invoice = has_invoice.filter(
        Q(state=Invoice.State.DRAFT, hold="") | Q(state=Invoice.State.FINALISED)
    )
    orders = Order.objects.filter(updated_at__gte=since).filter(
        (Q(state__in=INVOICEABLE) & ~Exists(has_invoice)) | Exists(open_invoice)
    )
    for order in orders.order_by("pk"):
        before = (
            Invoice.objects.filter(order=order, kind=Invoice.Kind.INVOICE)
            .values_list("state", flat=True)
            .first()
        )
        invoice = invoice_sync_order(order=order, now=now)
        done += int(invoice is not None and invoice.state != before)
    refunds = Refund.objects.filter(
        state=Refund.State.SUCCEEDED, updated_at__gte=since, credit_note__isnull=True
    )
    for refund in refunds.order_by("pk"):
        done += int(credit_note_for_refund(refund=refund, now=now) is not None)
    return done

"""Invoices from checkout, numbering, void, credit notes from refunds, PDF and email."""

import pytest
from django.core import mail

from revenue.exceptions import InvalidState
from revenue.models import Invoice, Order
from revenue.services.invoice_documents import invoice_pdf
from revenue.services.invoices import (
    credit_note_for_refund,
    invoice_create_draft,
    invoice_finalise,
    invoice_void,
)
from revenue.services.refunds import refund_create
from revenue.services.tax import billing_profile_update
from tests.factories import UserFactory
from tests.revenue.billing.conftest import pdf_text

pytestmark = pytest.mark.django_db


def test_a_paid_checkout_creates_a_paid_numbered_invoice_and_emails_it(buy):
    # When a German consumer pays €100
    buyer = UserFactory(email="buyer@example.com")
    order = buy(country="DE", buyer=buyer)

    # Then its invoice is paid, numbered in the NC series of this year, with 19% German VAT
    assert order.state == Order.State.PAID
    invoice = Invoice.objects.get(order=order)
    year = invoice.issued_at.year
    assert invoice.state == Invoice.State.PAID
    assert invoice.number == f"NC-{year}-000001"
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (10_000, 1_900, 11_900)
    assert invoice.evidence["billing_country"] == "DE"
    assert invoice.evidence["card_country"] == order.payments.get().card_country
    assert invoice.payment_reference == order.payments.get().gateway_reference
    # And the buyer got it by email with the PDF attached
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["buyer@example.com"]
    assert invoice.number in message.subject
    assert message.attachments[0][0] == f"{invoice.number}.pdf"


def test_numbers_are_consecutive_and_drafts_have_none(buy):
    first = Invoice.objects.get(order=buy())
    second = Invoice.objects.get(order=buy())
    assert second.sequence == first.sequence + 1
    draft = Invoice(state=Invoice.State.DRAFT)
    assert draft.number is None


def test_the_pdf_holds_the_legally_required_fields(buy):
    # Given a reverse-charge sale to a German business with a billing profile
    buyer = UserFactory(email="ap@acme.example")
    billing_profile_update(
        actor=buyer,
        values={
            "legal_name": "Acme GmbH",
            "address_line1": "Hauptstraße 1",
            "postal_code": "10115",
            "city": "Berlin",
            "country": "DE",
            "vat_number": "DE136695976",
        },
    )
    invoice = Invoice.objects.get(order=buy(buyer=buyer, country="DE"))

    # When its PDF is rendered
    text = pdf_text(invoice_pdf(invoice))

    # Then it names the seller and buyer with VAT numbers, the number, dates, tax per rate, the mention, the ref
    for expected in (
        invoice.number,
        "NovaCron Community Ltd",
        "IE6388047V",
        "Acme GmbH",
        "Hauptstraße 1",
        "DE136695976",
        "Issue date",
        "Tax by rate",
        "0%",
        "Reverse charge",
        "Article 196",
        invoice.payment_reference,
        "€100.00",
    ):
        assert expected in text, expected
    assert invoice.reverse_charge is True
    assert invoice.tax_total == 0


def test_void_keeps_the_number_and_paid_invoices_cannot_be_voided(buy, finance_user):
    invoice = Invoice.objects.get(order=buy())
    with pytest.raises(InvalidState, match="credit note"):
        invoice_void(invoice=invoice, actor=finance_user, reason="mistake")
    # A finalised, unpaid invoice (bank transfer awaited) can be voided and keeps its number
    order = buy(gateway="bank_transfer", card="")
    assert order.state == Order.State.AWAITING_TRANSFER
    unpaid = Invoice.objects.get(order=order)
    assert unpaid.state == Invoice.State.FINALISED
    voided = invoice_void(invoice=unpaid, actor=finance_user, reason="buyer cancelled")
    assert (voided.state, voided.number) == (Invoice.State.VOID, unpaid.number)


def test_a_refund_creates_a_credit_note_referencing_the_invoice(buy, run_on_commit):
    order = buy(country="FR")  # 100 + 20% VAT
    invoice = Invoice.objects.get(order=order)

    with run_on_commit():
        refund = refund_create(order=order, amount=6_000, reason="partial")

    note = Invoice.objects.get(refund=refund)
    assert note.kind == Invoice.Kind.CREDIT_NOTE
    assert note.invoice == invoice
    assert note.number == f"NC-CN-{note.issued_at.year}-000001"
    assert (note.subtotal, note.tax_total, note.total) == (5_000, 1_000, 6_000)
    # Idempotent: asking again gives the same note
    assert credit_note_for_refund(refund=refund) == note
    assert f"Credits invoice: {invoice.number}" in pdf_text(invoice_pdf(note))


def test_finalising_twice_changes_nothing(buy):
    invoice = Invoice.objects.get(order=buy())
    assert invoice_finalise(invoice=invoice).number == invoice.number
    assert invoice_create_draft(order=invoice.order) == invoice

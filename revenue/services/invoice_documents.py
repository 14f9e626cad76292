"""Invoice and credit-note PDFs (WeasyPrint, templates/revenue/billing/invoice_pdf.html) and their email; sellers'
self-billing payout statements (payout_statement_pdf.html)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Sum
from django.template.loader import render_to_string
from django.utils import timezone

from novacron.core.money import Money
from revenue.models import Invoice, OrderLine, Payout
from revenue.selectors.statements import earnings_statement
from revenue.tax import rules

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def invoice_context(invoice: Invoice) -> dict[str, Any]:
    currency = invoice.currency
    lines = list(invoice.lines.select_related("order_line"))
    by_rate: dict[tuple[str, Decimal], list[int]] = defaultdict(lambda: [0, 0])
    for line in lines:
        key = (line.tax_jurisdiction, line.tax_rate)
        by_rate[key][0] += line.net_amount
        by_rate[key][1] += line.tax_amount
    return {
        "invoice": invoice,
        "title": "Credit note" if invoice.kind == Invoice.Kind.CREDIT_NOTE else "Invoice",
        "lines": [
            {
                "line": line,
                "unit": Money(line.unit_amount, currency),
                "discount": Money(line.discount_amount, currency),
                "net": Money(line.net_amount, currency),
                "tax": Money(line.tax_amount, currency),
                "rate": f"{(line.tax_rate * 100).normalize():f}%",
                "volume": _volume(line, currency),
            }
            for line in lines
        ],
        "tax_lines": [
            {
                "jurisdiction": jurisdiction or "—",
                "rate": f"{(rate * 100).normalize():f}%",
                "net": Money(net, currency),
                "tax": Money(tax, currency),
            }
            for (jurisdiction, rate), (net, tax) in sorted(by_rate.items())
        ],
        "discount_total": Money(sum(line.discount_amount for line in lines), currency),
        "volume_discount_total": Money(sum(_volume_discount(line) for line in lines), currency),
        "subtotal": Money(invoice.subtotal, currency),
        "tax_total": Money(invoice.tax_total, currency),
        "total": Money(invoice.total, currency),
        "credited": invoice.invoice,
    }


def _volume_discount(line: Any) -> int:
    if line.order_line is None or line.invoice.kind != Invoice.Kind.INVOICE:
        return 0
    return int(((line.order_line.metadata or {}).get("volume") or {}).get("discount", 0))


def _volume(line: Any, currency: str) -> dict[str, Any] | None:
    """The volume price an invoice line got (revenue/volume_pricing.py): the list price and the saving."""
    volume = ((line.order_line.metadata or {}).get("volume") if line.order_line else None) or {}
    if not volume or line.invoice.kind != Invoice.Kind.INVOICE:
        return None
    return {
        "min_quantity": volume["min_quantity"],
        "list_unit": Money(int(volume["list_unit_amount"]), currency),
        "discount": Money(int(volume["discount"]), currency),
    }


def invoice_pdf(invoice: Invoice) -> bytes:
    from weasyprint import HTML  # heavy import: only when a PDF is made

    html = render_to_string("revenue/billing/invoice_pdf.html", invoice_context(invoice))
    return HTML(string=html).write_pdf()


def invoice_filename(invoice: Invoice) -> str:
    return f"{invoice.number or invoice.public_id}.pdf"


def invoice_email_send(*, invoice: Invoice) -> bool:
    """Email a final invoice or credit note with its PDF to the buyer, once (emailed_at). Returns whether sent."""
    invoice = Invoice.objects.select_related("invoice").get(pk=invoice.pk)
    if invoice.state == Invoice.State.DRAFT or invoice.emailed_at is not None:
        return False
    recipient = invoice.customer.get("email", "")
    if not recipient:
        return False
    title = "Credit note" if invoice.kind == Invoice.Kind.CREDIT_NOTE else "Invoice"
    message = EmailMessage(
        subject=f"[NovaCron] {title} {invoice.number}",
        body=render_to_string("revenue/billing/invoice_email.txt", invoice_context(invoice)),
        to=[recipient],
    )
    message.attach(invoice_filename(invoice), invoice_pdf(invoice), "application/pdf")
    with transaction.atomic():
        claimed = Invoice.objects.filter(pk=invoice.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if not claimed:
            return False
        message.send()
    return True


# --- self-billing payout statements -----------------------------------------------------------------------------


def payout_statement_context(payout: Payout) -> dict[str, Any]:
    """What the platform states on the seller's behalf for one payout: every movement of the seller's balances in
    the payout's currency since its previous payout (sales, refunds, disputes, releases), and the amount paid."""
    previous = (
        Payout.objects.filter(
            seller=payout.seller, currency=payout.currency, created_at__lt=payout.created_at
        )
        .order_by("-created_at")
        .first()
    )
    start = previous.created_at if previous else EPOCH
    end = payout.created_at + timedelta(seconds=1)
    statement = earnings_statement(seller=payout.seller, start=start, end=end, currency=payout.currency)
    sales = OrderLine.objects.filter(
        seller=payout.seller,
        order__currency=payout.currency,
        order__paid_at__gte=start,
        order__paid_at__lt=end,
    ).aggregate(net=Sum("net_amount"), seller=Sum("seller_amount"), platform=Sum("platform_amount"))
    currency = payout.currency
    return {
        "payout": payout,
        "seller": payout.seller,
        "issuer": rules.issuer(),
        "start": start,
        "end": payout.created_at,
        "amount": Money(payout.amount, currency),
        "sales_net": Money(sales["net"] or 0, currency),
        "sales_seller": Money(sales["seller"] or 0, currency),
        "sales_platform": Money(sales["platform"] or 0, currency),
        "rows": [
            {
                "row": row,
                "amount": Money(row.amount, currency),
                "balance": Money(row.running_balance, currency),
            }
            for row in statement.rows
        ],
    }


def payout_statement_pdf(payout: Payout) -> bytes:
    from weasyprint import HTML

    html = render_to_string("revenue/billing/payout_statement_pdf.html", payout_statement_context(payout))
    return HTML(string=html).write_pdf()

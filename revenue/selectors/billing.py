"""Billing reads: buyers' invoices and credit notes, finance's invoice search and the tax report."""

from __future__ import annotations

import calendar
import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from revenue.exceptions import ValidationError
from revenue.models import Coupon, Invoice, InvoiceLine
from revenue.selectors.sellers import seller_organization_ids
from revenue.services.coupons import NOT_COUNTING

FINANCE_PERMISSION = "accounts.manage_finance"


def invoices_for_buyer(*, user_id: int, organization_ids: list[int] | None = None) -> QuerySet[Invoice]:
    """Final invoices and credit notes of the user's own purchases and of organisations they buy for."""
    owner = Q(buyer_id=user_id, organization__isnull=True)
    if organization_ids:
        owner |= Q(organization_id__in=organization_ids)
    return (
        Invoice.objects.filter(owner)
        .exclude(state=Invoice.State.DRAFT)
        .select_related("invoice", "order")
        .order_by("-issued_at", "-id")
    )


def invoices_visible_to(user: Any) -> QuerySet[Invoice]:
    """The final invoices a user may read: their own and their organisations' (finance staff: all)."""
    if user.is_authenticated and user.has_perm(FINANCE_PERMISSION):
        return Invoice.objects.exclude(state=Invoice.State.DRAFT).select_related("invoice", "order")
    return invoices_for_buyer(user_id=user.pk, organization_ids=seller_organization_ids(user_id=user.pk))


def invoices_for_finance(*, query: str = "", state: str = "", kind: str = "") -> QuerySet[Invoice]:
    invoices = Invoice.objects.select_related("buyer", "invoice", "order").order_by("-created_at", "-id")
    if query:
        invoices = invoices.filter(
            Q(number__icontains=query)
            | Q(buyer__email__icontains=query)
            | Q(customer__name__icontains=query)
            | Q(customer__vat_number__icontains=query)
        )
    if state:
        invoices = invoices.filter(state=state)
    if kind:
        invoices = invoices.filter(kind=kind)
    return invoices


def invoice_with_lines(*, public_id: Any) -> Invoice | None:
    return (
        Invoice.objects.select_related("invoice", "order")
        .prefetch_related("lines")
        .filter(public_id=public_id)
        .first()
    )


# --- the tax report ---------------------------------------------------------------------------------------------

_PERIOD = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<month>\d{2})|Q(?P<quarter>[1-4])))?$")


def period_parse(value: str) -> tuple[date, date]:
    """ "2026" (year), "2026-Q3" (quarter) or "2026-07" (month) → (first day, last day)."""
    match = _PERIOD.match((value or "").strip().upper())
    if not match or not 2000 <= int(match["year"]) <= 2100:
        raise ValidationError("Give a period as 2026, 2026-Q3 or 2026-07.", field="period")
    year = int(match["year"])
    if match["month"]:
        month = int(match["month"])
        if not 1 <= month <= 12:
            raise ValidationError("The month is 01 to 12.", field="period")
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    if match["quarter"]:
        first = (int(match["quarter"]) - 1) * 3 + 1
        return date(year, first, 1), date(year, first + 2, calendar.monthrange(year, first + 2)[1])
    return date(year, 1, 1), date(year, 12, 31)


@dataclass(frozen=True)
class TaxReportRow:
    jurisdiction: str
    scheme: str  # "standard", "reverse_charge" or "no_tax"
    rate: Decimal
    currency: str
    invoices: int
    credit_notes: int
    sales_net: int
    sales_tax: int
    credited_net: int
    credited_tax: int

    @property
    def net_taxable(self) -> int:
        return self.sales_net - self.credited_net

    @property
    def tax_due(self) -> int:
        return self.sales_tax - self.credited_tax


def tax_report(*, start: date, end: date, jurisdiction: str = "") -> list[TaxReportRow]:
    """Tax per jurisdiction, scheme, rate and currency over final invoices and credit notes issued from `start` to
    `end` (inclusive, by issue date; void invoices excluded). Credit notes reduce the period they are issued in."""
    if end < start:
        raise ValidationError("The end is before the start.", field="end")
    lines = InvoiceLine.objects.filter(
        invoice__state__in=(Invoice.State.FINALISED, Invoice.State.PAID),
        invoice__issued_at__date__gte=start,
        invoice__issued_at__date__lte=end,
    )
    if jurisdiction:
        lines = lines.filter(tax_jurisdiction=jurisdiction.upper())
    grouped = (
        lines.values(
            "tax_jurisdiction", "tax_rate", "invoice__currency", "invoice__reverse_charge", "invoice__kind"
        )
        .annotate(documents=Count("invoice", distinct=True), net=Sum("net_amount"), tax=Sum("tax_amount"))
        .order_by()
    )
    rows: dict[tuple, dict[str, int]] = {}
    for group in grouped:
        scheme = (
            "reverse_charge"
            if group["invoice__reverse_charge"]
            else ("standard" if group["tax_jurisdiction"] else "no_tax")
        )
        key = (group["tax_jurisdiction"], scheme, group["tax_rate"], group["invoice__currency"])
        row = rows.setdefault(key, dict.fromkeys(("invoices", "credit_notes", "sn", "st", "cn", "ct"), 0))
        if group["invoice__kind"] == Invoice.Kind.CREDIT_NOTE:
            row["credit_notes"] += group["documents"]
            row["cn"] += group["net"]
            row["ct"] += group["tax"]
        else:
            row["invoices"] += group["documents"]
            row["sn"] += group["net"]
            row["st"] += group["tax"]
    return [
        TaxReportRow(
            jurisdiction=j,
            scheme=scheme,
            rate=rate,
            currency=currency,
            invoices=v["invoices"],
            credit_notes=v["credit_notes"],
            sales_net=v["sn"],
            sales_tax=v["st"],
            credited_net=v["cn"],
            credited_tax=v["ct"],
        )
        for (j, scheme, rate, currency), v in sorted(
            rows.items(), key=lambda item: (item[0][0], item[0][1], item[0][3], item[0][2])
        )
    ]


CSV_HEADER = [
    "period_start",
    "period_end",
    "jurisdiction",
    "scheme",
    "rate",
    "currency",
    "invoices",
    "credit_notes",
    "sales_net",
    "sales_tax",
    "credited_net",
    "credited_tax",
    "net_taxable",
    "tax_due",
]


def tax_report_csv(*, start: date, end: date, jurisdiction: str = "") -> str:
    """The report as CSV; amounts in minor units of the row's currency."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for row in tax_report(start=start, end=end, jurisdiction=jurisdiction):
        writer.writerow(
            [
                start.isoformat(),
                end.isoformat(),
                row.jurisdiction or "-",
                row.scheme,
                f"{row.rate:f}",
                row.currency,
                row.invoices,
                row.credit_notes,
                row.sales_net,
                row.sales_tax,
                row.credited_net,
                row.credited_tax,
                row.net_taxable,
                row.tax_due,
            ]
        )
    return out.getvalue()


def coupons_with_usage() -> QuerySet[Coupon]:
    """Coupons with their seller and `used`: the redemptions that still count (order neither failed nor
    canceled). One query for any number of coupons."""
    return (
        Coupon.objects.select_related("seller")
        .annotate(used=Count("redemptions", filter=~Q(redemptions__order__state__in=NOT_COUNTING)))
        .order_by("code")  # an aggregate drops Meta.ordering
    )

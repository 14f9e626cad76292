"""Billing API: buyers' invoices and credit notes (JSON and PDF), their billing profile; finance's invoice search,
void, hold release, tax rates and the tax report (JSON or CSV). Thin: parse, check who may act, call a service or
selector, render."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from novacron.accounts import facade as accounts
from novacron.core.api.pagination import DefaultPagination
from revenue.api.billing_serializers import (
    BillingProfileIO,
    CouponIO,
    FinanceInvoiceOutput,
    FinanceInvoiceQuery,
    InvoiceOutput,
    InvoiceQuery,
    InvoiceReleaseInput,
    InvoiceVoidInput,
    TaxRateIO,
    TaxRateQuery,
    TaxReportOutput,
    TaxReportQuery,
)
from revenue.api.operations_views import ERROR, PUBLIC_ID, FinanceOperationsApi, OperationsApi, is_finance
from revenue.models import Coupon, Invoice, Payout, TaxRate
from revenue.selectors.billing import (
    coupons_with_usage,
    invoices_for_buyer,
    invoices_for_finance,
    invoices_visible_to,
    period_parse,
    tax_report,
    tax_report_csv,
)
from revenue.selectors.sellers import seller_organization_ids
from revenue.services.coupons import coupon_create, coupon_deactivate
from revenue.services.invoice_documents import invoice_filename, invoice_pdf, payout_statement_pdf
from revenue.services.invoices import invoice_release_hold, invoice_void
from revenue.services.products import seller_can_manage
from revenue.services.tax import billing_profile_for, billing_profile_update, tax_rate_set

TAGS = ["revenue-billing"]
PDF = OpenApiResponse(OpenApiTypes.BINARY, description="application/pdf")


class InvoiceListView(OperationsApi):
    pagination_class = DefaultPagination

    @extend_schema(
        tags=TAGS,
        operation_id="revenue_invoice_list",
        summary="My invoices and credit notes",
        description="Final (numbered) invoices and credit notes of your purchases and of the organisations you buy "
        "for (owner, admin, billing), newest first.",
        parameters=[InvoiceQuery],
        responses={200: InvoiceOutput(many=True), 400: ERROR},
    )
    def get(self, request: Request) -> Response:
        query = InvoiceQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        invoices = invoices_for_buyer(
            user_id=request.user.pk, organization_ids=seller_organization_ids(user_id=request.user.pk)
        ).prefetch_related("lines")
        if query.validated_data.get("kind"):
            invoices = invoices.filter(kind=query.validated_data["kind"])
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(invoices, request, view=self)
        return paginator.get_paginated_response(InvoiceOutput(page, many=True).data)


class InvoiceDetailView(OperationsApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_invoice_retrieve",
        summary="An invoice or credit note",
        parameters=[PUBLIC_ID],
        responses={200: InvoiceOutput, 404: ERROR},
    )
    def get(self, request: Request, public_id: str) -> Response:
        invoice = get_object_or_404(invoices_visible_to(request.user), public_id=public_id)
        return Response(InvoiceOutput(invoice).data)


class InvoicePdfView(OperationsApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_invoice_pdf",
        summary="An invoice or credit note as PDF",
        parameters=[PUBLIC_ID],
        responses={(200, "application/pdf"): PDF, 404: ERROR},
    )
    def get(self, request: Request, public_id: str) -> HttpResponse:
        invoice = get_object_or_404(invoices_visible_to(request.user), public_id=public_id)
        response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{invoice_filename(invoice)}"'
        return response


ORGANIZATION_PARAMETER = OpenApiParameter(
    "organization",
    str,
    required=False,
    description="An organisation's slug: its billing details (owner, admin or billing members only)",
)
BILLING_ROLES = ("owner", "admin", "billing")


def _profile_owner(request: Request) -> int | None:
    """The organisation id named by ?organization= (checked: the user bills for it), or None for their own."""
    slug = request.query_params.get("organization")
    if not slug:
        return None
    organization = accounts.organization_get(slug)
    if (
        organization is None
        or accounts.organization_role(request.user.pk, organization.id) not in BILLING_ROLES
    ):
        raise Http404
    return organization.id


class BillingProfileView(OperationsApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_billing_profile_retrieve",
        summary="Billing details (printed on invoices; the US state decides sales tax)",
        description="Yours, or an organisation's with ?organization=<slug>.",
        parameters=[ORGANIZATION_PARAMETER],
        responses={200: BillingProfileIO, 404: ERROR},
    )
    def get(self, request: Request) -> Response:
        profile = billing_profile_for(buyer_id=request.user.pk, organization_id=_profile_owner(request))
        return Response(BillingProfileIO(profile).data if profile else BillingProfileIO().data)

    @extend_schema(
        tags=TAGS,
        operation_id="revenue_billing_profile_update",
        summary="Set billing details",
        description="Yours, or an organisation's with ?organization=<slug> (owner, admin or billing members). The "
        "VAT number is checked (syntax and check digits) and must belong to the country.",
        parameters=[ORGANIZATION_PARAMETER],
        request=BillingProfileIO,
        responses={200: BillingProfileIO, 400: ERROR, 404: ERROR},
    )
    def put(self, request: Request) -> Response:
        organization_id = _profile_owner(request)
        data = BillingProfileIO(data=request.data)
        data.is_valid(raise_exception=True)
        profile = billing_profile_update(
            actor=request.user, values=data.validated_data, organization_id=organization_id
        )
        return Response(BillingProfileIO(profile).data)


class FinanceInvoiceListView(FinanceOperationsApi):
    pagination_class = DefaultPagination

    @extend_schema(
        tags=TAGS,
        operation_id="revenue_finance_invoice_list",
        summary="Search invoices and credit notes (finance)",
        description="Includes drafts and held invoices (`hold`), with the place-of-supply evidence.",
        parameters=[FinanceInvoiceQuery],
        responses={200: FinanceInvoiceOutput(many=True), 400: ERROR, 403: ERROR},
    )
    def get(self, request: Request) -> Response:
        query = FinanceInvoiceQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        invoices = invoices_for_finance(
            query=values.get("q", ""), state=values.get("state", ""), kind=values.get("kind", "")
        ).prefetch_related("lines")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(invoices, request, view=self)
        return paginator.get_paginated_response(FinanceInvoiceOutput(page, many=True).data)


class InvoiceVoidView(FinanceOperationsApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_invoice_void",
        summary="Void a finalised, unpaid invoice (finance)",
        description="It keeps its number. Paid invoices are corrected by refunding (a credit note): 409.",
        parameters=[PUBLIC_ID],
        request=InvoiceVoidInput,
        responses={200: FinanceInvoiceOutput, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    def post(self, request: Request, public_id: str) -> Response:
        invoice = get_object_or_404(Invoice, public_id=public_id)
        data = InvoiceVoidInput(data=request.data)
        data.is_valid(raise_exception=True)
        invoice = invoice_void(invoice=invoice, actor=request.user, reason=data.validated_data["reason"])
        return Response(FinanceInvoiceOutput(invoice).data)


class InvoiceReleaseHoldView(FinanceOperationsApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_invoice_release_hold",
        summary="Release a held invoice and finalise it (finance)",
        description="For a reverse-charge invoice held because VIES could not confirm the VAT number, once finance "
        "verified it otherwise. 409 when the invoice is not on hold.",
        parameters=[PUBLIC_ID],
        request=InvoiceReleaseInput,
        responses={200: FinanceInvoiceOutput, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    def post(self, request: Request, public_id: str) -> Response:
        invoice = get_object_or_404(Invoice, public_id=public_id)
        data = InvoiceReleaseInput(data=request.data)
        data.is_valid(raise_exception=True)
        invoice = invoice_release_hold(invoice=invoice, actor=request.user, note=data.validated_data["note"])
        return Response(FinanceInvoiceOutput(invoice).data)


class TaxRateListView(FinanceOperationsApi):
    pagination_class = DefaultPagination

    @extend_schema(
        tags=TAGS,
        operation_id="revenue_tax_rate_list",
        summary="The tax rate table (finance)",
        parameters=[TaxRateQuery],
        responses={200: TaxRateIO(many=True), 400: ERROR, 403: ERROR},
    )
    def get(self, request: Request) -> Response:
        query = TaxRateQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        rates = TaxRate.objects.all()
        if query.validated_data.get("jurisdiction"):
            rates = rates.filter(jurisdiction=query.validated_data["jurisdiction"].upper())
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rates, request, view=self)
        return paginator.get_paginated_response(TaxRateIO(page, many=True).data)

    @extend_schema(
        tags=TAGS,
        operation_id="revenue_tax_rate_create",
        summary="Add a rate from a date (finance)",
        description="A rate change is a new row: sales before `valid_from` keep the previous rate.",
        request=TaxRateIO,
        responses={201: TaxRateIO, 400: ERROR, 403: ERROR},
    )
    def post(self, request: Request) -> Response:
        data = TaxRateIO(data=request.data)
        data.is_valid(raise_exception=True)
        rate = tax_rate_set(actor=request.user, **data.validated_data)
        return Response(TaxRateIO(rate).data, status=status.HTTP_201_CREATED)


class TaxReportView(FinanceOperationsApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_tax_report",
        summary="Tax report per period and jurisdiction (finance)",
        description="Over final invoices and credit notes issued in the period (by issue date; void excluded), "
        "grouped by jurisdiction, scheme (standard, reverse_charge, no_tax), rate and currency; amounts in minor "
        "units. `?csv=true` answers CSV.",
        parameters=[
            TaxReportQuery,
            OpenApiParameter("csv", bool, required=False, description="true: answer CSV"),
        ],
        responses={200: TaxReportOutput, (200, "text/csv"): OpenApiTypes.STR, 400: ERROR, 403: ERROR},
    )
    def get(self, request: Request) -> Response | HttpResponse:
        query = TaxReportQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        start, end = period_parse(query.validated_data["period"])
        jurisdiction = query.validated_data["jurisdiction"]
        wants_csv = request.query_params.get("csv") in ("1", "true")
        if wants_csv:
            response = HttpResponse(
                tax_report_csv(start=start, end=end, jurisdiction=jurisdiction), content_type="text/csv"
            )
            response["Content-Disposition"] = (
                f'attachment; filename="tax-report-{query.validated_data["period"]}.csv"'
            )
            return response
        rows = tax_report(start=start, end=end, jurisdiction=jurisdiction)
        return Response(TaxReportOutput({"period_start": start, "period_end": end, "rows": rows}).data)


class CouponListView(FinanceOperationsApi):
    pagination_class = DefaultPagination

    @extend_schema(
        tags=TAGS,
        operation_id="revenue_coupon_list",
        summary="Coupons (finance)",
        responses={200: CouponIO(many=True), 403: ERROR},
    )
    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(coupons_with_usage(), request, view=self)
        return paginator.get_paginated_response(CouponIO(page, many=True).data)

    @extend_schema(
        tags=TAGS,
        operation_id="revenue_coupon_create",
        summary="Create a coupon (finance)",
        description="percent: `percent_off` (0.01-100); fixed: `amount_off` in minor units of `currency`. Optional "
        "validity window, limits in all and per buyer, and a seller whose items only it discounts.",
        request=CouponIO,
        responses={201: CouponIO, 400: ERROR, 403: ERROR},
    )
    def post(self, request: Request) -> Response:
        data = CouponIO(data=request.data)
        data.is_valid(raise_exception=True)
        coupon = coupon_create(actor=request.user, values=data.validated_data)
        return Response(CouponIO(coupon).data, status=status.HTTP_201_CREATED)


class CouponDeactivateView(FinanceOperationsApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_coupon_deactivate",
        summary="End a coupon (finance)",
        parameters=[PUBLIC_ID],
        request=None,
        responses={200: CouponIO, 403: ERROR, 404: ERROR},
    )
    def post(self, request: Request, public_id: str) -> Response:
        coupon = coupon_deactivate(coupon=get_object_or_404(Coupon, public_id=public_id), actor=request.user)
        return Response(CouponIO(coupon).data)


class PayoutStatementView(OperationsApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_payout_statement_pdf",
        summary="A payout's self-billing statement as PDF (its seller, or finance)",
        description="Issued by the platform on the seller's behalf: the sales, commission and balance movements "
        "since the seller's previous payout in that currency, and the amount paid.",
        parameters=[PUBLIC_ID],
        responses={(200, "application/pdf"): PDF, 404: ERROR},
    )
    def get(self, request: Request, public_id: str) -> HttpResponse:
        payout = get_object_or_404(Payout.objects.select_related("seller"), public_id=public_id)
        if not (is_finance(request.user) or seller_can_manage(seller=payout.seller, user=request.user)):
            raise Http404
        response = HttpResponse(payout_statement_pdf(payout), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="self-billing-{payout.public_id}.pdf"'
        return response

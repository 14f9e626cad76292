"""Portal pages of billing: the buyer's billing page (invoices, credit notes, billing details) and PDF
downloads; finance's invoice search (void, release a hold) and tax report (with CSV)."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from novacron.core.exceptions import DomainError
from novacron.core.money import Money
from revenue import selectors
from revenue.billing_forms import (
    BillingProfileForm,
    CouponForm,
    InvoiceReleaseForm,
    InvoiceSearchForm,
    InvoiceVoidForm,
    TaxReportForm,
)
from revenue.forms import add_domain_error
from revenue.models import Coupon, Invoice, Payout
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
from revenue.services.coupons import coupon_create
from revenue.services.invoice_documents import invoice_filename, invoice_pdf, payout_statement_pdf
from revenue.services.invoices import invoice_release_hold, invoice_void
from revenue.services.products import seller_can_manage
from revenue.services.tax import billing_profile_for, billing_profile_update
from revenue.views.common import finance_required, is_finance, page_of, querystring_without_page


def _rows(invoices: list[Invoice]) -> list[dict]:
    return [
        {"invoice": i, "total": Money(i.total, i.currency), "tax": Money(i.tax_total, i.currency)}
        for i in invoices
    ]


@login_required
def billing(request: HttpRequest) -> HttpResponse:
    """Invoices and credit notes, and the billing details printed on them (POST saves the details)."""
    profile = billing_profile_for(buyer_id=request.user.pk, organization_id=None)
    form = BillingProfileForm(request.POST or None, instance=profile)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                billing_profile_update(actor=request.user, values=form.cleaned_data)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, "Your billing details were saved.")
                return redirect("revenue:billing")
        status = 400
    invoices = invoices_for_buyer(
        user_id=request.user.pk, organization_ids=seller_organization_ids(user_id=request.user.pk)
    )
    page = page_of(request, invoices)
    return render(
        request,
        "revenue/billing/billing.html",
        {"form": form, "page": page, "rows": _rows(page.object_list)},
        status=status,
    )


@login_required
def invoice_download(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    invoice = invoices_visible_to(request.user).filter(public_id=public_id).first()
    if invoice is None:
        raise Http404
    response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice_filename(invoice)}"'
    return response


@finance_required
def finance_invoices(request: HttpRequest) -> HttpResponse:
    form = InvoiceSearchForm(request.GET or None)
    values = form.cleaned_data if form.is_valid() else {}
    invoices = invoices_for_finance(
        query=values.get("q", ""), state=values.get("state", ""), kind=values.get("kind", "")
    )
    page = page_of(request, invoices)
    return render(
        request,
        "revenue/billing/finance_invoices.html",
        {
            "form": form,
            "page": page,
            "rows": _rows(page.object_list),
            "querystring": querystring_without_page(request),
            "void_form": InvoiceVoidForm(),
            "release_form": InvoiceReleaseForm(),
        },
    )


def _invoice_action(request: HttpRequest, public_id: uuid.UUID, form_class, action) -> HttpResponse:
    invoice = get_object_or_404(Invoice, public_id=public_id)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            invoice = action(invoice=invoice, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"{invoice} is {invoice.get_state_display().lower()}.")
            return redirect("revenue:finance_invoices")
    return render(
        request,
        "revenue/billing/finance_invoice_action.html",
        {"invoice": invoice, "form": form, "action": request.path},
        status=400,
    )


@require_POST
@finance_required
def finance_invoice_void(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _invoice_action(request, public_id, InvoiceVoidForm, invoice_void)


@require_POST
@finance_required
def finance_invoice_release(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _invoice_action(request, public_id, InvoiceReleaseForm, invoice_release_hold)


@finance_required
def finance_tax_report(request: HttpRequest) -> HttpResponse:
    """The report on screen; `?…&csv=1` downloads it as CSV."""
    form = TaxReportForm(request.GET or None)
    context: dict = {"form": form, "rows": None}
    if form.is_valid():
        try:
            start, end = period_parse(form.cleaned_data["period"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            jurisdiction = form.cleaned_data["jurisdiction"].strip().upper()
            if request.GET.get("csv"):
                response = HttpResponse(
                    tax_report_csv(start=start, end=end, jurisdiction=jurisdiction), content_type="text/csv"
                )
                response["Content-Disposition"] = (
                    f'attachment; filename="tax-report-{form.cleaned_data["period"].upper()}.csv"'
                )
                return response
            context.update(
                start=start,
                end=end,
                querystring=request.GET.urlencode(),
                rows=[
                    {
                        "row": row,
                        "sales_net": Money(row.sales_net, row.currency),
                        "sales_tax": Money(row.sales_tax, row.currency),
                        "credited_net": Money(row.credited_net, row.currency),
                        "credited_tax": Money(row.credited_tax, row.currency),
                        "tax_due": Money(row.tax_due, row.currency),
                        "rate": f"{(row.rate * 100).normalize():f}%",
                    }
                    for row in tax_report(start=start, end=end, jurisdiction=jurisdiction)
                ],
            )
    return render(request, "revenue/billing/tax_report.html", context, status=400 if form.errors else 200)


@finance_required
def finance_coupons(request: HttpRequest) -> HttpResponse:
    """Coupons with their redemptions; POST creates one."""
    form = CouponForm(request.POST or None, initial={"duration": Coupon.Duration.ONCE})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                coupon = coupon_create(actor=request.user, values=form.cleaned_data)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"Coupon {coupon.code} created.")
                return redirect("revenue:finance_coupons")
        status = 400
    page = page_of(request, coupons_with_usage())
    return render(
        request, "revenue/billing/finance_coupons.html", {"form": form, "page": page}, status=status
    )


@login_required
def payout_statements(request: HttpRequest) -> HttpResponse:
    """Sellers: the payouts of the sellers they manage, each with its self-billing statement (PDF)."""
    sellers = [
        s
        for s in selectors.sellers_for_user(user_id=request.user.pk)
        if seller_can_manage(seller=s, user=request.user)
    ]
    payouts = Payout.objects.filter(seller__in=sellers).select_related("seller").order_by("-created_at")
    page = page_of(request, payouts)
    rows = [{"payout": p, "amount": Money(p.amount, p.currency)} for p in page.object_list]
    return render(
        request, "revenue/billing/statements.html", {"page": page, "rows": rows, "sellers": sellers}
    )


@login_required
def payout_statement_download(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    payout = Payout.objects.select_related("seller").filter(public_id=public_id).first()
    if payout is None or not (
        is_finance(request.user) or seller_can_manage(seller=payout.seller, user=request.user)
    ):
        raise Http404
    response = HttpResponse(payout_statement_pdf(payout), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="self-billing-{payout.public_id}.pdf"'
    return response

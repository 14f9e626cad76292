"""Billing under /api/v1/revenue/: invoices, credit notes, billing profile, tax rates, tax report, coupons."""

from django.urls import path

from revenue.api import billing_views as views

urlpatterns = [
    path("invoices/", views.InvoiceListView.as_view(), name="revenue-invoice-list"),
    path("invoices/<uuid:public_id>/", views.InvoiceDetailView.as_view(), name="revenue-invoice-detail"),
    path("invoices/<uuid:public_id>/pdf/", views.InvoicePdfView.as_view(), name="revenue-invoice-pdf"),
    path(
        "payouts/<uuid:public_id>/statement/",
        views.PayoutStatementView.as_view(),
        name="revenue-payout-statement",
    ),
    path("billing-profile/", views.BillingProfileView.as_view(), name="revenue-billing-profile"),
    path("finance/invoices/", views.FinanceInvoiceListView.as_view(), name="revenue-finance-invoices"),
    path(
        "finance/invoices/<uuid:public_id>/void/",
        views.InvoiceVoidView.as_view(),
        name="revenue-invoice-void",
    ),
    path(
        "finance/invoices/<uuid:public_id>/release-hold/",
        views.InvoiceReleaseHoldView.as_view(),
        name="revenue-invoice-release-hold",
    ),
    path("finance/tax-rates/", views.TaxRateListView.as_view(), name="revenue-tax-rates"),
    path("finance/tax-report/", views.TaxReportView.as_view(), name="revenue-tax-report"),
    path("finance/coupons/", views.CouponListView.as_view(), name="revenue-coupons"),
    path(
        "finance/coupons/<uuid:public_id>/deactivate/",
        views.CouponDeactivateView.as_view(),
        name="revenue-coupon-deactivate",
    ),
]

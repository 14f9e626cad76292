"""The revenue portal, mounted at /revenue/. "index" is the area's landing page (the navigation links to it)."""

from django.urls import path

from revenue.views import (
    billing,
    buyers,
    finance,
    fx,
    partner_console,
    partner_milestones,
    partner_services,
    products,
    sellers,
    subscriptions,
)

app_name = "revenue"
urlpatterns = [
    path("", buyers.index, name="index"),
    # buyers
    path("buy/", buyers.buy, name="buy"),
    path("purchases/", buyers.purchases, name="purchases"),
    path("purchases/<uuid:public_id>/", buyers.receipt, name="receipt"),
    path("purchases/<uuid:public_id>/confirm/", buyers.receipt_confirm, name="receipt_confirm"),
    # billing (buyers)
    path("billing/", billing.billing, name="billing"),
    path("billing/invoices/<uuid:public_id>/pdf/", billing.invoice_download, name="invoice_pdf"),
    path("billing/statements/", billing.payout_statements, name="payout_statements"),
    path(
        "billing/statements/<uuid:public_id>/pdf/",
        billing.payout_statement_download,
        name="payout_statement_pdf",
    ),
    # sellers
    path("earnings/", sellers.earnings, name="earnings"),
    path("earnings/statement.csv", sellers.statement_csv, name="statement_csv"),
    path("earnings/payout-account/", sellers.payout_account, name="payout_account"),
    path("orders/<uuid:public_id>/refund/", sellers.order_refund, name="order_refund"),
    # finance staff
    path("finance/", finance.finance_home, name="finance"),
    path("finance/ledger/accounts/", finance.finance_accounts, name="finance_accounts"),
    path("finance/ledger/accounts/<int:pk>/", finance.finance_account, name="finance_account"),
    path("finance/ledger/entries/", finance.finance_entries, name="finance_entries"),
    path("finance/ledger/entries/<uuid:public_id>/", finance.finance_entry, name="finance_entry"),
    path("finance/orders/", finance.finance_orders, name="finance_orders"),
    path("finance/disputes/", finance.finance_disputes, name="finance_disputes"),
    path("finance/disputes/<uuid:public_id>/", finance.finance_dispute, name="finance_dispute"),
    path(
        "finance/disputes/<uuid:public_id>/evidence/",
        finance.finance_dispute_evidence,
        name="finance_dispute_evidence",
    ),
    path(
        "finance/disputes/<uuid:public_id>/submit-evidence/",
        finance.finance_dispute_submit_evidence,
        name="finance_dispute_submit_evidence",
    ),
    path(
        "finance/disputes/<uuid:public_id>/close/",
        finance.finance_dispute_close,
        name="finance_dispute_close",
    ),
    path("finance/payments/", finance.finance_payments, name="finance_payments"),
    path(
        "finance/payments/<uuid:public_id>/received/",
        finance.finance_payment_received,
        name="finance_payment_received",
    ),
    path("finance/refunds/", finance.finance_refunds, name="finance_refunds"),
    path(
        "finance/refunds/<uuid:public_id>/settle/",
        finance.finance_refund_settle,
        name="finance_refund_settle",
    ),
    path("finance/payouts/", finance.finance_payouts, name="finance_payouts"),
    # billing (finance)
    path("finance/invoices/", billing.finance_invoices, name="finance_invoices"),
    path(
        "finance/invoices/<uuid:public_id>/void/", billing.finance_invoice_void, name="finance_invoice_void"
    ),
    path(
        "finance/invoices/<uuid:public_id>/release/",
        billing.finance_invoice_release,
        name="finance_invoice_release",
    ),
    path("finance/tax-report/", billing.finance_tax_report, name="finance_tax_report"),
    path("finance/coupons/", billing.finance_coupons, name="finance_coupons"),
    path("finance/payouts/<uuid:public_id>/paid/", finance.finance_payout_paid, name="finance_payout_paid"),
    path(
        "finance/payouts/<uuid:public_id>/failed/",
        finance.finance_payout_failed,
        name="finance_payout_failed",
    ),
    path("finance/fx-rates/", fx.finance_fx_rates, name="finance_fx_rates"),
    path("finance/fx-rates/update/", fx.finance_fx_update, name="finance_fx_update"),
    path("products/", products.seller_products, name="seller_products"),
    path("products/<uuid:public_id>/", products.seller_product_edit, name="seller_product_edit"),
    # subscriptions
    path("subscriptions/", subscriptions.subscriptions, name="subscriptions"),
    path("subscriptions/subscribers/", subscriptions.subscribers, name="subscribers"),
    path("subscriptions/<uuid:public_id>/", subscriptions.subscription_detail, name="subscription"),
    path(
        "subscriptions/<uuid:public_id>/payment-method/",
        subscriptions.subscription_payment_method,
        name="subscription_payment_method",
    ),
    path(
        "subscriptions/<uuid:public_id>/cancel/",
        subscriptions.subscription_cancel_page,
        name="subscription_cancel",
    ),
    path(
        "subscriptions/<uuid:public_id>/resume/",
        subscriptions.subscription_resume_view,
        name="subscription_resume",
    ),
    path("finance/dunning/", subscriptions.finance_dunning, name="finance_dunning"),
    # services marketplace
    path("services/", partner_services.directory, name="services"),
    path("services/listings/<uuid:public_id>/", partner_services.listing_detail, name="service_listing"),
    path("services/partners/<uuid:public_id>/", partner_services.partner_detail, name="service_partner"),
    path("services/orders/", partner_services.orders, name="service_orders"),
    path("services/orders/<uuid:public_id>/", partner_services.order_detail, name="service_order"),
    path("services/orders/<uuid:public_id>/quote/", partner_services.quote_send, name="service_quote_send"),
    path("services/orders/<uuid:public_id>/close/", partner_services.order_close, name="service_order_close"),
    path("services/orders/<uuid:public_id>/rate/", partner_services.order_rate, name="service_order_rate"),
    path(
        "services/quotes/<uuid:public_id>/<str:decision>/",
        partner_services.quote_decide,
        name="service_quote_decide",
    ),
    path("services/milestones/<uuid:public_id>/pay/", partner_milestones.milestone_pay, name="service_pay"),
    path(
        "services/milestones/<uuid:public_id>/deliver/",
        partner_milestones.milestone_deliver,
        name="service_deliver",
    ),
    path(
        "services/milestones/<uuid:public_id>/accept/",
        partner_milestones.milestone_accept,
        name="service_accept",
    ),
    path(
        "services/milestones/<uuid:public_id>/dispute/",
        partner_milestones.milestone_dispute,
        name="service_dispute",
    ),
    path(
        "services/milestones/<uuid:public_id>/hours/",
        partner_milestones.milestone_hours,
        name="service_hours",
    ),
    path("services/hours/<int:pk>/decide/", partner_milestones.hours_decide, name="service_hours_decide"),
    path("services/console/", partner_console.console, name="service_console"),
    path(
        "services/console/listings/<uuid:public_id>/<str:action>/",
        partner_console.console_listing,
        name="service_console_listing",
    ),
    path("finance/services/disputes/", partner_console.finance_disputes, name="service_finance_disputes"),
    path("finance/services/partners/", partner_console.finance_partners, name="service_finance_partners"),
    path(
        "finance/services/partners/<uuid:public_id>/status/",
        partner_console.finance_partner_status,
        name="service_finance_partner_status",
    ),
    path(
        "finance/services/disputes/<uuid:public_id>/",
        partner_console.finance_dispute,
        name="service_finance_dispute",
    ),
]

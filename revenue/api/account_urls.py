"""Revenue read API (mounted at /api/v1/revenue/): the signed-in user's balances, statement, tier, payouts and
purchases; finance staff's ledger explorer."""

from django.urls import path

from revenue.api import account_views as views

urlpatterns = [
    path("balances/", views.BalancesApi.as_view(), name="revenue-balances"),
    path("earnings/statement/", views.StatementApi.as_view(), name="revenue-statement"),
    path("tier/", views.TierApi.as_view(), name="revenue-tier"),
    path("payouts/", views.PayoutListApi.as_view(), name="revenue-payouts"),
    path("orders/", views.PurchaseListApi.as_view(), name="revenue-orders"),
    path("orders/<uuid:public_id>/", views.PurchaseDetailApi.as_view(), name="revenue-order"),
    path("ledger/accounts/", views.LedgerAccountListApi.as_view(), name="revenue-ledger-accounts"),
    path(
        "ledger/entries/<uuid:public_id>/", views.LedgerEntryDetailApi.as_view(), name="revenue-ledger-entry"
    ),
]

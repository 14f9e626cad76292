"""Money operations under /api/v1/revenue/: refunds, disputes, payout accounts and payout outcomes."""

from django.urls import path

from revenue.api import operations_views as views

urlpatterns = [
    path("orders/<uuid:public_id>/refunds/", views.RefundCreateView.as_view(), name="revenue-order-refunds"),
    path("refunds/to-send/", views.RefundsToSendView.as_view(), name="revenue-refunds-to-send"),
    path("refunds/<uuid:public_id>/settle/", views.RefundSettleView.as_view(), name="revenue-refund-settle"),
    path("disputes/", views.DisputeListView.as_view(), name="revenue-disputes"),
    path(
        "disputes/<uuid:public_id>/evidence/",
        views.DisputeEvidenceView.as_view(),
        name="revenue-dispute-evidence",
    ),
    path(
        "disputes/<uuid:public_id>/submit-evidence/",
        views.DisputeSubmitEvidenceView.as_view(),
        name="revenue-dispute-submit-evidence",
    ),
    path("disputes/<uuid:public_id>/close/", views.DisputeCloseView.as_view(), name="revenue-dispute-close"),
    path("payout-account/", views.PayoutAccountView.as_view(), name="revenue-payout-account"),
    path(
        "payouts/<uuid:public_id>/mark-paid/",
        views.PayoutMarkPaidView.as_view(),
        name="revenue-payout-mark-paid",
    ),
    path(
        "payouts/<uuid:public_id>/mark-failed/",
        views.PayoutMarkFailedView.as_view(),
        name="revenue-payout-mark-failed",
    ),
]

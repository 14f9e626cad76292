"""Subscriptions under /api/v1/revenue/subscriptions/."""

from django.urls import path

from revenue.api import subscription_views as views

urlpatterns = [
    path("subscriptions/plans/", views.PlanListView.as_view(), name="revenue-plan-list"),
    path("subscriptions/plans/<uuid:public_id>/", views.PlanDetailView.as_view(), name="revenue-plan-detail"),
    path("subscriptions/finance/dunning/", views.DunningQueueView.as_view(), name="revenue-dunning-queue"),
    path(
        "subscriptions/finance/metrics/", views.RecoveryMetricsView.as_view(), name="revenue-recovery-metrics"
    ),
    path("subscriptions/", views.SubscriptionListView.as_view(), name="revenue-subscription-list"),
    path(
        "subscriptions/<uuid:public_id>/",
        views.SubscriptionDetailView.as_view(),
        name="revenue-subscription-detail",
    ),
    path(
        "subscriptions/<uuid:public_id>/change/",
        views.SubscriptionChangeView.as_view(),
        name="revenue-subscription-change",
    ),
    path(
        "subscriptions/<uuid:public_id>/cancel/",
        views.SubscriptionCancelView.as_view(),
        name="revenue-subscription-cancel",
    ),
    path(
        "subscriptions/<uuid:public_id>/resume/",
        views.SubscriptionResumeView.as_view(),
        name="revenue-subscription-resume",
    ),
    path(
        "subscriptions/<uuid:public_id>/payment-method/",
        views.SubscriptionPaymentMethodView.as_view(),
        name="revenue-subscription-payment-method",
    ),
    path(
        "subscriptions/<uuid:public_id>/retry/",
        views.DunningRetryView.as_view(),
        name="revenue-dunning-retry",
    ),
]

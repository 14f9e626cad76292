"""Checkout, products, bank transfers and gateway webhooks under /api/v1/revenue/."""

from django.urls import path

from revenue.api import checkout_views as views

urlpatterns = [
    path("checkouts/", views.CheckoutCreateView.as_view(), name="revenue-checkout-create"),
    path("checkouts/<uuid:public_id>/", views.CheckoutDetailView.as_view(), name="revenue-checkout-detail"),
    path(
        "checkouts/<uuid:public_id>/confirm/",
        views.CheckoutConfirmView.as_view(),
        name="revenue-checkout-confirm",
    ),
    path("products/", views.ProductListCreateView.as_view(), name="revenue-product-list"),
    path("products/<uuid:public_id>/", views.ProductDetailView.as_view(), name="revenue-product-detail"),
    path(
        "bank-transfers/<uuid:public_id>/received/",
        views.BankTransferReceivedView.as_view(),
        name="revenue-bank-transfer-received",
    ),
    path("webhooks/<slug:gateway>/", views.WebhookView.as_view(), name="revenue-webhook"),
]

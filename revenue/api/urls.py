"""REST API of revenue, mounted at /api/v1/revenue/."""

from django.urls import include, path

urlpatterns = [
    path("", include("revenue.api.checkout_urls")),
    path("", include("revenue.api.operations_urls")),
    path("", include("revenue.api.account_urls")),
    path("", include("revenue.api.billing_urls")),
    path("", include("revenue.api.fx_urls")),
    path("", include("revenue.api.subscription_urls")),
    path("", include("revenue.api.partner_urls")),
]

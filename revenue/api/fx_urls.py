"""Exchange rates under /api/v1/revenue/."""

from django.urls import path

from revenue.api import fx_views as views

urlpatterns = [
    path("fx-rates/", views.FxRateListView.as_view(), name="revenue-fx-rate-list"),
    path("fx-rates/lookup/", views.FxRateLookupView.as_view(), name="revenue-fx-rate-lookup"),
]

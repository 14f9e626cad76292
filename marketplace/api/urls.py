"""REST API of Marketplace, mounted at /api/v1/marketplace/."""

from django.urls import path  # noqa: F401

app_name = "marketplace-api"
urlpatterns: list = []

"""REST API of Revenue, mounted at /api/v1/revenue/."""

from django.urls import path  # noqa: F401

app_name = "revenue-api"
urlpatterns: list = []

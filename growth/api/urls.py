"""REST API of Community, mounted at /api/v1/growth/."""

from django.urls import path  # noqa: F401

app_name = "growth-api"
urlpatterns: list = []

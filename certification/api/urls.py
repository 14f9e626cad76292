"""REST API of Learn, mounted at /api/v1/certification/."""

from django.urls import path  # noqa: F401

app_name = "certification-api"
urlpatterns: list = []

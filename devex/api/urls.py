"""REST API of Developer tools, mounted at /api/v1/devex/."""

from django.urls import path  # noqa: F401

app_name = "devex-api"
urlpatterns: list = []

"""Helpers shared by the portal views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest

from novacron.core.exceptions import DomainError

T = TypeVar("T")


def run(
    request: HttpRequest, action: Callable[[], T], *, form: forms.Form | None = None, success: str = ""
) -> tuple[T | None, bool]:
    """Run a service call; a DomainError becomes a form error on its field (or a page message)."""
    try:
        result = action()
    except DomainError as exc:
        if form is not None:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.error(request, exc.message)
        return None, False
    if success:
        messages.success(request, success)
    return result, True


def paginate(request: HttpRequest, queryset: Any, per_page: int = 24) -> Any:
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))

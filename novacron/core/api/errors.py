"""One JSON error body for the whole API:

{"error": {"code": "invalid", "message": "...", "fields": {"email": ["..."]}}, "request_id": "..."}
"""

from typing import Any

import structlog
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from novacron.core.exceptions import DomainError


def current_request_id() -> str:
    return str(structlog.contextvars.get_contextvars().get("request_id", ""))


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "error": {"code": code, "message": message, "fields": fields or {}},
        "request_id": current_request_id(),
    }


def _flatten(detail: Any) -> Any:
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_flatten(item) for item in detail]
    return str(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        set_rollback()  # like DRF's own handler: an open request transaction must not commit half a change
        return Response(error_body(exc.code, exc.message, exc.fields()), status=exc.status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = _flatten(exc.detail)
        if isinstance(detail, list):
            detail = {"non_field_errors": detail}
        first = next(iter(detail.values()), ["Invalid input."])
        message = (
            first[0] if isinstance(first, list) and first and isinstance(first[0], str) else "Invalid input."
        )
        response.data = error_body("invalid", message, detail)
    else:
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        message = str(exc.detail) if isinstance(exc, exceptions.APIException) else str(exc)
        response.data = error_body(code if isinstance(code, str) else "error", message)
    if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS and getattr(exc, "wait", None):
        response.data["error"]["retry_after_seconds"] = int(exc.wait)
    return response

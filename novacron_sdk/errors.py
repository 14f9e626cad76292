"""Exceptions of the SDK. Every failure of a call is a `NovacronError`:

    NovacronError
    ├── NetworkError              the server could not be reached, or the connection broke / timed out
    ├── ResponseDecodeError       a response did not have the shape the SDK expects
    └── ApiError                  the API answered with an error: status, code, message, fields, request_id
        ├── BadRequestError       400 (ValidationError when `fields` names the invalid inputs)
        │   └── ValidationError
        ├── AuthenticationError   401: no token, or it is invalid, expired or revoked
        ├── PermissionDeniedError 403: the token lacks a scope, or the account may not do this
        ├── NotFoundError         404
        ├── ConflictError         409 (including idempotency_key_in_use)
        ├── UnprocessableError    422 (including idempotency_key_reused)
        ├── RateLimitError        429, with retry_after (seconds)
        └── ServerError           5xx

The API's error body is `{"error": {"code", "message", "fields"}, "request_id"}`; an error response that is not
JSON (a proxy's HTML page) still maps by status, with code `http_<status>`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class NovacronError(Exception):
    """Base class of every error the SDK raises."""


class NetworkError(NovacronError):
    """The request did not get an HTTP answer (connection refused, DNS, TLS, timeout, dropped connection)."""

    def __init__(self, message: str, *, url: str = "") -> None:
        super().__init__(message)
        self.url = url


class ResponseDecodeError(NovacronError):
    """The server answered, but not with what this version of the SDK expects (a field missing or of the
    wrong type). Usually a version mismatch between the SDK and the server."""


class ApiError(NovacronError):
    status: int

    def __init__(
        self,
        *,
        status: int,
        code: str,
        message: str,
        fields: Mapping[str, Any] | None = None,
        request_id: str = "",
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields: dict[str, list[str]] = _field_messages(fields or {})
        self.request_id = request_id
        self.body = body
        self.headers = dict(headers or {})

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"


class BadRequestError(ApiError):
    pass


class ValidationError(BadRequestError):
    """400 with `fields`: {field: [messages]} (`non_field_errors` for errors about no single field)."""


class AuthenticationError(ApiError):
    pass


class PermissionDeniedError(ApiError):
    pass


class NotFoundError(ApiError):
    pass


class ConflictError(ApiError):
    pass


class UnprocessableError(ApiError):
    pass


class RateLimitError(ApiError):
    @property
    def retry_after(self) -> float | None:
        """Seconds to wait, from the body's `retry_after_seconds` or the Retry-After header."""
        error = self.body.get("error") if isinstance(self.body, dict) else None
        if isinstance(error, dict) and isinstance(error.get("retry_after_seconds"), int | float):
            return float(error["retry_after_seconds"])
        return _retry_after_header(self.headers)


class ServerError(ApiError):
    pass


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableError,
    429: RateLimitError,
}


def error_from_response(
    status: int, body: Any, headers: Mapping[str, str] | None = None, *, reason: str = ""
) -> ApiError:
    """Map an HTTP error response (its parsed JSON body, or None/text when it had none) to an exception."""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        code = str(error.get("code") or f"http_{status}")
        message = str(error.get("message") or reason or f"HTTP {status}")
        fields = error.get("fields") if isinstance(error.get("fields"), dict) else {}
        request_id = str(body.get("request_id") or "")
    else:
        code = f"http_{status}"
        message = f"HTTP {status} {reason}".strip()
        location = {k.lower(): v for k, v in (headers or {}).items()}.get("location")
        if (
            300 <= status < 400 and location
        ):  # redirects are not followed: the token stays on the configured host
            message = f"{message}: the server redirects to {location}; use that address as the base URL"
        if isinstance(body, str) and body.strip() and len(body) < 200 and "<" not in body:
            message = f"{message}: {body.strip()}"
        fields, request_id = {}, ""
    if not request_id and headers:
        request_id = {k.lower(): v for k, v in headers.items()}.get("x-request-id", "")
    cls = ServerError if status >= 500 else _BY_STATUS.get(status, ApiError)
    if cls is BadRequestError and fields:
        cls = ValidationError
    return cls(
        status=status,
        code=code,
        message=message,
        fields=fields,
        request_id=request_id,
        body=body,
        headers=headers,
    )


def _field_messages(fields: Mapping[str, Any], prefix: str = "") -> dict[str, list[str]]:
    """Flatten nested field errors ({"lines": [{"amount": ["..."]}]}) to {"lines.0.amount": ["..."]}."""
    flat: dict[str, list[str]] = {}
    for name, value in fields.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping):
            flat.update(_field_messages(value, f"{key}."))
        elif isinstance(value, list) and any(isinstance(item, Mapping) for item in value):
            for index, item in enumerate(value):
                if isinstance(item, Mapping):
                    flat.update(_field_messages(item, f"{key}.{index}."))
                elif item:
                    flat.setdefault(key, []).append(str(item))
        elif isinstance(value, list):
            flat[key] = [str(item) for item in value]
        else:
            flat[key] = [str(value)]
    return flat


def _retry_after_header(headers: Mapping[str, str]) -> float | None:
    value = {k.lower(): v for k, v in headers.items()}.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None

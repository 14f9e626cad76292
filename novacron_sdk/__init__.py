"""Typed Python SDK of the NovaCron Community REST API (HTTP only: it never imports the server's code).

    from novacron_sdk import NovacronClient, AuthenticationError

    client = NovacronClient("http://127.0.0.1:8000", token="nc_…")
    print(client.accounts.me().email)

See docs/developer/sdk.md.
"""

__version__ = "0.1.0"

from novacron_sdk.client import DEFAULT_BASE_URL, NovacronClient, RawResponse
from novacron_sdk.errors import (
    ApiError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NetworkError,
    NotFoundError,
    NovacronError,
    PermissionDeniedError,
    RateLimitError,
    ResponseDecodeError,
    ServerError,
    UnprocessableError,
    ValidationError,
)
from novacron_sdk.pagination import Page, Paginator

__all__ = [
    "DEFAULT_BASE_URL",
    "ApiError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "NetworkError",
    "NotFoundError",
    "NovacronClient",
    "NovacronError",
    "Page",
    "Paginator",
    "PermissionDeniedError",
    "RateLimitError",
    "RawResponse",
    "ResponseDecodeError",
    "ServerError",
    "UnprocessableError",
    "ValidationError",
    "__version__",
]

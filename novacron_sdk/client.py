"""`NovacronClient`: the typed Python client of the NovaCron Community REST API.

    from novacron_sdk import NovacronClient

    with NovacronClient("https://community.example.com", token="nc_…") as client:
        me = client.accounts.me()
        for org in client.accounts.organizations():
            print(org.slug, org.my_role)

It speaks HTTP only (httpx): Bearer token auth, the project's JSON error body mapped to exceptions
(`novacron_sdk.errors`), page-number pagination (`Paginator`), an `Idempotency-Key` on every POST (generated
unless you pass one) and retries of requests that are safe to repeat.
"""

from __future__ import annotations

import os
import random
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from novacron_sdk import __version__
from novacron_sdk._decode import decode
from novacron_sdk.endpoints import Endpoint
from novacron_sdk.errors import NetworkError, ResponseDecodeError, error_from_response
from novacron_sdk.pagination import Page, Paginator, next_params
from novacron_sdk.resources.accounts import AccountsResource
from novacron_sdk.resources.devex import DevexResource
from novacron_sdk.resources.revenue import RevenueResource
from novacron_sdk.resources.system import SystemResource

T = TypeVar("T")

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
DEFAULT_TIMEOUT = 30.0
IDEMPOTENCY_HEADER = "Idempotency-Key"
_RETRY_STATUSES = frozenset({429, 502, 503, 504})
_MAX_BACKOFF = 20.0


@dataclass(frozen=True)
class RawResponse:
    """A successful response: status, headers, and the body parsed as JSON (or its text)."""

    status: int
    headers: Mapping[str, str]
    data: Any
    text: str


class NovacronClient:
    """A client of one NovaCron server, authenticated with one personal API token.

    base_url: the server, e.g. https://community.example.com (a trailing slash or /api/v1 is not needed).
    token: a personal API token (nc_…); without one only public endpoints answer.
    timeout: seconds per request (connect, read, write).
    max_retries: how often to retry a request that may safely be repeated — GETs, and POSTs, which always
        carry an Idempotency-Key — after a network error or a 429/502/503/504, with exponential backoff
        (429 waits as long as the server asks). 0 disables retries.
    transport: an httpx transport (tests pass httpx.MockTransport).
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        token: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        user_agent: str | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = normalize_base_url(base_url)
        self.token = token or None
        self.max_retries = max(0, max_retries)
        self._sleep = sleep
        headers = {"Accept": "application/json", "User-Agent": user_agent or f"novacron-sdk/{__version__}"}
        self._http = httpx.Client(
            base_url=self.base_url,
            headers=headers,
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
        )
        self.accounts = AccountsResource(self)
        self.revenue = RevenueResource(self)
        self.devex = DevexResource(self)
        self.system = SystemResource(self)

    @classmethod
    def from_env(cls, **kwargs: Any) -> NovacronClient:
        """A client configured by NOVACRON_BASE_URL and NOVACRON_TOKEN."""
        return cls(
            os.environ.get("NOVACRON_BASE_URL") or DEFAULT_BASE_URL,
            os.environ.get("NOVACRON_TOKEN") or None,
            **kwargs,
        )

    # --- lifecycle --------------------------------------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> NovacronClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"NovacronClient({self.base_url!r}, token={'set' if self.token else None})"

    # --- requests ---------------------------------------------------------------------------------------------

    def request(
        self,
        endpoint: Endpoint,
        *,
        path_params: Mapping[str, object] | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        idempotency_key: str | None = None,
        accept: str | None = None,
        ok_statuses: frozenset[int] = frozenset(),
        authenticated: bool = True,
    ) -> RawResponse:
        """Send one request to a declared endpoint; return the response or raise a `NovacronError`.

        ok_statuses: error statuses to return rather than raise (e.g. 503 of a degraded /health/).
        """
        path = endpoint.url_path(**(path_params or {}))
        headers: dict[str, str] = {}
        if accept:
            headers["Accept"] = accept
        if self.token and authenticated:
            headers["Authorization"] = f"Bearer {self.token}"
        if endpoint.method == "POST":
            headers[IDEMPOTENCY_HEADER] = idempotency_key or str(uuid.uuid4())
        query = {key: _query_value(value) for key, value in (params or {}).items() if value is not None}
        attempt = 0
        while True:
            try:
                response = self._http.request(endpoint.method, path, params=query, json=json, headers=headers)
            except httpx.HTTPError as exc:
                if attempt < self.max_retries and _retryable_method(endpoint.method, headers):
                    attempt += 1
                    self._sleep(_backoff(attempt))
                    continue
                raise NetworkError(_network_message(exc, self.base_url), url=self.base_url + path) from exc
            if (
                response.status_code in _RETRY_STATUSES
                and response.status_code not in ok_statuses
                and attempt < self.max_retries
                and _retryable_method(endpoint.method, headers)
            ):
                attempt += 1
                self._sleep(_retry_delay(response, attempt))
                continue
            return self._result(response, ok_statuses)

    def call(self, endpoint: Endpoint, **kwargs: Any) -> Any:
        """`request` and decode the JSON body into the endpoint's response model."""
        response = self.request(endpoint, **kwargs)
        if endpoint.response is None:
            return response.data
        return decode(endpoint.response, response.data)

    def page(self, endpoint: Endpoint, params: Mapping[str, Any], **kwargs: Any) -> Page[Any]:
        """Fetch one page of a paginated list endpoint."""
        data = self.request(endpoint, params=params, **kwargs).data
        if not isinstance(data, dict) or not isinstance(data.get("results"), list):
            raise ResponseDecodeError(f"{endpoint.path}: expected a paginated list")
        item_type = endpoint.response or dict
        return Page(
            count=int(data.get("count") or 0),
            results=tuple(
                decode(item_type, item, path=f"$.results[{i}]") for i, item in enumerate(data["results"])
            ),
            next_params=next_params(data.get("next")),
            raw=data,
        )

    def paginate(
        self,
        endpoint: Endpoint,
        params: Mapping[str, Any] | None = None,
        *,
        limit: int | None = None,
        page_size: int | None = None,
        **kwargs: Any,
    ) -> Paginator[Any]:
        """A lazy iterator over every item of a paginated list (at most `limit`)."""
        first = dict(params or {})
        size = page_size or (min(limit, 200) if limit else None)
        if size:
            first["page_size"] = size
        return Paginator(lambda p: self.page(endpoint, p, **kwargs), first, limit=limit)

    def _result(self, response: httpx.Response, ok_statuses: frozenset[int]) -> RawResponse:
        text = response.text
        content_type = response.headers.get("content-type", "")
        data: Any = text
        if "json" in content_type and text:
            try:
                data = response.json()
            except ValueError as exc:
                if response.is_success:
                    raise ResponseDecodeError(f"{response.request.url}: invalid JSON") from exc
        elif not text:
            data = None
        if response.is_success or response.status_code in ok_statuses:
            return RawResponse(response.status_code, response.headers, data, text)
        raise error_from_response(
            response.status_code, data, dict(response.headers), reason=response.reason_phrase
        )


def normalize_base_url(base_url: str) -> str:
    """https://host/ or https://host/api/v1/ → https://host (the SDK's paths start with /api/v1/)."""
    url = base_url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"the base URL must start with http:// or https://, got {base_url!r}")
    if url.endswith("/api/v1"):
        url = url[: -len("/api/v1")]
    return url


def _query_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return str(value)


def _retryable_method(method: str, headers: Mapping[str, str]) -> bool:
    return method in {"GET", "HEAD", "OPTIONS"} or IDEMPOTENCY_HEADER in headers


def _backoff(attempt: int) -> float:
    return min(_MAX_BACKOFF, 0.5 * 2 ** (attempt - 1)) * (0.5 + random.random() / 2)  # noqa: S311 (jitter)


def _retry_delay(response: httpx.Response, attempt: int) -> float:
    header = response.headers.get("retry-after")
    if header and header.isdigit():
        return min(_MAX_BACKOFF, float(header))
    return _backoff(attempt)


def _network_message(exc: httpx.HTTPError, base_url: str) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return f"{base_url} did not answer in time ({type(exc).__name__})"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect to {base_url}: {exc}"
    return f"request to {base_url} failed: {type(exc).__name__}: {exc}"

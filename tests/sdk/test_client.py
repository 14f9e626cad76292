"""The SDK's HTTP behaviour without a server (httpx.MockTransport): error mapping, retries and idempotency keys,
pagination that never leaves the configured host, strict decoding."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
import pytest

from novacron_sdk import (
    ApiError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NetworkError,
    NotFoundError,
    NovacronClient,
    PermissionDeniedError,
    RateLimitError,
    ResponseDecodeError,
    ServerError,
    UnprocessableError,
    ValidationError,
)
from novacron_sdk._decode import decode
from novacron_sdk.client import normalize_base_url

ME = {
    "public_id": "5f0c6b8e-2f7a-4a57-9d0a-0f1b2c3d4e5f",
    "email": "ada@example.com",
    "display_name": "Ada",
    "country": "GB",
    "timezone": "Europe/London",
    "preferred_language": "en",
    "roles": ["app_developer"],
    "mfa_enabled": False,
    "date_joined": "2026-01-02T03:04:05Z",
}

ORG = {
    "public_id": ME["public_id"],
    "slug": "acme",
    "name": "Acme",
    "kind": "company",
    "country": "",
    "website": "",
    "my_role": "owner",
    "member_count": 1,
    "created_at": "2026-01-02T03:04:05Z",
}


@dataclass
class Server:
    """Answers queued responses in order and records the requests."""

    responses: list[Any] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.responses.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def _error(status: int, code: str, message: str, fields: dict | None = None, **extra: Any) -> httpx.Response:
    body = {
        "error": {"code": code, "message": message, "fields": fields or {}, **extra},
        "request_id": "req-1",
    }
    return httpx.Response(status, json=body)


def _client(server: Server, **kwargs: Any) -> tuple[NovacronClient, list[float]]:
    slept: list[float] = []
    client = NovacronClient(
        "https://nova.example/",
        "nc_abc_secret",
        transport=httpx.MockTransport(server),
        sleep=slept.append,
        **kwargs,
    )
    return client, slept


@pytest.mark.parametrize(
    ("response", "exception", "code"),
    [
        (_error(400, "invalid", "Bad.", {"name": ["Required."]}), ValidationError, "invalid"),
        (_error(400, "parse_error", "Malformed JSON."), BadRequestError, "parse_error"),
        (_error(401, "not_authenticated", "No credentials."), AuthenticationError, "not_authenticated"),
        (_error(403, "permission_denied", "Needs scope."), PermissionDeniedError, "permission_denied"),
        (_error(404, "not_found", "Not found."), NotFoundError, "not_found"),
        (_error(409, "last_owner", "Last owner."), ConflictError, "last_owner"),
        (_error(422, "idempotency_key_reused", "Reused."), UnprocessableError, "idempotency_key_reused"),
        (_error(429, "throttled", "Slow down.", retry_after_seconds=7), RateLimitError, "throttled"),
        (_error(500, "server_error", "Oops."), ServerError, "server_error"),
        (httpx.Response(502, text="<html>Bad gateway</html>"), ServerError, "http_502"),
        (httpx.Response(418, text="teapot"), ApiError, "http_418"),
    ],
)
def test_error_responses_map_to_exceptions(response, exception, code):
    server = Server([response])
    client, _ = _client(server, max_retries=0)

    with pytest.raises(exception) as raised:
        client.accounts.me()

    assert type(raised.value) is exception
    assert raised.value.code == code
    assert raised.value.status == response.status_code


def test_an_error_keeps_message_fields_and_request_id():
    server = Server(
        [_error(400, "invalid", "Bad.", {"lines": [{"amount": ["Too big."]}], "name": ["Required."]})]
    )
    client, _ = _client(server)

    with pytest.raises(ValidationError) as raised:
        client.accounts.create_token(name="", scopes=["read"])

    assert raised.value.message == "Bad."
    assert raised.value.fields == {"lines.0.amount": ["Too big."], "name": ["Required."]}
    assert raised.value.request_id == "req-1"
    assert str(raised.value) == "400 invalid: Bad."


def test_a_redirect_is_not_followed_and_says_where_to():
    moved = httpx.Response(301, headers={"Location": "https://nova.example/api/v1/accounts/me/"})
    server = Server([moved])
    client, _ = _client(server)

    with pytest.raises(ApiError, match=r"redirects to https://nova\.example/api/v1/accounts/me/") as raised:
        client.accounts.me()

    assert raised.value.code == "http_301"
    assert len(server.requests) == 1


def test_rate_limit_exposes_retry_after():
    client, _ = _client(
        Server([_error(429, "throttled", "Slow down.", retry_after_seconds=7)]), max_retries=0
    )

    with pytest.raises(RateLimitError) as raised:
        client.accounts.me()

    assert raised.value.retry_after == 7


def test_requests_carry_the_bearer_token_and_json_accept():
    server = Server([httpx.Response(200, json=ME)])
    client, _ = _client(server)

    me = client.accounts.me()

    request = server.requests[0]
    assert str(request.url) == "https://nova.example/api/v1/accounts/me/"
    assert request.headers["Authorization"] == "Bearer nc_abc_secret"
    assert request.headers["Accept"] == "application/json"
    assert request.headers["User-Agent"].startswith("novacron-sdk/")
    assert "Idempotency-Key" not in request.headers
    assert me.email == "ada@example.com"
    assert me.date_joined == datetime.fromisoformat("2026-01-02T03:04:05+00:00")


def test_every_post_gets_its_own_idempotency_key_unless_one_is_given():
    token = {
        "public_id": ME["public_id"],
        "name": "ci",
        "prefix": "abcd1234",
        "scopes": ["read"],
        "created_at": "2026-01-02T03:04:05Z",
        "expires_at": None,
        "last_used_at": None,
        "revoked_at": None,
        "is_active": True,
        "token": "nc_abcd1234_secret",
    }
    server = Server([httpx.Response(201, json=token) for _ in range(3)])
    client, _ = _client(server)

    client.accounts.create_token(name="ci", scopes=["read"])
    client.accounts.create_token(name="ci", scopes=["read"])
    client.accounts.create_token(name="ci", scopes=["read"], idempotency_key="mine-1")

    keys = [request.headers["Idempotency-Key"] for request in server.requests]
    assert keys[0] != keys[1]
    assert keys[2] == "mine-1"
    assert json.loads(server.requests[0].content) == {"name": "ci", "scopes": ["read"]}


def test_a_post_is_retried_with_the_same_idempotency_key():
    body = {"question": "q"}
    server = Server(
        [httpx.ConnectError("refused"), _error(503, "unavailable", "Busy."), httpx.Response(200, json=body)]
    )
    client, slept = _client(server, max_retries=2)

    client.request(_ask_endpoint(), json=body)

    keys = {request.headers["Idempotency-Key"] for request in server.requests}
    assert len(server.requests) == 3
    assert len(keys) == 1
    assert len(slept) == 2


def _ask_endpoint():
    from novacron_sdk.resources.devex import ASK

    return ASK


def test_gets_are_retried_and_429_waits_as_asked():
    server = Server(
        [httpx.Response(429, headers={"Retry-After": "3"}, json={}), httpx.Response(200, json=ME)]
    )
    client, slept = _client(server)

    assert client.accounts.me().email == "ada@example.com"
    assert slept == [3.0]


def test_client_errors_are_not_retried():
    server = Server([_error(404, "not_found", "Nope.")])
    client, slept = _client(server, max_retries=5)

    with pytest.raises(NotFoundError):
        client.accounts.organization("nope")

    assert (len(server.requests), slept) == (1, [])


def test_network_errors_become_network_error_after_the_retries():
    server = Server([httpx.ConnectError("refused") for _ in range(3)])
    client, slept = _client(server, max_retries=2)

    with pytest.raises(NetworkError, match=r"cannot connect to https://nova\.example"):
        client.accounts.me()

    assert len(slept) == 2


def test_timeouts_say_so():
    client, _ = _client(Server([httpx.ReadTimeout("slow")]), max_retries=0)

    with pytest.raises(NetworkError, match="did not answer in time"):
        client.accounts.me()


def test_pagination_follows_next_on_the_configured_host_only():
    first = {
        "count": 3,
        "next": "http://evil.example/api/v1/accounts/organizations/?page=2",
        "results": [ORG, ORG],
    }
    second = {"count": 3, "next": None, "results": [{**ORG, "slug": "last"}]}
    server = Server([httpx.Response(200, json=first), httpx.Response(200, json=second)])
    client, _ = _client(server)

    slugs = [o.slug for o in client.accounts.organizations()]

    assert slugs == ["acme", "acme", "last"]
    assert [str(r.url) for r in server.requests] == [
        "https://nova.example/api/v1/accounts/organizations/",
        "https://nova.example/api/v1/accounts/organizations/?page=2",
    ]
    assert all(r.headers["Authorization"] == "Bearer nc_abc_secret" for r in server.requests)


def test_a_limit_stops_fetching_pages():
    page = {"count": 500, "next": "https://nova.example/x/?page=2", "results": [ORG] * 3}
    server = Server([httpx.Response(200, json=page)])
    client, _ = _client(server)

    items = client.accounts.organizations(limit=2).all()

    assert len(items) == 2
    assert len(server.requests) == 1
    assert server.requests[0].url.params["page_size"] == "2"


def test_health_is_asked_without_the_token_and_a_degraded_server_is_data():
    degraded = {"status": "degraded", "checks": {"database": {"status": "error", "error": "down"}}}
    server = Server([httpx.Response(503, json=degraded)])
    client, slept = _client(server)

    health = client.system.health()

    assert "Authorization" not in server.requests[0].headers
    assert health.ok is False
    assert health.checks["database"].error == "down"
    assert slept == []


def test_responses_are_decoded_strictly():
    from novacron_sdk.resources.accounts import Me

    with pytest.raises(ResponseDecodeError, match=r"\$: the response has no field 'email'"):
        decode(Me, {k: v for k, v in ME.items() if k != "email"})
    with pytest.raises(ResponseDecodeError, match=r"\$.mfa_enabled: expected bool, got str"):
        decode(Me, {**ME, "mfa_enabled": "no"})
    with pytest.raises(ResponseDecodeError, match="not a valid UUID"):
        decode(Me, {**ME, "public_id": "nope"})
    assert decode(Me, {**ME, "added_later": 1}).raw["added_later"] == 1  # new fields do not break old SDKs


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("https://nova.example/", "https://nova.example"),
        ("https://nova.example/api/v1/", "https://nova.example"),
        ("  https://nova.example/community  ", "https://nova.example/community"),
    ],
)
def test_base_urls_are_normalised(given, expected):
    assert normalize_base_url(given) == expected


def test_a_base_url_needs_a_scheme():
    with pytest.raises(ValueError, match="http:// or https://"):
        NovacronClient("nova.example")


def test_path_parameters_are_escaped():
    server = Server([_error(404, "not_found", "Nope.")])
    client, _ = _client(server)

    with pytest.raises(NotFoundError):
        client.accounts.organization("../../me")

    assert server.requests[0].url.raw_path == b"/api/v1/accounts/organizations/..%2F..%2Fme/"

"""/api/v1/accounts/: your profile, personal API tokens, organisations and their members."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from novacron_sdk.endpoints import endpoint
from novacron_sdk.pagination import Paginator
from novacron_sdk.resources._base import Resource


@dataclass(frozen=True, kw_only=True)
class Me:
    public_id: UUID
    email: str
    display_name: str
    country: str
    timezone: str
    preferred_language: str
    roles: tuple[str, ...]
    mfa_enabled: bool
    date_joined: datetime
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, kw_only=True)
class ApiToken:
    public_id: UUID
    name: str
    prefix: str
    scopes: tuple[str, ...]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    is_active: bool
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "active" if self.is_active else "expired"


@dataclass(frozen=True, kw_only=True)
class CreatedApiToken(ApiToken):
    token: str = field(repr=False)
    """The secret, shown only in this response."""


@dataclass(frozen=True, kw_only=True)
class Organization:
    public_id: UUID
    slug: str
    name: str
    kind: str
    country: str
    website: str
    my_role: str
    member_count: int
    created_at: datetime
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, kw_only=True)
class Member:
    user: UUID
    email: str
    display_name: str
    role: str
    joined_at: datetime
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


ME = endpoint("GET", "/api/v1/accounts/me/", Me)
TOKENS = endpoint("GET", "/api/v1/accounts/tokens/", ApiToken, paginated=True)
TOKEN_CREATE = endpoint("POST", "/api/v1/accounts/tokens/", CreatedApiToken)
TOKEN_REVOKE = endpoint("DELETE", "/api/v1/accounts/tokens/{public_id}/")
ORGANIZATIONS = endpoint("GET", "/api/v1/accounts/organizations/", Organization, paginated=True)
ORGANIZATION = endpoint("GET", "/api/v1/accounts/organizations/{ref}/", Organization)
MEMBERS = endpoint("GET", "/api/v1/accounts/organizations/{ref}/members/", Member, paginated=True)


class AccountsResource(Resource):
    """client.accounts"""

    def me(self) -> Me:
        """Your profile (also the cheapest way to check that a token works)."""
        return self._client.call(ME)

    def tokens(self, *, limit: int | None = None) -> Paginator[ApiToken]:
        """Your API tokens, active first."""
        return self._client.paginate(TOKENS, limit=limit)

    def create_token(
        self,
        *,
        name: str,
        scopes: Sequence[str],
        expires_at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> CreatedApiToken:
        """Create a token; `.token` holds the secret, which the API never shows again."""
        body: dict[str, Any] = {"name": name, "scopes": list(scopes)}
        if expires_at is not None:
            body["expires_at"] = expires_at.isoformat()
        return self._client.call(TOKEN_CREATE, json=body, idempotency_key=idempotency_key)

    def revoke_token(self, public_id: UUID | str) -> None:
        """Revoke a token (revoking a revoked token succeeds)."""
        self._client.request(TOKEN_REVOKE, path_params={"public_id": public_id})

    def organizations(self, *, limit: int | None = None) -> Paginator[Organization]:
        """The organisations you belong to, with your role in each."""
        return self._client.paginate(ORGANIZATIONS, limit=limit)

    def organization(self, ref: str) -> Organization:
        """One of your organisations, by slug or public id."""
        return self._client.call(ORGANIZATION, path_params={"ref": ref})

    def members(self, ref: str, *, limit: int | None = None) -> Paginator[Member]:
        """An organisation's members (by slug or public id)."""
        return self._client.paginate(MEMBERS, path_params={"ref": ref}, limit=limit)

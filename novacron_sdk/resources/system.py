"""Operational endpoints outside the versioned API: /health/ (public, not in the OpenAPI schema)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from novacron_sdk._decode import decode
from novacron_sdk.endpoints import endpoint
from novacron_sdk.resources._base import Resource


@dataclass(frozen=True, kw_only=True)
class HealthCheck:
    status: str
    latency_ms: float | None = None
    error: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, kw_only=True)
class Health:
    status: str
    """"ok" or "degraded"."""
    checks: dict[str, HealthCheck]
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.status == "ok"


HEALTH = endpoint("GET", "/health/", Health, in_schema=False)


class SystemResource(Resource):
    """client.system"""

    def health(self) -> Health:
        """The server's dependency checks. A degraded server answers 503 with the same body: returned, not
        raised."""
        response = self._client.request(HEALTH, ok_statuses=frozenset({503}), authenticated=False)
        return decode(Health, response.data)

"""Every HTTP endpoint the SDK calls, declared once.

The client only sends requests for a declared `Endpoint`, so this registry is the complete list of what the
SDK depends on. tests/sdk/test_schema_contract.py checks each one against the server's OpenAPI schema (path,
method, and the fields of the response model), so an API change breaks a test instead of the SDK's users.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

_PARAM = re.compile(r"{(\w+)}")
_REGISTRY: list[Endpoint] = []


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    """Path template as in the OpenAPI schema, e.g. /api/v1/accounts/tokens/{public_id}/."""
    response: type | None = None
    """The dataclass of a 2xx JSON body (of one item, for a paginated list); None for no body or text."""
    paginated: bool = False
    in_schema: bool = True
    """False only for operational endpoints outside the API (/health/), which the schema does not list."""

    @property
    def area(self) -> str:
        """The API area ("accounts", "revenue", "devex", …) or "" for endpoints outside /api/v1/."""
        parts = self.path.strip("/").split("/")
        return parts[2] if parts[:2] == ["api", "v1"] and len(parts) > 2 else ""

    def url_path(self, **params: object) -> str:
        names = set(_PARAM.findall(self.path))
        if names != set(params):
            raise TypeError(f"{self.path} needs {sorted(names)}, got {sorted(params)}")
        return _PARAM.sub(lambda m: quote(str(params[m.group(1)]), safe=""), self.path)


def endpoint(
    method: str, path: str, response: type | None = None, *, paginated: bool = False, in_schema: bool = True
) -> Endpoint:
    """Declare an endpoint the SDK calls (at import time of its resource module)."""
    declared = Endpoint(method.upper(), path, response, paginated, in_schema)
    _REGISTRY.append(declared)
    return declared


def registered_endpoints() -> tuple[Endpoint, ...]:
    import novacron_sdk.resources  # noqa: F401 (importing the resources declares their endpoints)

    return tuple(_REGISTRY)

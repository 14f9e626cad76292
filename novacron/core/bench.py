"""Registry of the HTTP endpoints that `python -m bench.http` measures (see docs/performance.md).

Each app that has an endpoint worth watching adds a `bench.py` module next to its `models.py` and calls
`register` at import time; the bench imports every project app's `bench` module with `discover()`. Nothing
here runs in a web or worker process: only the bench imports these modules, so registering costs nothing.

    # marketplace/bench.py
    from novacron.core.bench import Endpoint, register, register_seed

    register(Endpoint(name="catalog", path="/api/v1/marketplace/apps/", needs_auth=True))

An endpoint is a GET request. `needs_auth=True` sends `Authorization: Bearer <token>` with the personal API
token of the bench user, which has the `read` scope. When an endpoint needs rows to exist, register a seed
function: it runs once after migrations, receives the bench user, and returns values that `{placeholders}` in
registered paths are formatted with (`path="/api/v1/marketplace/apps/{app_id}/"`).

Endpoints are measured in registration order, the baseline first; apps are imported in INSTALLED_APPS order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.utils.module_loading import module_has_submodule

SeedFunction = Callable[[Any], Mapping[str, str] | None]


@dataclass(frozen=True)
class Endpoint:
    """One GET endpoint to put under load.

    name: short unique label shown in the results table (letters, digits, `-`, `_`, `.`).
    path: absolute path starting with `/`; may contain `{placeholders}` filled by seed functions.
    needs_auth: send the bench user's API token as `Authorization: Bearer ...`.
    headers: extra request headers.
    expect_status: the status every response must have; any other counts as an error.
    baseline: the endpoint every other one is compared with (throughput ratio). Only `hello` is.
    description: one line for the docs and the JSON results.
    """

    name: str
    path: str
    needs_auth: bool = False
    headers: Mapping[str, str] = field(default_factory=dict)
    expect_status: int = 200
    baseline: bool = False
    description: str = ""

    def __post_init__(self) -> None:
        if not self.path.startswith("/"):
            raise ValueError(f"bench endpoint {self.name!r}: path must start with '/', got {self.path!r}")
        if not self.name or not all(c.isalnum() or c in "-_." for c in self.name):
            raise ValueError(f"bench endpoint name {self.name!r} must be letters, digits, '-', '_' or '.'")


_endpoints: dict[str, Endpoint] = {}
_seeds: list[SeedFunction] = []


def register(endpoint: Endpoint) -> Endpoint:
    """Add an endpoint; registering the same name twice replaces the first (modules may be re-imported)."""
    if endpoint.baseline and any(e.baseline and e.name != endpoint.name for e in _endpoints.values()):
        raise ValueError("only one bench endpoint can be the baseline")
    _endpoints[endpoint.name] = endpoint
    return endpoint


def register_seed(function: SeedFunction) -> SeedFunction:
    """Add a function that creates the rows an endpoint needs; usable as a decorator."""
    if function not in _seeds:
        _seeds.append(function)
    return function


def endpoints() -> list[Endpoint]:
    """The registered endpoints, the baseline first, then in registration order."""
    return sorted(_endpoints.values(), key=lambda e: not e.baseline)


def seeds() -> list[SeedFunction]:
    return list(_seeds)


def discover() -> list[Endpoint]:
    """Import the `bench` module of every project app (apps that live under BASE_DIR, so third-party
    packages are never imported by accident) and return the registered endpoints."""
    base_dir = Path(settings.BASE_DIR).resolve()
    for app_config in apps.get_app_configs():
        if not Path(app_config.path).resolve().is_relative_to(base_dir):
            continue
        if module_has_submodule(app_config.module, "bench"):
            import_module(f"{app_config.name}.bench")
    return endpoints()


# The kernel's own endpoints.
register(
    Endpoint(
        name="hello",
        path="/hello/",
        baseline=True,
        description="Bare JSON view: no database, no session, no template. The baseline of every ratio.",
    )
)
register(
    Endpoint(
        name="health",
        path="/health/",
        description="Health check: one SELECT 1 and a cache round trip (plus the broker with REDIS_URL).",
    )
)

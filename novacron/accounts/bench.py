"""Endpoints of accounts measured by `python -m bench.http` (registry: novacron/core/bench.py)."""

from novacron.core.bench import Endpoint, register

register(
    Endpoint(
        name="accounts-me",
        path="/api/v1/accounts/me/",
        needs_auth=True,
        description="The caller's profile through DRF: Bearer token lookup, scope check, throttle, serializer.",
    )
)

"""Short-lived caches for the read-heavy public pages (Django's cache: Redis in production, local memory
otherwise). MARKETPLACE_CATALOG_CACHE_SECONDS (default 60; 0 turns caching off) bounds how stale a catalog count,
facet or anonymous app page may be; keys include what a change updates (the app's updated_at and figures), so an
edited listing shows at once."""

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache

T = TypeVar("T")


def ttl() -> int:
    return int(getattr(settings, "MARKETPLACE_CATALOG_CACHE_SECONDS", 60))


def cache_key(*parts: Any) -> str:
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"mkt:{parts[0]}:{digest}"


def cached(key: str, compute: Callable[[], T]) -> T:
    seconds = ttl()
    if seconds <= 0:
        return compute()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value

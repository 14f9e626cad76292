"""Dependency checks behind /health/: each returns ok or error with the time it took."""

import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection


def _timed(check: Callable[[], None]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        check()
    except Exception as exc:  # a health check reports every failure, whatever it is
        return {"status": "error", "error": f"{type(exc).__name__}: {exc}"[:300]}
    return {"status": "ok", "latency_ms": round((time.perf_counter() - started) * 1000, 2)}


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    key, value = f"health:{uuid.uuid4().hex}", "ok"
    cache.set(key, value, timeout=10)
    if cache.get(key) != value:
        raise RuntimeError("cache did not return the value just written")
    cache.delete(key)


def check_broker() -> None:
    from novacron.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


def run_checks() -> tuple[bool, dict[str, Any]]:
    checks: dict[str, Callable[[], None]] = {"database": check_database, "cache": check_cache}
    if settings.REDIS_URL:  # without a broker, tasks run eagerly and there is nothing to check
        checks["broker"] = check_broker
    results = {name: _timed(check) for name, check in checks.items()}
    healthy = all(result["status"] == "ok" for result in results.values())
    return healthy, results

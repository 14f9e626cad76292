"""/health/ (per-dependency status for load balancers), /metrics/ (Prometheus, guarded) and /hello/."""

import pytest
from django.contrib.auth.models import Permission
from django.db import OperationalError

from novacron.celery import app as celery_app
from novacron.core import health
from tests.factories import UserFactory

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused at once


@pytest.mark.django_db
def test_health_reports_each_dependency_when_up(client, settings):
    settings.REDIS_URL = ""  # the default setup: no broker, eager tasks

    response = client.get("/health/")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache"}
    for check in body["checks"].values():
        assert check["status"] == "ok"
        assert check["latency_ms"] >= 0
    assert "no-cache" in response["Cache-Control"]
    assert client.head("/health/").status_code == 200  # load balancers that probe with HEAD


@pytest.mark.django_db
def test_health_is_503_degraded_when_the_database_fails(client, settings, monkeypatch):
    settings.REDIS_URL = ""

    def database_down():
        raise OperationalError("connection to server at 10.0.0.5 failed")

    monkeypatch.setattr(health, "check_database", database_down)

    response = client.get("/health/")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"] == {
        "status": "error",
        "error": "OperationalError: connection to server at 10.0.0.5 failed",
    }
    assert body["checks"]["cache"]["status"] == "ok"


@pytest.mark.django_db
def test_health_is_503_when_the_cache_server_is_unreachable(client, settings):
    settings.REDIS_URL = ""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": UNREACHABLE_REDIS}
    }

    response = client.get("/health/")

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["cache"]["status"] == "error"
    assert "ConnectionError" in checks["cache"]["error"]
    assert checks["database"]["status"] == "ok"


@pytest.mark.django_db
def test_health_checks_the_broker_when_one_is_configured_and_reports_it_down(client, settings, monkeypatch):
    settings.REDIS_URL = UNREACHABLE_REDIS
    monkeypatch.setattr(celery_app.conf, "broker_url", UNREACHABLE_REDIS)

    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["status"] == "error"


@pytest.mark.redis
@pytest.mark.django_db
def test_health_checks_the_real_broker_and_cache(client):
    response = client.get("/health/")

    assert response.status_code == 200
    checks = response.json()["checks"]
    assert set(checks) == {"database", "cache", "broker"}
    assert all(check["status"] == "ok" for check in checks.values())


# --- /metrics/ -------------------------------------------------------------------------------------------

OUTSIDE = {"REMOTE_ADDR": "203.0.113.7"}


@pytest.fixture
def production_metrics(settings):
    settings.METRICS_ALLOW_LOOPBACK = False
    settings.METRICS_TOKEN = "metrics-token-0123456789"


def assert_prometheus_text(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert b"# HELP django_http_requests_total_by_method_total" in response.content


@pytest.mark.usefixtures("production_metrics")
@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", "metrics-token-0123456789"])
def test_metrics_refuse_an_anonymous_outside_caller(client, authorization):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}

    response = client.get("/metrics/", **OUTSIDE, **headers)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


@pytest.mark.usefixtures("production_metrics")
def test_metrics_serve_the_bearer_metrics_token(client):
    assert_prometheus_text(
        client.get("/metrics/", HTTP_AUTHORIZATION="Bearer metrics-token-0123456789", **OUTSIDE)
    )


def test_an_empty_metrics_token_never_matches(client, settings):
    settings.METRICS_ALLOW_LOOPBACK = False
    settings.METRICS_TOKEN = ""

    assert client.get("/metrics/", HTTP_AUTHORIZATION="Bearer ", **OUTSIDE).status_code == 403


@pytest.mark.django_db
@pytest.mark.usefixtures("production_metrics")
def test_metrics_serve_a_user_holding_view_metrics_and_refuse_others(client):
    allowed, other = UserFactory(), UserFactory()
    allowed.user_permissions.add(
        Permission.objects.get(codename="view_metrics", content_type__app_label="accounts")
    )

    client.force_login(other)
    assert client.get("/metrics/", **OUTSIDE).status_code == 403
    client.force_login(allowed)
    assert_prometheus_text(client.get("/metrics/", **OUTSIDE))


@pytest.mark.parametrize(("allow_loopback", "status"), [(True, 200), (False, 403)])
def test_loopback_access_follows_the_setting(client, settings, allow_loopback, status):
    settings.METRICS_ALLOW_LOOPBACK = allow_loopback

    assert client.get("/metrics/", REMOTE_ADDR="127.0.0.1").status_code == status


def test_hello_is_a_json_get_endpoint(client):
    response = client.get("/hello/")

    assert response.status_code == 200
    assert response.json() == {"hello": "world"}
    assert client.post("/hello/").status_code == 405

"""Shared fixtures. Tests marked `postgres` or `redis` run only against those servers; with
REQUIRE_SERVICES=1 (CI) a missing service fails the run instead of skipping it."""

import os

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests.factories import UserFactory

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "postgres" in item.keywords and not settings.IS_POSTGRES:
            if REQUIRE_SERVICES:
                raise pytest.UsageError("REQUIRE_SERVICES=1 but DATABASE_URL is not PostgreSQL")
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)"))
        if "redis" in item.keywords and not settings.REDIS_URL:
            if REQUIRE_SERVICES:
                raise pytest.UsageError("REQUIRE_SERVICES=1 but REDIS_URL is not set")
            item.add_marker(pytest.mark.skip(reason="needs Redis (set REDIS_URL)"))


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"
    # An existing (empty) STATIC_ROOT: WhiteNoise warns "No directory at var/static/" for every client otherwise.
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ACCOUNT_RATE_LIMITS = False
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    """Each xdist worker gets its own cache namespace (a shared Redis must not mix tests' keys)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    settings.CACHES = {
        name: {**conf, "KEY_PREFIX": f"test-{worker}"} for name, conf in settings.CACHES.items()
    }


@pytest.fixture(autouse=True)
def _forget_ledger_accounts():
    """The ledger caches committed account ids per process; a test's rollback (or an on_commit callback run
    inside a test that is then rolled back) must not leave ids of rows that no longer exist."""
    from revenue.services.ledger import forget_accounts

    forget_accounts()
    yield
    forget_accounts()


def pytest_configure(config):
    # Tests run tasks in-process even when REDIS_URL points at a broker; the redis-marked tests start a
    # real worker where they need one.
    from novacron.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def auth_client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client

"""Subscription fixtures: the local test gateway, a clock, and a helper that runs after-commit callbacks."""

from datetime import UTC, datetime

import pytest

from revenue import hooks

T0 = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _gateways(local_gateways, settings):
    settings.REVENUE_DUNNING_RETRY_DAYS = [1, 3, 5, 7]
    settings.REVENUE_DUNNING_GRACE_DAYS = None
    return settings


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed(): ...` runs on_commit callbacks (listeners, emails) as if the transaction committed."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def changes():
    """Subscription listener calls received during the test."""
    received: list[hooks.SubscriptionChange] = []
    hooks.register_subscription_listener(received.append)
    yield received
    hooks.unregister_subscription_listener(received.append)

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from novacron.accounts.models import OrgRole
from novacron.accounts.services.organizations import organization_create
from tests.accounts.factories import member
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _clear_cache():
    # allauth keeps used TOTP codes and rate-limit counters in the cache; user ids repeat between tests.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def owner(db):
    return UserFactory(email="owner@example.com")


@pytest.fixture
def org(owner):
    return organization_create(creator=owner, name="Acme Corp")


@pytest.fixture
def admin_user(org):
    return member(org, OrgRole.ADMIN, email="admin@example.com")


@pytest.fixture
def plain_member(org):
    return member(org, OrgRole.MEMBER, email="member@example.com")


@pytest.fixture
def api_as():
    """api_as(user) → an APIClient signed in (session-style) as `user`."""

    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make

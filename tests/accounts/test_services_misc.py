"""Tokens, profile and platform roles at the service level."""

from datetime import timedelta

import pytest
from django.utils import timezone

from novacron.accounts.models import ApiToken
from novacron.accounts.roles import PlatformRole
from novacron.accounts.services.profile import profile_update
from novacron.accounts.services.roles import user_role_grant, user_role_revoke
from novacron.accounts.services.tokens import MAX_ACTIVE_TOKENS, api_token_create, api_token_revoke
from novacron.accounts.services.users import user_access_update
from novacron.accounts.tokens import find_token
from novacron.core.exceptions import Conflict, PermissionDenied, ValidationError
from novacron.core.models import AuditLog
from tests.accounts.factories import ApiTokenFactory
from tests.factories import UserFactory


@pytest.mark.django_db
def test_token_create_stores_hash_and_audits_without_secret(user):
    token, raw = api_token_create(user=user, name=" laptop ", scopes=["read", "read", "account:write"])
    assert token.name == "laptop"
    assert token.scopes == ["account:write", "read"]
    assert find_token(raw) == token
    row = AuditLog.objects.get(action="api_token.created")
    assert raw not in str(row.after)
    assert row.after["prefix"] == token.prefix


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": "", "scopes": ["read"]}, "name"),
        ({"name": "x" * 101, "scopes": ["read"]}, "name"),
        ({"name": "x", "scopes": []}, "scopes"),
        ({"name": "x", "scopes": ["admin"]}, "scopes"),
        (
            {"name": "x", "scopes": ["read"], "expires_at": timezone.now() - timedelta(seconds=1)},
            "expires_at",
        ),
    ],
)
def test_token_validation(user, kwargs, field):
    with pytest.raises(ValidationError) as exc:
        api_token_create(user=user, **kwargs)
    assert exc.value.field == field
    assert not ApiToken.objects.exists()
    assert not AuditLog.objects.exists()


@pytest.mark.django_db
def test_token_limit(user):
    ApiTokenFactory.create_batch(MAX_ACTIVE_TOKENS, user=user)
    with pytest.raises(Conflict):
        api_token_create(user=user, name="one more", scopes=["read"])


@pytest.mark.django_db
def test_revoke_rules(user):
    token = ApiTokenFactory(user=user)
    with pytest.raises(PermissionDenied):
        api_token_revoke(actor=UserFactory(), token=token)
    with pytest.raises(PermissionDenied):
        api_token_revoke(actor=UserFactory(is_staff=True), token=token)  # staff without the permission
    assert not AuditLog.objects.exists()
    api_token_revoke(actor=UserFactory(is_staff=True, is_superuser=True), token=token)
    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.mark.django_db
def test_profile_update_validates(user):
    profile_update(user=user, country="pt", timezone="America/Sao_Paulo", preferred_language="pt-br")
    user.refresh_from_db()
    assert (user.country, user.timezone, user.preferred_language) == ("PT", "America/Sao_Paulo", "pt-br")
    for kwargs, field in [
        ({"country": "EU"}, "country"),
        ({"country": "DEU"}, "country"),
        ({"timezone": "Europe/Atlantis"}, "timezone"),
        ({"preferred_language": "tlh"}, "preferred_language"),
        ({"display_name": "x" * 101}, "display_name"),
    ]:
        with pytest.raises(ValidationError) as exc:
            profile_update(user=user, **kwargs)
        assert exc.value.field == field
    profile_update(user=user, country="")
    user.refresh_from_db()
    assert user.country == ""


@pytest.mark.django_db
def test_platform_roles_need_staff_and_are_audited(user):
    staff = UserFactory(is_staff=True)
    with pytest.raises(PermissionDenied):
        user_role_grant(actor=UserFactory(), user=user, role=PlatformRole.REVIEWER)
    with pytest.raises(PermissionDenied):
        user_role_grant(actor=staff, user=user, role=PlatformRole.FINANCE)  # needs a superuser
    with pytest.raises(ValidationError):
        user_role_grant(actor=staff, user=user, role="wizard")
    assert not AuditLog.objects.exists()

    assert user_role_grant(actor=staff, user=user, role=PlatformRole.REVIEWER) is True
    assert user_role_grant(actor=staff, user=user, role=PlatformRole.REVIEWER) is False
    assert user.has_perm("accounts.review_apps")
    assert user_role_revoke(actor=staff, user=user, role=PlatformRole.REVIEWER) is True
    actions = list(AuditLog.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["user_role.granted", "user_role.revoked"]


@pytest.mark.django_db
def test_access_flags(user):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    with pytest.raises(PermissionDenied):
        user_access_update(actor=UserFactory(is_staff=True), user=user, is_staff=True)
    user_access_update(actor=superuser, user=user, is_staff=True)
    user.refresh_from_db()
    assert user.is_staff
    with pytest.raises(PermissionDenied):
        user_access_update(actor=superuser, user=superuser, is_superuser=False)
    assert AuditLog.objects.filter(action="user.access_changed").count() == 1

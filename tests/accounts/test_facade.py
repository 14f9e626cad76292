"""The facade's contract: plain values in, plain values out, None/False/[] for unknowns."""

import uuid

import pytest

from novacron.accounts import facade
from novacron.accounts.models import OrgRole
from novacron.accounts.roles import PlatformRole
from tests.accounts.factories import member
from tests.factories import UserFactory


@pytest.mark.django_db
def test_organization_role_and_management(org, owner, admin_user, plain_member):
    assert facade.organization_role(owner.pk, org.pk) == "owner"
    assert facade.organization_role(plain_member.pk, org.pk) == "member"
    assert facade.organization_role(UserFactory().pk, org.pk) is None
    assert facade.organization_role(owner.pk, 999_999) is None

    assert facade.user_can_manage_organization(owner.pk, org.pk)
    assert facade.user_can_manage_organization(admin_user.pk, org.pk)
    assert not facade.user_can_manage_organization(plain_member.pk, org.pk)
    admin_user.is_active = False
    admin_user.save()
    assert not facade.user_can_manage_organization(admin_user.pk, org.pk)


@pytest.mark.django_db
def test_organizations_for_user_returns_frozen_summaries(org, plain_member):
    summaries = facade.organizations_for_user(plain_member.pk)
    assert summaries == [
        facade.OrganizationSummary(
            id=org.pk,
            public_id=org.public_id,
            slug="acme-corp",
            name="Acme Corp",
            kind="company",
            country="",
            role=OrgRole.MEMBER,
        )
    ]
    with pytest.raises(AttributeError):
        summaries[0].name = "x"  # frozen
    assert facade.organizations_for_user(987_654) == []


@pytest.mark.django_db
def test_lookups(org, owner):
    assert facade.organization_get(org.pk).slug == "acme-corp"
    assert facade.organization_get(org.public_id).id == org.pk
    assert facade.organization_get("acme-corp").id == org.pk
    assert facade.organization_get(str(uuid.uuid4())) is None
    assert facade.user_get(owner.pk).email == owner.email
    assert facade.user_get(str(owner.public_id)).id == owner.pk
    assert facade.user_get("not-a-uuid") is None
    assert facade.users_get([owner.pk, 123_456]) == {owner.pk: facade.user_get(owner.pk)}
    billing = member(org, OrgRole.BILLING)
    assert facade.organization_member_ids(org.pk, roles=["billing"]) == [billing.pk]


@pytest.mark.django_db
def test_platform_roles_and_permissions(user):
    from novacron.accounts.services.users import user_grant_default_roles

    user_grant_default_roles(user=user)
    assert facade.user_has_platform_role(user.pk, PlatformRole.LEARNER)
    assert not facade.user_has_platform_role(user.pk, "reviewer")
    assert facade.user_has_permission(user.pk, "accounts.learn")
    assert not facade.user_has_permission(user.pk, "accounts.manage_finance")

"""Roles inside an organisation: who may change what, the last owner, and the audit trail."""

import pytest

from novacron.accounts.models import Membership, OrgRole
from novacron.accounts.services.memberships import (
    membership_change_role,
    membership_remove,
    organization_leave,
)
from novacron.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationError
from novacron.core.models import AuditLog
from tests.accounts.factories import member, membership


def _audits(action: str) -> int:
    return AuditLog.objects.filter(action=action).count()


@pytest.mark.django_db
def test_creator_is_owner_and_audited(org, owner):
    assert membership(org, owner).role == OrgRole.OWNER
    assert _audits("organization.created") == 1
    assert _audits("membership.created") == 1


@pytest.mark.django_db
def test_admin_changes_member_role_with_audit(org, admin_user, plain_member):
    # when an admin makes a member billing
    membership_change_role(actor=admin_user, membership=membership(org, plain_member), role=OrgRole.BILLING)

    # then the role changes and one audit row records before and after
    assert membership(org, plain_member).role == OrgRole.BILLING
    row = AuditLog.objects.get(action="membership.role_changed")
    assert row.actor == admin_user
    assert row.object_id == str(org.public_id)
    assert (row.before["role"], row.after["role"]) == ("member", "billing")


@pytest.mark.django_db
def test_member_cannot_change_roles_and_nothing_is_audited(org, plain_member, admin_user):
    with pytest.raises(PermissionDenied):
        membership_change_role(
            actor=plain_member, membership=membership(org, admin_user), role=OrgRole.MEMBER
        )
    with pytest.raises(PermissionDenied):
        membership_change_role(
            actor=plain_member, membership=membership(org, plain_member), role=OrgRole.ADMIN
        )
    assert membership(org, admin_user).role == OrgRole.ADMIN
    assert _audits("membership.role_changed") == 0


@pytest.mark.django_db
def test_only_owner_grants_or_removes_owner(org, owner, admin_user, plain_member):
    with pytest.raises(PermissionDenied):
        membership_change_role(actor=admin_user, membership=membership(org, plain_member), role=OrgRole.OWNER)
    with pytest.raises(PermissionDenied):
        membership_change_role(actor=admin_user, membership=membership(org, owner), role=OrgRole.ADMIN)
    with pytest.raises(PermissionDenied):
        membership_remove(actor=admin_user, membership=membership(org, owner))
    assert _audits("membership.role_changed") == _audits("membership.removed") == 0

    membership_change_role(actor=owner, membership=membership(org, plain_member), role=OrgRole.OWNER)
    assert membership(org, plain_member).role == OrgRole.OWNER


@pytest.mark.django_db
def test_last_owner_cannot_be_demoted_removed_or_leave(org, owner, admin_user):
    with pytest.raises(Conflict) as exc:
        membership_change_role(actor=owner, membership=membership(org, owner), role=OrgRole.ADMIN)
    assert exc.value.code == "last_owner"
    with pytest.raises(Conflict):
        organization_leave(user=owner, organization=org)
    second_owner = member(org, OrgRole.OWNER)
    membership_change_role(actor=second_owner, membership=membership(org, second_owner), role=OrgRole.ADMIN)
    with pytest.raises(Conflict):
        membership_remove(actor=owner, membership=membership(org, owner))  # removing yourself is leaving
    assert membership(org, owner).role == OrgRole.OWNER
    assert _audits("membership.left") == 0

    # with a second owner, the first may step down
    membership_change_role(actor=owner, membership=membership(org, second_owner), role=OrgRole.OWNER)
    membership_change_role(actor=owner, membership=membership(org, owner), role=OrgRole.MEMBER)
    assert membership(org, owner).role == OrgRole.MEMBER


@pytest.mark.django_db
def test_same_role_is_a_no_op(org, owner, plain_member):
    membership_change_role(actor=owner, membership=membership(org, plain_member), role=OrgRole.MEMBER)
    assert _audits("membership.role_changed") == 0


@pytest.mark.django_db
def test_unknown_role(org, owner, plain_member):
    with pytest.raises(ValidationError) as exc:
        membership_change_role(actor=owner, membership=membership(org, plain_member), role="king")
    assert exc.value.field == "role"


@pytest.mark.django_db
def test_remove_and_leave(org, owner, admin_user, plain_member):
    other = member(org)
    with pytest.raises(PermissionDenied):
        membership_remove(actor=plain_member, membership=membership(org, other))

    membership_remove(actor=admin_user, membership=membership(org, other))
    assert not Membership.objects.filter(organization=org, user=other).exists()
    row = AuditLog.objects.get(action="membership.removed")
    assert row.before["email"] == other.email

    organization_leave(user=plain_member, organization=org)
    assert not Membership.objects.filter(organization=org, user=plain_member).exists()
    assert _audits("membership.left") == 1

    with pytest.raises(NotFound):
        organization_leave(user=plain_member, organization=org)

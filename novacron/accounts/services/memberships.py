"""Memberships: change a member's role, remove a member, leave an organisation.

Rules (see accounts.rules): owners and admins manage members; only an owner grants the owner role or changes
or removes an owner; an organisation always keeps at least one owner. The owner count is taken after locking
the organisation row, never before.
"""

from django.db import transaction

from novacron.accounts import rules
from novacron.accounts.models import Membership, Organization, OrgRole, User
from novacron.accounts.services._shared import lock_organization, membership_snapshot, role_in
from novacron.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationError
from novacron.core.services.audit import audit_record


def _locked_membership(organization: Organization, user_id: int) -> Membership:
    membership = (
        Membership.objects.select_for_update()
        .select_related("user", "organization")
        .filter(organization=organization, user_id=user_id)
        .first()
    )
    if membership is None:
        raise NotFound("This person is not a member of the organisation.")
    return membership


def _is_last_owner(membership: Membership) -> bool:
    if membership.role != OrgRole.OWNER:
        return False
    return not (
        Membership.objects.filter(organization_id=membership.organization_id, role=OrgRole.OWNER)
        .exclude(pk=membership.pk)
        .exists()
    )


def membership_change_role(*, actor: User, membership: Membership, role: str) -> Membership:
    """Give a member another role. Setting the role they already have changes nothing (no audit row)."""
    if role not in OrgRole.values:
        raise ValidationError(
            f"Choose one of: {', '.join(OrgRole.values)}.", field="role", code="invalid_choice"
        )
    with transaction.atomic():
        organization = lock_organization(membership.organization)
        membership = _locked_membership(organization, membership.user_id)
        actor_role = role_in(organization, actor)
        if not rules.can_change_role(actor_role=actor_role, current_role=membership.role, new_role=role):
            if rules.can_manage(actor_role):
                raise PermissionDenied("Only an owner can grant the owner role or change an owner's role.")
            raise PermissionDenied("Only the organisation's owners and admins can change roles.")
        if membership.role == role:
            return membership
        if _is_last_owner(membership):
            raise Conflict(
                "This is the organisation's last owner; make someone else an owner first.",
                field="role",
                code="last_owner",
            )
        before = membership_snapshot(membership)
        membership.role = role
        membership.save(update_fields=["role", "updated_at"])
        audit_record(
            actor=actor,
            action="membership.role_changed",
            obj=organization,
            before=before,
            after=membership_snapshot(membership),
        )
    return membership


def membership_remove(*, actor: User, membership: Membership) -> None:
    """Remove someone from an organisation (owners and admins; only an owner removes an owner)."""
    with transaction.atomic():
        organization = lock_organization(membership.organization)
        membership = _locked_membership(organization, membership.user_id)
        if membership.user_id == actor.pk:
            _leave(organization, membership, actor)
            return
        actor_role = role_in(organization, actor)
        if not rules.can_remove(actor_role=actor_role, member_role=membership.role):
            if rules.can_manage(actor_role):
                raise PermissionDenied("Only an owner can remove an owner.")
            raise PermissionDenied("Only the organisation's owners and admins can remove members.")
        if _is_last_owner(membership):
            raise Conflict("The organisation's last owner cannot be removed.", code="last_owner")
        before = membership_snapshot(membership)
        membership.delete()
        audit_record(actor=actor, action="membership.removed", obj=organization, before=before)


def organization_leave(*, user: User, organization: Organization) -> None:
    """Leave an organisation. The last owner cannot leave (hand ownership over first)."""
    with transaction.atomic():
        organization = lock_organization(organization)
        membership = _locked_membership(organization, user.pk)
        _leave(organization, membership, user)


def _leave(organization: Organization, membership: Membership, user: User) -> None:
    if _is_last_owner(membership):
        raise Conflict(
            "You are the organisation's last owner; make someone else an owner before you leave.",
            code="last_owner",
        )
    before = membership_snapshot(membership)
    membership.delete()
    audit_record(actor=user, action="membership.left", obj=organization, before=before)

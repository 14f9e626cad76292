"""Helpers the accounts services share: row locks in one order, the actor's role, staff overrides."""

from typing import Any

from novacron.accounts.models import Membership, Organization, User
from novacron.core.exceptions import NotFound


def lock_organization(organization: Organization) -> Organization:
    """Lock the organisation row first: every change to its memberships and invitations takes this lock
    before reading or changing them, so two changes to one organisation never interleave (and the
    lock order is always organisation → membership/invitation)."""
    try:
        return Organization.objects.select_for_update().get(pk=organization.pk)
    except Organization.DoesNotExist:
        raise NotFound("This organisation no longer exists.") from None


def role_in(organization: Organization, user: User | None) -> str | None:
    if user is None or not user.is_authenticated:
        return None
    return (
        Membership.objects.filter(organization=organization, user=user).values_list("role", flat=True).first()
    )


def staff_can(actor: User | None, permission: str) -> bool:
    """Platform staff acting through the admin: active staff holding the model permission."""
    return bool(actor and actor.is_active and actor.is_staff and actor.has_perm(permission))


def membership_snapshot(membership: Membership) -> dict[str, Any]:
    return {"user": str(membership.user.public_id), "email": membership.user.email, "role": membership.role}

"""Who may do what inside an organisation. Pure functions of roles, shared by services (which enforce them),
selectors and views (which only decide what to show). "The last owner stays" needs a count under a lock, so
it lives in the services, not here."""

from novacron.accounts.models import OrgRole

MANAGER_ROLES: frozenset[str] = frozenset({OrgRole.OWNER, OrgRole.ADMIN})


def can_manage(role: str | None) -> bool:
    """Owners and admins manage an organisation: its details, members and invitations."""
    return role in MANAGER_ROLES


def can_invite(*, actor_role: str | None, role: str) -> bool:
    """Managers invite; only an owner can invite someone as an owner."""
    return can_manage(actor_role) and (role != OrgRole.OWNER or actor_role == OrgRole.OWNER)


def can_change_role(*, actor_role: str | None, current_role: str, new_role: str) -> bool:
    """Managers change roles; granting owner or touching an owner's membership needs an owner."""
    if not can_manage(actor_role):
        return False
    if OrgRole.OWNER in (current_role, new_role):
        return actor_role == OrgRole.OWNER
    return True


def can_remove(*, actor_role: str | None, member_role: str) -> bool:
    """Managers remove members; only an owner removes an owner."""
    if not can_manage(actor_role):
        return False
    return member_role != OrgRole.OWNER or actor_role == OrgRole.OWNER


def assignable_roles(actor_role: str | None) -> list[tuple[str, str]]:
    """The (value, label) role choices an actor may hand out."""
    if not can_manage(actor_role):
        return []
    return [
        (value, label)
        for value, label in OrgRole.choices
        if value != OrgRole.OWNER or actor_role == OrgRole.OWNER
    ]

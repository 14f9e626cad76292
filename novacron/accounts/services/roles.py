"""Platform roles (Django groups named after roles.PlatformRole), granted and revoked by staff."""

from django.contrib.auth.models import Group
from django.db import transaction

from novacron.accounts.models import User
from novacron.accounts.roles import PlatformRole
from novacron.core.exceptions import PermissionDenied, ValidationError
from novacron.core.services.audit import audit_record

# Roles that reach money or the whole platform: only superusers hand them out or take them away.
PRIVILEGED_ROLES = frozenset({PlatformRole.STAFF, PlatformRole.FINANCE})


def _check(actor: User, role: str) -> Group:
    if role not in PlatformRole.values:
        raise ValidationError(f"Unknown role. Choose one of: {', '.join(PlatformRole.values)}.", field="role")
    if not (actor and actor.is_active and actor.is_staff):
        raise PermissionDenied("Only staff can change platform roles.")
    if role in PRIVILEGED_ROLES and not actor.is_superuser:
        raise PermissionDenied(
            f"Only a superuser can change the {PlatformRole(role).label} role.", field="role"
        )
    group, _ = Group.objects.get_or_create(name=role)
    return group


def user_role_grant(*, actor: User, user: User, role: str) -> bool:
    """Give `user` a platform role. Returns False (and writes nothing) if they already have it."""
    with transaction.atomic():
        group = _check(actor, role)
        if user.groups.filter(pk=group.pk).exists():
            return False
        before = sorted(user.groups.values_list("name", flat=True))
        user.groups.add(group)
        audit_record(
            actor=actor,
            action="user_role.granted",
            obj=user,
            before={"roles": before},
            after={"roles": sorted([*before, role]), "granted": role},
        )
    return True


def user_role_revoke(*, actor: User, user: User, role: str) -> bool:
    """Take a platform role away. Returns False (and writes nothing) if they do not have it."""
    with transaction.atomic():
        group = _check(actor, role)
        if not user.groups.filter(pk=group.pk).exists():
            return False
        before = sorted(user.groups.values_list("name", flat=True))
        user.groups.remove(group)
        audit_record(
            actor=actor,
            action="user_role.revoked",
            obj=user,
            before={"roles": before},
            after={"roles": [name for name in before if name != role], "revoked": role},
        )
    return True

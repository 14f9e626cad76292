"""Accounts themselves: default roles for new accounts, and staff changes to access flags."""

from django.contrib.auth.models import Group
from django.db import transaction

from novacron.accounts.models import User
from novacron.accounts.roles import DEFAULT_ROLES
from novacron.core.exceptions import PermissionDenied
from novacron.core.services.audit import audit_record

ACCESS_FLAGS = ("is_active", "is_staff", "is_superuser")


def user_grant_default_roles(*, user: User) -> None:
    with transaction.atomic():
        for role in DEFAULT_ROLES:
            group, _ = Group.objects.get_or_create(name=role.value)
            user.groups.add(group)


def user_access_update(
    *,
    actor: User,
    user: User,
    is_active: bool | None = None,
    is_staff: bool | None = None,
    is_superuser: bool | None = None,
) -> User:
    """Change an account's access flags (staff tools). Staff and superuser status need a superuser, and
    nobody removes their own superuser status (so the last one cannot lock everyone out by accident)."""
    wanted = {"is_active": is_active, "is_staff": is_staff, "is_superuser": is_superuser}
    with transaction.atomic():
        current = User.objects.select_for_update().get(pk=user.pk)
        changes = {
            key: value
            for key, value in wanted.items()
            if value is not None and getattr(current, key) != value
        }
        if not changes:
            return user
        if not (actor and actor.is_active and actor.is_staff):
            raise PermissionDenied("Only staff can change account access.")
        if ({"is_staff", "is_superuser"} & changes.keys()) and not actor.is_superuser:
            raise PermissionDenied("Only a superuser can change staff or superuser status.")
        if actor.pk == user.pk and changes.get("is_superuser") is False:
            raise PermissionDenied("You cannot remove your own superuser status; ask another superuser.")
        before = {key: getattr(current, key) for key in changes}
        User.objects.filter(pk=user.pk).update(**changes)
        for key, value in changes.items():
            setattr(user, key, value)
        audit_record(actor=actor, action="user.access_changed", obj=user, before=before, after=changes)
    return user

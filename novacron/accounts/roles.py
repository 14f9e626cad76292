"""Platform roles are Django groups with permissions; organisation roles live on Membership.

Later apps extend a role's permissions with `register_role_permissions` from their AppConfig.ready, so the
accounts kernel never imports them.
"""

from django.db.models import TextChoices


class PlatformRole(TextChoices):
    LEARNER = "learner", "Learner"
    APP_DEVELOPER = "app_developer", "App developer"
    REVIEWER = "reviewer", "Reviewer"
    INSTRUCTOR = "instructor", "Instructor"
    ORGANISER = "organiser", "Organiser"
    FINANCE = "finance", "Finance"
    STAFF = "staff", "Staff"


_ROLE_PERMISSIONS: dict[str, set[str]] = {
    PlatformRole.LEARNER: {"accounts.learn"},
    PlatformRole.APP_DEVELOPER: {"accounts.learn", "accounts.publish_apps"},
    PlatformRole.REVIEWER: {"accounts.review_apps"},
    PlatformRole.INSTRUCTOR: {"accounts.teach"},
    PlatformRole.ORGANISER: {"accounts.organise_events"},
    PlatformRole.FINANCE: {"accounts.manage_finance", "accounts.view_metrics"},
    PlatformRole.STAFF: {
        "accounts.review_apps",
        "accounts.teach",
        "accounts.organise_events",
        "accounts.manage_finance",
        "accounts.moderate",
        "accounts.view_metrics",
    },
}

# Roles every new account gets.
DEFAULT_ROLES = (PlatformRole.LEARNER,)


def register_role_permissions(role: str, permissions: list[str]) -> None:
    """Add "app_label.codename" permissions to a platform role (call from AppConfig.ready)."""
    _ROLE_PERMISSIONS.setdefault(role, set()).update(permissions)


def role_permissions(role: str) -> set[str]:
    return set(_ROLE_PERMISSIONS.get(role, set()))


def sync_role_groups(sender=None, using: str = "default", **kwargs) -> None:
    """Create the role groups and set their permissions to exactly the registered ones (idempotent)."""
    from django.contrib.auth.models import Group, Permission

    for role in PlatformRole:
        group, _ = Group.objects.using(using).get_or_create(name=role.value)
        wanted = []
        for dotted in sorted(_ROLE_PERMISSIONS.get(role, ())):
            app_label, codename = dotted.split(".", 1)
            perm = (
                Permission.objects.using(using)
                .filter(content_type__app_label=app_label, codename=codename)
                .first()
            )
            if perm is not None:  # a permission of an app not migrated yet is added on its own migrate
                wanted.append(perm)
        group.permissions.set(wanted)

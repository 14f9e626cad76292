"""The accounts kernel as other apps see it: the ONLY module outside novacron.accounts may import.

Contract
--------
- Functions take plain values (ids, public ids, role names) and return plain values or frozen dataclasses.
  They never raise for "not found": they return None, False or an empty list.
- Reads only. Writes go through accounts' own services, portal and API.
- Organisation roles are the strings of `ORG_ROLES` ("owner", "admin", "billing", "member"); platform roles the
  strings of `PlatformRole` (Django groups of the same name).
- Foreign keys to accounts use the strings settings.AUTH_USER_MODEL and "accounts.Organization".
- Hooks: call `register_role_permissions(role, ["app_label.codename", ...])` from your AppConfig.ready to give a
  platform role your app's permissions; the role groups are re-synced after every migrate.
"""

import uuid
from dataclasses import dataclass

from novacron.accounts import rules
from novacron.accounts.models import Membership, Organization, OrgRole, User
from novacron.accounts.roles import PlatformRole, register_role_permissions
from novacron.accounts.scopes import SCOPES
from novacron.accounts.selectors import organization_by_ref

__all__ = [
    "ORG_ROLES",
    "SCOPES",
    "OrganizationSummary",
    "PlatformRole",
    "UserSummary",
    "organization_get",
    "organization_member_ids",
    "organization_role",
    "organizations_for_user",
    "register_role_permissions",
    "user_can_manage_organization",
    "user_get",
    "user_has_permission",
    "user_has_platform_role",
    "users_get",
]

ORG_ROLES: tuple[str, ...] = tuple(OrgRole.values)


@dataclass(frozen=True)
class OrganizationSummary:
    """An organisation as other apps see it. `role` is the asking user's role, or None when not asked
    for a user."""

    id: int
    public_id: uuid.UUID
    slug: str
    name: str
    kind: str
    country: str
    role: str | None = None


@dataclass(frozen=True)
class UserSummary:
    id: int
    public_id: uuid.UUID
    email: str
    display_name: str
    country: str
    timezone: str
    preferred_language: str
    is_active: bool

    @property
    def name(self) -> str:
        return self.display_name or self.email


def _organization_summary(organization: Organization, role: str | None = None) -> OrganizationSummary:
    return OrganizationSummary(
        id=organization.pk,
        public_id=organization.public_id,
        slug=organization.slug,
        name=organization.name,
        kind=organization.kind,
        country=organization.country,
        role=role,
    )


def _user_summary(user: User) -> UserSummary:
    return UserSummary(
        id=user.pk,
        public_id=user.public_id,
        email=user.email,
        display_name=user.display_name,
        country=user.country,
        timezone=user.timezone,
        preferred_language=user.preferred_language,
        is_active=user.is_active,
    )


def organization_role(user_id: int, organization_id: int) -> str | None:
    """The user's role in the organisation ("owner", "admin", "billing", "member"), or None if they are not a
    member (or either does not exist)."""
    return (
        Membership.objects.filter(user_id=user_id, organization_id=organization_id)
        .values_list("role", flat=True)
        .first()
    )


def user_can_manage_organization(user_id: int, organization_id: int) -> bool:
    """True if the user is an active owner or admin of the organisation: may change its details, members,
    invitations — and, by convention, act for it in other apps (billing settings, publishing, ...)."""
    if not User.objects.filter(pk=user_id, is_active=True).exists():
        return False
    return rules.can_manage(organization_role(user_id, organization_id))


def organizations_for_user(user_id: int) -> list[OrganizationSummary]:
    """The user's organisations, sorted by name, each with the user's `role`. Empty for unknown users."""
    memberships = (
        Membership.objects.filter(user_id=user_id)
        .select_related("organization")
        .order_by("organization__name")
    )
    return [_organization_summary(m.organization, m.role) for m in memberships]


def organization_get(organization: int | uuid.UUID | str) -> OrganizationSummary | None:
    """An organisation by internal id (int), public id (UUID or its string) or slug; None if none matches."""
    if isinstance(organization, int):
        found = Organization.objects.filter(pk=organization).first()
    else:
        found = organization_by_ref(str(organization))
    return _organization_summary(found) if found else None


def organization_member_ids(organization_id: int, *, roles: list[str] | None = None) -> list[int]:
    """User ids of the organisation's members, optionally only those with one of `roles`."""
    members = Membership.objects.filter(organization_id=organization_id)
    if roles:
        members = members.filter(role__in=roles)
    return list(members.order_by("user_id").values_list("user_id", flat=True))


def user_has_platform_role(user_id: int, role: str) -> bool:
    """True if the active user holds the platform role (a PlatformRole value such as "reviewer")."""
    return User.objects.filter(pk=user_id, is_active=True, groups__name=str(role)).exists()


def user_has_permission(user_id: int, permission: str) -> bool:
    """Django permission check ("app_label.codename") for an active user, through their role groups;
    superusers have every permission."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    return bool(user and user.has_perm(permission))


def user_get(user_id: int | uuid.UUID | str) -> UserSummary | None:
    """A user by internal id (int) or public id (UUID or its string); None if none matches."""
    if isinstance(user_id, int):
        user = User.objects.filter(pk=user_id).first()
    else:
        try:
            user = User.objects.filter(public_id=uuid.UUID(str(user_id))).first()
        except ValueError:
            return None
    return _user_summary(user) if user else None


def users_get(user_ids: list[int]) -> dict[int, UserSummary]:
    """Several users at once, keyed by id (ids that do not exist are absent)."""
    return {user.pk: _user_summary(user) for user in User.objects.filter(pk__in=list(user_ids))}

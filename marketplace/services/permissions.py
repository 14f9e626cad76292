"""Who may do what: publishers manage their own apps, reviewers review, moderators moderate, organisation
owners/admins manage their organisation's installations."""

from typing import Any

from django.db.models import F, Q

from marketplace.exceptions import PermissionDenied
from marketplace.models import App, Publisher
from marketplace.selectors.organizations import managed_organizations
from novacron.accounts import facade as accounts_facade

REVIEW_PERMISSION = "accounts.review_apps"
MODERATE_PERMISSIONS = ("accounts.moderate", "accounts.review_apps")


def can_manage_publisher(user: Any, publisher: Publisher) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if publisher.kind == Publisher.Kind.USER:
        return publisher.user_id == user.pk
    return accounts_facade.user_can_manage_organization(user.pk, publisher.organization_id)


def require_publisher(user: Any, publisher: Publisher) -> None:
    if not can_manage_publisher(user, publisher):
        raise PermissionDenied("Only this publisher's owners and admins may do that.")


def require_app_owner(user: Any, app: App) -> None:
    if not can_manage_publisher(user, app.publisher):
        raise PermissionDenied("Only the app's publisher may do that.")


def is_reviewer(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(REVIEW_PERMISSION))


def require_reviewer(user: Any) -> None:
    if not is_reviewer(user):
        raise PermissionDenied("Only marketplace reviewers may do that.")


def is_moderator(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and any(user.has_perm(p) for p in MODERATE_PERMISSIONS)
    )


def can_manage_organization(user: Any, organization_id: int) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and accounts_facade.user_can_manage_organization(user.pk, organization_id)
    )


def require_org_admin(user: Any, organization_id: int) -> None:
    if not can_manage_organization(user, organization_id):
        raise PermissionDenied(
            "Only the organisation's owners and admins may manage its apps.", field="organization"
        )


def publishers_for_user(user: Any) -> list[Publisher]:
    """Publishers the user may act for: their own and those of organisations they own or administer."""
    if not getattr(user, "is_authenticated", False):
        return []
    org_ids = [o.id for o in managed_organizations(user)]
    return list(
        Publisher.objects.filter(Q(user_id=user.pk) | Q(organization_id__in=org_ids))
        .select_related("organization")
        .order_by(F("organization_id").asc(nulls_first=True), "pk")  # their own first
    )

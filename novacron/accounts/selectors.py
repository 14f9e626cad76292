"""Reads that more than one caller needs (API, portal, dashboard panel, facade)."""

import uuid
from datetime import datetime

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from novacron.accounts.models import ApiToken, Invitation, Membership, Organization, User
from novacron.accounts.tokens import hash_secret
from novacron.core.exceptions import NotFound


def organization_by_ref(ref: str) -> Organization | None:
    """An organisation by public id (UUID) or slug — the two identifiers URLs use."""
    try:
        public_id = uuid.UUID(str(ref))
    except ValueError:
        return Organization.objects.filter(slug=str(ref).lower()).first()
    return Organization.objects.filter(public_id=public_id).first()


def organization_for_member(*, user: User, ref: str) -> tuple[Organization, str]:
    """The organisation `ref` and the user's role in it. Non-members get NotFound, as if it did not exist,
    so organisation slugs cannot be probed."""
    organization = organization_by_ref(ref)
    role = None
    if organization is not None and user.is_authenticated:
        role = (
            Membership.objects.filter(organization=organization, user=user)
            .values_list("role", flat=True)
            .first()
        )
    if organization is None or role is None:
        raise NotFound("No organisation with this slug or id among yours.")
    return organization, role


def organizations_for_user(*, user: User) -> QuerySet[Organization]:
    """The user's organisations, annotated with `my_role` and `member_count`."""
    my_role = Membership.objects.filter(organization=OuterRef("pk"), user=user).values("role")[:1]
    # Filter through a subquery, not a join: joining memberships would make the count only the user's row.
    return (
        Organization.objects.filter(pk__in=Membership.objects.filter(user=user).values("organization_id"))
        .annotate(my_role=Subquery(my_role), member_count=Count("memberships"))
        .order_by("name")
    )


def organization_members(*, organization: Organization) -> QuerySet[Membership]:
    return Membership.objects.filter(organization=organization).select_related("user").order_by("user__email")


def organization_invitations(*, organization: Organization, state: str | None = None) -> QuerySet[Invitation]:
    invitations = Invitation.objects.filter(organization=organization).select_related(
        "invited_by", "organization"
    )
    if state:
        invitations = invitations.filter(state=state)
    return invitations.order_by("-created_at")


def invitation_by_token(token: str) -> Invitation | None:
    """Look an invitation up by its raw token without changing it (the accept page's GET)."""
    token = (token or "").strip()
    if not token:
        return None
    return (
        Invitation.objects.select_related("organization", "invited_by")
        .filter(token_hash=hash_secret(token))
        .first()
    )


def invitations_pending_for_user(*, user: User, now: datetime | None = None) -> QuerySet[Invitation]:
    """Live invitations sent to any of the user's verified email addresses."""
    now = now or timezone.now()
    emails = list(EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True))
    if not emails:
        return Invitation.objects.none()
    match = Q()
    for email in emails:
        match |= Q(email__iexact=email)
    return (
        Invitation.objects.filter(match, state=Invitation.State.PENDING, expires_at__gt=now)
        .exclude(organization__memberships__user=user)
        .select_related("organization")
        .order_by("-created_at")
    )


def api_tokens_for_user(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at")


def api_token_for_user(*, user: User, public_id: uuid.UUID | str) -> ApiToken:
    try:
        return ApiToken.objects.get(user=user, public_id=public_id)
    except (ApiToken.DoesNotExist, ValueError, TypeError):
        raise NotFound("No API token with this id among yours.") from None


def active_api_tokens(*, user: User, now: datetime | None = None) -> QuerySet[ApiToken]:
    now = now or timezone.now()
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )


def user_has_totp(*, user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def user_platform_roles(*, user: User) -> list[str]:
    return sorted(user.groups.values_list("name", flat=True))

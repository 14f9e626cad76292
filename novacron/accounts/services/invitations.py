"""Invitations to join an organisation.

The secret token is random (256 bits), stored only as its SHA-256 and sent once, in the accept link of the
invitation email. An invitation is accepted by a signed-in user whose *verified* email address is the one it
was sent to; it then becomes a membership with the invited role.
"""

import secrets
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from novacron.accounts import rules
from novacron.accounts.models import Invitation, Membership, Organization, OrgRole, User
from novacron.accounts.services._shared import lock_organization, role_in, staff_can
from novacron.accounts.tokens import hash_secret
from novacron.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationError
from novacron.core.services.audit import audit_record

DEFAULT_EXPIRY = timedelta(days=7)
MAX_EXPIRY = timedelta(days=30)
EXPIRE_BATCH_SIZE = 500


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except DjangoValidationError:
        raise ValidationError("Enter a valid email address.", field="email") from None
    return email


def _mask(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}{'•' * max(len(local) - 1, 2)}@{domain}"


def invitation_accept_url(raw_token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("accounts:invitation_accept", kwargs={"token": raw_token})


def _snapshot(invitation: Invitation) -> dict:
    return {
        "email": invitation.email,
        "role": invitation.role,
        "state": invitation.state,
        "organization": str(invitation.organization.public_id),
        "expires_at": invitation.expires_at.isoformat(),
    }


def invitation_create(
    *,
    actor: User,
    organization: Organization,
    email: str,
    role: str = OrgRole.MEMBER,
    expires_in: timedelta = DEFAULT_EXPIRY,
    now: datetime | None = None,
) -> tuple[Invitation, str]:
    """Invite `email` to `organization` with `role` (owners and admins; only owners invite owners).

    Returns the invitation and its raw token; the email with the accept link is sent once the transaction
    commits. One pending invitation per address and organisation: a live one is a Conflict, an overdue one
    is marked expired and replaced.
    """
    now = now or timezone.now()
    email = _clean_email(email)
    if role not in OrgRole.values:
        raise ValidationError(
            f"Choose one of: {', '.join(OrgRole.values)}.", field="role", code="invalid_choice"
        )
    if not timedelta(hours=1) <= expires_in <= MAX_EXPIRY:
        raise ValidationError("An invitation lasts between one hour and 30 days.", field="expires_in")

    with transaction.atomic():
        organization = lock_organization(organization)
        actor_role = role_in(organization, actor)
        if not rules.can_invite(actor_role=actor_role, role=role):
            if rules.can_manage(actor_role):
                raise PermissionDenied("Only an owner can invite someone as an owner.", field="role")
            raise PermissionDenied("Only the organisation's owners and admins can invite people.")
        already_member = Membership.objects.filter(organization=organization).filter(
            Q(user__email__iexact=email)
            | Q(user__emailaddress__email__iexact=email, user__emailaddress__verified=True)
        )
        if already_member.exists():
            raise Conflict(
                f"{email} is already a member of {organization}.", field="email", code="already_member"
            )
        pending = (
            Invitation.objects.select_for_update()
            .filter(organization=organization, email__iexact=email, state=Invitation.State.PENDING)
            .first()
        )
        if pending is not None:
            if pending.expires_at > now:
                raise Conflict(
                    f"{email} already has a pending invitation; revoke it first to send a new one.",
                    field="email",
                    code="invitation_pending",
                )
            _expire(pending, now=now)
        raw = secrets.token_urlsafe(32)
        invitation = Invitation.objects.create(
            organization=organization,
            email=email,
            role=role,
            token_hash=hash_secret(raw),
            invited_by=actor,
            expires_at=now + expires_in,
        )
        audit_record(actor=actor, action="invitation.created", obj=invitation, after=_snapshot(invitation))
        accept_url = invitation_accept_url(raw)
        invitation_id = invitation.pk

        def _send() -> None:
            from novacron.accounts.tasks import send_invitation_email

            send_invitation_email.delay(invitation_id=invitation_id, accept_url=accept_url)

        transaction.on_commit(_send)
    return invitation, raw


def invitation_send_email(*, invitation_id: int, accept_url: str) -> bool:
    """Send the invitation email (called by the task). Skips invitations no longer pending."""
    invitation = (
        Invitation.objects.select_related("organization", "invited_by").filter(pk=invitation_id).first()
    )
    if invitation is None or invitation.state != Invitation.State.PENDING:
        return False
    context = {
        "invitation": invitation,
        "organization": invitation.organization,
        "role": invitation.get_role_display(),
        "inviter": invitation.invited_by,
        "accept_url": accept_url,
        "site_url": settings.SITE_URL,
    }
    subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
    body = render_to_string("accounts/email/invitation_message.txt", context)
    send_mail(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
        message=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invitation.email],
    )
    return True


def invitation_accept(*, user: User, token: str, now: datetime | None = None) -> Membership:
    """Accept an invitation by its raw token, as `user`, whose verified email must be the invited one."""
    now = now or timezone.now()
    token = (token or "").strip()
    if not token:
        raise ValidationError("The invitation token is missing.", field="token")
    found = Invitation.objects.select_related("organization").filter(token_hash=hash_secret(token)).first()
    if found is None:
        raise NotFound(
            "This invitation link is not valid. Check you copied all of it.", code="invitation_not_found"
        )
    with transaction.atomic():
        organization = lock_organization(found.organization)
        invitation = Invitation.objects.select_for_update().select_related("organization").get(pk=found.pk)
        if invitation.state == Invitation.State.REVOKED:
            raise Conflict("This invitation was withdrawn. Ask for a new one.", code="invitation_revoked")
        if invitation.state == Invitation.State.ACCEPTED:
            raise Conflict("This invitation has already been used.", code="invitation_used")
        if invitation.state == Invitation.State.EXPIRED or invitation.expires_at <= now:
            raise Conflict("This invitation has expired. Ask for a new one.", code="invitation_expired")
        email_ok = EmailAddress.objects.filter(
            user=user, email__iexact=invitation.email, verified=True
        ).exists()
        if not email_ok:
            raise PermissionDenied(
                f"This invitation was sent to {_mask(invitation.email)}. Sign in with that address, "
                "or add and verify it under Account → Email, to accept it.",
                code="email_mismatch",
            )
        if Membership.objects.filter(organization=organization, user=user).exists():
            raise Conflict(f"You are already a member of {organization}.", code="already_member")
        before = _snapshot(invitation)
        membership = Membership.objects.create(organization=organization, user=user, role=invitation.role)
        invitation.state = Invitation.State.ACCEPTED
        invitation.accepted_by = user
        invitation.accepted_at = now
        invitation.save(update_fields=["state", "accepted_by", "accepted_at", "updated_at"])
        audit_record(
            actor=user,
            action="invitation.accepted",
            obj=invitation,
            before=before,
            after={**_snapshot(invitation), "accepted_by": str(user.public_id)},
        )
        audit_record(
            actor=user,
            action="membership.created",
            obj=organization,
            after={"user": str(user.public_id), "email": user.email, "role": membership.role},
        )
    return membership


def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    """Withdraw a pending invitation (the organisation's owners and admins, or staff in the admin)."""
    with transaction.atomic():
        organization = lock_organization(invitation.organization)
        invitation = (
            Invitation.objects.select_for_update().select_related("organization").get(pk=invitation.pk)
        )
        if not (
            rules.can_manage(role_in(organization, actor)) or staff_can(actor, "accounts.change_invitation")
        ):
            raise PermissionDenied("Only the organisation's owners and admins can revoke invitations.")
        if invitation.state != Invitation.State.PENDING:
            raise Conflict(
                f"Only pending invitations can be revoked; this one is {invitation.get_state_display().lower()}.",
                code="invitation_not_pending",
            )
        before = _snapshot(invitation)
        invitation.state = Invitation.State.REVOKED
        invitation.save(update_fields=["state", "updated_at"])
        audit_record(
            actor=actor,
            action="invitation.revoked",
            obj=invitation,
            before=before,
            after=_snapshot(invitation),
        )
    return invitation


def _expire(invitation: Invitation, *, now: datetime) -> None:
    before = _snapshot(invitation)
    invitation.state = Invitation.State.EXPIRED
    invitation.save(update_fields=["state", "updated_at"])
    audit_record(
        actor=None, action="invitation.expired", obj=invitation, before=before, after=_snapshot(invitation)
    )


def invitation_expire_overdue(*, now: datetime | None = None) -> int:
    """Mark pending invitations past their expiry as expired (one audit row each). Safe to run twice."""
    now = now or timezone.now()
    expired = 0
    while True:
        with transaction.atomic():
            batch = list(
                Invitation.objects.select_for_update()
                .select_related("organization")
                .filter(state=Invitation.State.PENDING, expires_at__lte=now)
                .order_by("pk")[:EXPIRE_BATCH_SIZE]
            )
            for invitation in batch:
                _expire(invitation, now=now)
        expired += len(batch)
        if len(batch) < EXPIRE_BATCH_SIZE:
            return expired

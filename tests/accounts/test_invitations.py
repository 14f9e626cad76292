"""Invitations: create → email → accept, and every way acceptance can be refused."""

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone

from novacron.accounts.models import Invitation, Membership, OrgRole
from novacron.accounts.services.invitations import (
    invitation_accept,
    invitation_create,
    invitation_expire_overdue,
    invitation_revoke,
)
from novacron.accounts.tasks import expire_invitations
from novacron.accounts.tokens import hash_secret
from novacron.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationError
from novacron.core.models import AuditLog
from tests.accounts.factories import InvitationFactory, member
from tests.factories import UserFactory

LINK_RE = re.compile(r"https?://[^/\s]+(/account/invitations/([A-Za-z0-9_\-]+)/)")


def _invite(org, actor, email="new@example.com", role=OrgRole.MEMBER, capture=None, **kwargs):
    with capture(execute=True):
        return invitation_create(actor=actor, organization=org, email=email, role=role, **kwargs)


@pytest.mark.django_db
def test_invite_email_accept_in_portal(org, owner, client, django_capture_on_commit_callbacks):
    # given an owner invites a new admin
    invitation, raw = _invite(
        org,
        owner,
        email="New.Person@Example.com",
        role=OrgRole.ADMIN,
        capture=django_capture_on_commit_callbacks,
    )

    # then the invitation stores only the token's hash, and an email carries the link
    assert invitation.email == "new.person@example.com"
    assert invitation.token_hash != raw
    assert raw not in invitation.token_hash
    assert invitation.expires_at - timezone.now() > timedelta(days=6, hours=23)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@example.com"]
    assert "Acme Corp" in message.subject
    path, token = LINK_RE.search(message.body).groups()
    assert token == raw

    # when the invitee opens the link without being signed in, they are sent to sign in and back
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={quote(path, safe='')}"

    # and once signed in with the invited (verified) address they see the organisation and role
    invitee = UserFactory(email="new.person@example.com")
    client.force_login(invitee)
    page = client.get(path)
    assert page.status_code == 200
    assert "Acme Corp" in page.content.decode()
    assert "Admin" in page.content.decode()

    # and accepting makes them a member with that role
    response = client.post(path)
    assert response.status_code == 302
    assert response["Location"] == f"/account/organizations/{org.slug}/"
    assert Membership.objects.get(organization=org, user=invitee).role == OrgRole.ADMIN
    invitation.refresh_from_db()
    assert (invitation.state, invitation.accepted_by) == (Invitation.State.ACCEPTED, invitee)
    assert set(AuditLog.objects.values_list("action", flat=True)) >= {
        "invitation.created",
        "invitation.accepted",
        "membership.created",
    }

    # and the link cannot be used twice
    response = client.post(path)
    assert response.status_code == 409
    assert "already been used" in response.content.decode()


@pytest.mark.django_db
def test_accept_through_api(org, owner, api_as, django_capture_on_commit_callbacks):
    _, raw = _invite(org, owner, email="api@example.com", capture=django_capture_on_commit_callbacks)
    invitee = UserFactory(email="api@example.com")

    response = api_as(invitee).post("/api/v1/accounts/invitations/accept/", {"token": raw}, format="json")

    assert response.status_code == 200
    assert response.json()["slug"] == org.slug
    assert response.json()["my_role"] == "member"


@pytest.mark.django_db
def test_accept_needs_the_invited_verified_email(org, owner, django_capture_on_commit_callbacks):
    _, raw = _invite(org, owner, email="right@example.com", capture=django_capture_on_commit_callbacks)

    # someone else with the link cannot accept it
    stranger = UserFactory(email="wrong@example.com")
    with pytest.raises(PermissionDenied) as exc:
        invitation_accept(user=stranger, token=raw)
    assert exc.value.code == "email_mismatch"
    assert "right@example.com" not in exc.value.message  # masked

    # nor can the right address while unverified
    unverified = UserFactory(email="right@example.com", verified=False)
    EmailAddress.objects.create(user=unverified, email="right@example.com", verified=False, primary=True)
    with pytest.raises(PermissionDenied):
        invitation_accept(user=unverified, token=raw)
    assert not Membership.objects.filter(organization=org, user__in=[stranger, unverified]).exists()
    assert not AuditLog.objects.filter(action="invitation.accepted").exists()


@pytest.mark.django_db
def test_secondary_verified_email_can_accept(org, owner, django_capture_on_commit_callbacks):
    _, raw = _invite(org, owner, email="work@example.com", capture=django_capture_on_commit_callbacks)
    user = UserFactory(email="home@example.com")
    EmailAddress.objects.create(user=user, email="Work@Example.com", verified=True, primary=False)

    membership = invitation_accept(user=user, token=raw)

    assert membership.organization == org


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("state", "code"),
    [
        (Invitation.State.REVOKED, "invitation_revoked"),
        (Invitation.State.ACCEPTED, "invitation_used"),
        (Invitation.State.EXPIRED, "invitation_expired"),
    ],
)
def test_accept_refuses_unusable_invitations(org, state, code):
    InvitationFactory(organization=org, email="x@example.com", state=state, token_hash=hash_secret("known"))
    user = UserFactory(email="x@example.com")
    with pytest.raises(Conflict) as exc:
        invitation_accept(user=user, token="known")
    assert exc.value.code == code
    assert not Membership.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_accept_refuses_overdue_pending_invitation(org, owner, django_capture_on_commit_callbacks):
    _, raw = _invite(org, owner, email="late@example.com", capture=django_capture_on_commit_callbacks)
    user = UserFactory(email="late@example.com")
    with pytest.raises(Conflict) as exc:
        invitation_accept(user=user, token=raw, now=timezone.now() + timedelta(days=8))
    assert exc.value.code == "invitation_expired"


@pytest.mark.django_db
def test_accept_unknown_token_and_existing_member(
    org, owner, plain_member, django_capture_on_commit_callbacks
):
    with pytest.raises(NotFound):
        invitation_accept(user=plain_member, token="not-a-token")
    with pytest.raises(ValidationError):
        invitation_accept(user=plain_member, token="  ")

    # an address that joined some other way meanwhile
    _, raw = _invite(org, owner, email="later@example.com", capture=django_capture_on_commit_callbacks)
    later = member(org, email="later2@example.com")
    EmailAddress.objects.create(user=later, email="later@example.com", verified=True)
    with pytest.raises(Conflict) as exc:
        invitation_accept(user=later, token=raw)
    assert exc.value.code == "already_member"


@pytest.mark.django_db
def test_one_pending_invitation_per_email(org, owner, django_capture_on_commit_callbacks):
    _invite(org, owner, email="dup@example.com", capture=django_capture_on_commit_callbacks)
    with pytest.raises(Conflict) as exc:
        _invite(org, owner, email="DUP@example.com", capture=django_capture_on_commit_callbacks)
    assert (exc.value.code, exc.value.field) == ("invitation_pending", "email")

    # an overdue one is replaced (and marked expired)
    Invitation.objects.filter(email="dup@example.com").update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    invitation, _ = _invite(org, owner, email="dup@example.com", capture=django_capture_on_commit_callbacks)
    assert Invitation.objects.filter(email="dup@example.com", state=Invitation.State.EXPIRED).count() == 1
    assert invitation.state == Invitation.State.PENDING


@pytest.mark.django_db
def test_cannot_invite_existing_member(org, owner, plain_member, django_capture_on_commit_callbacks):
    with pytest.raises(Conflict) as exc:
        _invite(org, owner, email=plain_member.email.upper(), capture=django_capture_on_commit_callbacks)
    assert exc.value.code == "already_member"
    assert mail.outbox == []


@pytest.mark.django_db
def test_only_managers_invite_and_only_owners_invite_owners(
    org, owner, admin_user, plain_member, django_capture_on_commit_callbacks
):
    with pytest.raises(PermissionDenied):
        _invite(org, plain_member, capture=django_capture_on_commit_callbacks)
    with pytest.raises(PermissionDenied) as exc:
        _invite(org, admin_user, role=OrgRole.OWNER, capture=django_capture_on_commit_callbacks)
    assert exc.value.field == "role"
    assert not Invitation.objects.exists()
    assert not AuditLog.objects.filter(action="invitation.created").exists()
    assert mail.outbox == []

    invitation, _ = _invite(org, admin_user, role=OrgRole.BILLING, capture=django_capture_on_commit_callbacks)
    assert invitation.invited_by == admin_user
    invitation, _ = _invite(
        org,
        owner,
        email="co-owner@example.com",
        role=OrgRole.OWNER,
        capture=django_capture_on_commit_callbacks,
    )
    assert invitation.role == OrgRole.OWNER


@pytest.mark.django_db
def test_bad_input(org, owner):
    with pytest.raises(ValidationError) as exc:
        invitation_create(actor=owner, organization=org, email="not-an-email")
    assert exc.value.field == "email"
    with pytest.raises(ValidationError) as exc:
        invitation_create(actor=owner, organization=org, email="a@example.com", role="emperor")
    assert exc.value.field == "role"


@pytest.mark.django_db
def test_revoke(org, owner, plain_member, django_capture_on_commit_callbacks):
    invitation, _raw = _invite(
        org, owner, email="rev@example.com", capture=django_capture_on_commit_callbacks
    )

    with pytest.raises(PermissionDenied):
        invitation_revoke(actor=plain_member, invitation=invitation)
    assert not AuditLog.objects.filter(action="invitation.revoked").exists()

    invitation_revoke(actor=owner, invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.REVOKED
    assert AuditLog.objects.filter(action="invitation.revoked", actor=owner).count() == 1
    with pytest.raises(Conflict):
        invitation_revoke(actor=owner, invitation=invitation)


@pytest.mark.django_db
def test_no_email_when_revoked_before_sending(org, owner, django_capture_on_commit_callbacks):
    # given the email goes out only on commit, revoking inside the same transaction sends nothing
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation, _ = invitation_create(actor=owner, organization=org, email="quick@example.com")
    invitation_revoke(actor=owner, invitation=invitation)
    for callback in callbacks:
        callback()
    assert mail.outbox == []


@pytest.mark.django_db
def test_expire_task_marks_overdue_invitations(org):
    now = timezone.now()
    overdue = InvitationFactory(organization=org, expires_at=now - timedelta(hours=1))
    live = InvitationFactory(organization=org, expires_at=now + timedelta(days=1))
    done = InvitationFactory(
        organization=org, expires_at=now - timedelta(hours=1), state=Invitation.State.ACCEPTED
    )

    assert expire_invitations.delay().get() == 1

    states = {i.pk: i.state for i in Invitation.objects.all()}
    assert states == {overdue.pk: "expired", live.pk: "pending", done.pk: "accepted"}
    assert AuditLog.objects.filter(action="invitation.expired", actor=None).count() == 1
    # safe to run twice
    assert invitation_expire_overdue() == 0


def test_task_is_registered_under_its_beat_name(settings):
    from novacron.celery import app

    assert (
        settings.CELERY_BEAT_SCHEDULE["accounts.expire_invitations"]["task"] == "accounts.expire_invitations"
    )
    assert "accounts.expire_invitations" in app.tasks

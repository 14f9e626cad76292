"""Portal pages under /account/: they render, forms show domain errors, and refusals change nothing."""

import itertools
import re

import pytest
from django.core import mail

from novacron.accounts.models import Invitation, Membership, Organization, OrgRole
from novacron.core.models import AuditLog
from tests.accounts.factories import member

H_RE = re.compile(r"<h([1-6])[\s>]")


def _headings_in_order(html: str) -> bool:
    levels = [int(level) for level in H_RE.findall(html)]
    return bool(levels) and levels[0] == 1 and all(b <= a + 1 for a, b in itertools.pairwise(levels))


def _inputs_have_labels(html: str) -> bool:
    ids = re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html)
    hidden = re.findall(r'<input[^>]*type="hidden"', html)
    labelled = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', html))
    visible_inputs = len(re.findall(r"<(?:input|select|textarea)\b", html)) - len(hidden)
    return set(ids) <= labelled and len(ids) == visible_inputs


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/account/profile/", "/account/security/", "/account/tokens/", "/account/organizations/"]
)
def test_pages_render_accessibly(client, org, owner, path):
    client.force_login(owner)
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert _headings_in_order(html)
    assert _inputs_have_labels(html)


@pytest.mark.django_db
def test_pages_need_sign_in(client):
    response = client.get("/account/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_profile_form_saves_and_shows_errors(client, user):
    client.force_login(user)
    data = {"display_name": "Lin", "country": "JP", "timezone": "Asia/Tokyo", "preferred_language": "ja"}
    assert client.post("/account/profile/", data).status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.country, user.timezone, user.preferred_language) == (
        "Lin",
        "JP",
        "Asia/Tokyo",
        "ja",
    )

    response = client.post("/account/profile/", {**data, "country": "XK"})
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()


@pytest.mark.django_db
def test_token_form_requires_name_and_scope(client, user):
    client.force_login(user)
    response = client.post("/account/tokens/", {"name": "", "scopes": []})
    assert response.status_code == 400
    assert response.content.decode().count('class="errorlist') >= 2


@pytest.mark.django_db
def test_create_organization_in_portal(client, user):
    client.force_login(user)
    response = client.post(
        "/account/organizations/", {"name": "Blue Sky", "kind": "university", "country": ""}
    )
    assert response.status_code == 302
    organization = Organization.objects.get(slug="blue-sky")
    assert Membership.objects.get(organization=organization, user=user).role == OrgRole.OWNER

    # a taken slug is a form error on the slug field
    response = client.post("/account/organizations/", {"name": "Blue", "slug": "blue-sky", "kind": "company"})
    assert response.status_code == 409
    assert "This slug is taken" in response.content.decode()


@pytest.mark.django_db
def test_detail_shows_management_only_to_managers(client, org, owner, plain_member):
    client.force_login(plain_member)
    html = client.get(f"/account/organizations/{org.slug}/").content.decode()
    assert "Send invitation" not in html
    assert "Change role" not in html
    assert "Leave Acme Corp" in html

    client.force_login(owner)
    html = client.get(f"/account/organizations/{org.slug}/").content.decode()
    assert "Send invitation" in html
    assert "Change role" in html
    assert _inputs_have_labels(html)
    assert _headings_in_order(html)


@pytest.mark.django_db
def test_member_is_refused_in_portal(client, org, owner, plain_member, django_capture_on_commit_callbacks):
    client.force_login(plain_member)
    audit_before = AuditLog.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/account/organizations/{org.slug}/invitations/", {"email": "x@example.com", "role": "member"}
        )
    assert response.status_code == 403
    assert "Only the organisation" in response.content.decode()
    response = client.post(
        f"/account/organizations/{org.slug}/members/{owner.public_id}/role/",
        {f"m-{owner.public_id.hex[:8]}-role": "member"},
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()
    assert mail.outbox == []
    assert Membership.objects.get(user=owner).role == OrgRole.OWNER
    assert AuditLog.objects.count() == audit_before


@pytest.mark.django_db
def test_admin_invites_and_changes_roles_in_portal(
    client, org, admin_user, plain_member, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/account/organizations/{org.slug}/invitations/", {"email": "z@example.com", "role": "member"}
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1

    prefix = f"m-{plain_member.public_id.hex[:8]}"
    response = client.post(
        f"/account/organizations/{org.slug}/members/{plain_member.public_id}/role/",
        {f"{prefix}-role": "billing"},
    )
    assert response.status_code == 302
    assert Membership.objects.get(user=plain_member).role == OrgRole.BILLING

    # an admin offering owner is refused with a form error
    response = client.post(
        f"/account/organizations/{org.slug}/members/{plain_member.public_id}/role/",
        {f"{prefix}-role": "owner"},
    )
    assert response.status_code == 403
    assert "Only an owner" in response.content.decode()


@pytest.mark.django_db
def test_last_owner_demotion_is_a_form_error(client, org, owner):
    client.force_login(owner)
    response = client.post(
        f"/account/organizations/{org.slug}/members/{owner.public_id}/role/",
        {f"m-{owner.public_id.hex[:8]}-role": "admin"},
    )
    assert response.status_code == 409
    assert "last owner" in response.content.decode()
    assert Membership.objects.get(user=owner).role == OrgRole.OWNER


@pytest.mark.django_db
def test_remove_member_and_leave_with_confirmation(client, org, owner, plain_member):
    other = member(org)
    client.force_login(owner)
    url = f"/account/organizations/{org.slug}/members/{other.public_id}/remove/"
    assert "Remove member" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert not Membership.objects.filter(user=other).exists()

    client.force_login(plain_member)
    url = f"/account/organizations/{org.slug}/leave/"
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    assert not Membership.objects.filter(user=plain_member).exists()
    assert client.get(f"/account/organizations/{org.slug}/").status_code == 404

    # the last owner is told why they cannot leave
    client.force_login(owner)
    response = client.post(url)
    assert response.status_code == 409
    assert "last owner" in response.content.decode()


@pytest.mark.django_db
def test_accept_page_for_wrong_account_explains(client, org, owner, user, django_capture_on_commit_callbacks):
    from novacron.accounts.services.invitations import invitation_create

    with django_capture_on_commit_callbacks(execute=True):
        _, raw = invitation_create(actor=owner, organization=org, email="someone-else@example.com")
    client.force_login(user)
    html = client.get(f"/account/invitations/{raw}/").content.decode()
    assert "Acme Corp" in html
    assert "sent to another email address" in html
    assert "Accept invitation" not in html
    assert client.get("/account/invitations/bogus/").status_code == 404


@pytest.mark.django_db
def test_dashboard_panel(client, org, owner, django_capture_on_commit_callbacks):
    from allauth.account.models import EmailAddress

    from novacron.accounts.services.invitations import invitation_create
    from novacron.accounts.services.organizations import organization_create
    from tests.accounts.factories import api_token
    from tests.factories import UserFactory

    someone = UserFactory()
    other_org = organization_create(creator=someone, name="Zeta Org")
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(actor=someone, organization=other_org, email="owner-alt@example.com")
    EmailAddress.objects.create(user=owner, email="owner-alt@example.com", verified=True)
    api_token(owner)
    client.force_login(owner)

    html = client.get("/dashboard/").content.decode()

    assert "Your account" in html
    assert "Acme Corp" in html
    assert "1 active API token" in html
    assert "1 pending invitation" in html
    assert "Zeta Org" in html
    assert _headings_in_order(html)

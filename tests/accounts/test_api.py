"""The accounts REST API: shapes, permissions and the project's error body."""

import pytest
from django.core import mail

from novacron.accounts.models import ApiToken, Invitation, Membership, OrgRole
from novacron.core.models import AuditLog, IdempotencyKey
from tests.accounts.factories import ApiTokenFactory, api_token, member
from tests.factories import UserFactory

BASE = "/api/v1/accounts"


def _error(response) -> dict:
    body = response.json()
    assert set(body) == {"error", "request_id"}
    return body["error"]


@pytest.mark.django_db
def test_me_get_and_patch(api_as, user):
    client = api_as(user)
    body = client.get(f"{BASE}/me/").json()
    assert body["email"] == user.email
    assert body["mfa_enabled"] is False
    assert "id" not in body

    response = client.patch(f"{BASE}/me/", {"country": "br", "timezone": "America/Sao_Paulo"}, format="json")
    assert response.status_code == 200
    assert (response.json()["country"], response.json()["timezone"]) == ("BR", "America/Sao_Paulo")

    response = client.patch(f"{BASE}/me/", {"timezone": "Mars/Olympus"}, format="json")
    assert response.status_code == 400
    assert list(_error(response)["fields"]) == ["timezone"]
    response = client.patch(f"{BASE}/me/", {"country": "QQ"}, format="json")
    assert _error(response)["fields"] == {"country": [_error(response)["message"]]}


@pytest.mark.django_db
def test_token_create_list_revoke(api_as, user):
    client = api_as(user)

    response = client.post(
        f"{BASE}/tokens/", {"name": "deploy", "scopes": ["read", "devex:write"]}, format="json"
    )
    assert response.status_code == 201
    created = response.json()
    assert created["token"].startswith(f"nc_{created['prefix']}_")
    assert created["scopes"] == ["devex:write", "read"]

    listing = client.get(f"{BASE}/tokens/").json()
    assert listing["count"] == 1
    assert "token" not in listing["results"][0]
    assert "token_hash" not in listing["results"][0]

    response = client.delete(f"{BASE}/tokens/{created['public_id']}/")
    assert response.status_code == 204
    assert client.get(f"{BASE}/tokens/").json()["results"][0]["is_active"] is False
    assert AuditLog.objects.filter(action="api_token.revoked").count() == 1
    # revoking again is fine and writes nothing
    assert client.delete(f"{BASE}/tokens/{created['public_id']}/").status_code == 204
    assert AuditLog.objects.filter(action="api_token.revoked").count() == 1


@pytest.mark.django_db
def test_token_validation_errors(api_as, user):
    client = api_as(user)
    response = client.post(f"{BASE}/tokens/", {"name": "x", "scopes": ["root"]}, format="json")
    assert response.status_code == 400
    assert "scopes" in _error(response)["fields"]
    response = client.post(f"{BASE}/tokens/", {"name": "", "scopes": ["read"]}, format="json")
    assert "name" in _error(response)["fields"]
    response = client.post(
        f"{BASE}/tokens/",
        {"name": "x", "scopes": ["read"], "expires_at": "2000-01-01T00:00:00Z"},
        format="json",
    )
    assert _error(response)["fields"] == {"expires_at": ["The expiry must be in the future."]}
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_cannot_touch_someone_elses_token(api_as, user):
    theirs = ApiTokenFactory()
    response = api_as(user).delete(f"{BASE}/tokens/{theirs.public_id}/")
    assert response.status_code == 404
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None


@pytest.mark.django_db
def test_token_create_is_idempotent(api_as, user):
    client = api_as(user)
    payload = {"name": "ci", "scopes": ["read"]}
    first = client.post(f"{BASE}/tokens/", payload, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(f"{BASE}/tokens/", payload, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert ApiToken.objects.filter(user=user).count() == 1
    assert IdempotencyKey.objects.count() == 1


@pytest.mark.django_db
def test_organizations_crud(api_as, user):
    client = api_as(user)
    response = client.post(f"{BASE}/organizations/", {"name": "Orbit GmbH", "country": "DE"}, format="json")
    assert response.status_code == 201
    org = response.json()
    assert (org["slug"], org["my_role"], org["member_count"]) == ("orbit-gmbh", "owner", 1)

    assert client.get(f"{BASE}/organizations/").json()["count"] == 1
    by_slug = client.get(f"{BASE}/organizations/orbit-gmbh/").json()
    by_id = client.get(f"{BASE}/organizations/{org['public_id']}/").json()
    assert by_slug == by_id

    response = client.patch(
        f"{BASE}/organizations/orbit-gmbh/", {"website": "https://orbit.example"}, format="json"
    )
    assert response.json()["website"] == "https://orbit.example"

    # other people do not even see it
    stranger = api_as(UserFactory())
    assert stranger.get(f"{BASE}/organizations/orbit-gmbh/").status_code == 404
    assert (
        stranger.patch(f"{BASE}/organizations/orbit-gmbh/", {"name": "x"}, format="json").status_code == 404
    )


@pytest.mark.django_db
def test_member_cannot_invite_or_change_roles_but_admin_can(
    api_as, org, admin_user, plain_member, django_capture_on_commit_callbacks
):
    url = f"{BASE}/organizations/{org.slug}"
    as_member = api_as(plain_member)
    audit_before = AuditLog.objects.count()

    # a member can list members, but not invitations, nor invite, nor change roles
    assert as_member.get(f"{url}/members/").json()["count"] == 3
    assert as_member.get(f"{url}/invitations/").status_code == 403
    response = as_member.post(f"{url}/invitations/", {"email": "x@example.com"}, format="json")
    assert response.status_code == 403
    assert _error(response)["code"] == "permission_denied"
    response = as_member.patch(f"{url}/members/{admin_user.public_id}/", {"role": "member"}, format="json")
    assert response.status_code == 403
    assert as_member.delete(f"{url}/members/{admin_user.public_id}/").status_code == 403
    assert not Invitation.objects.exists()
    assert Membership.objects.get(user=admin_user).role == OrgRole.ADMIN
    assert AuditLog.objects.count() == audit_before

    # an admin can
    as_admin = api_as(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_admin.post(
            f"{url}/invitations/", {"email": "x@example.com", "role": "billing"}, format="json"
        )
    assert response.status_code == 201
    assert response.json()["state"] == "pending"
    assert len(mail.outbox) == 1
    response = as_admin.patch(f"{url}/members/{plain_member.public_id}/", {"role": "billing"}, format="json")
    assert response.status_code == 200
    assert response.json() == {
        "user": str(plain_member.public_id),
        "email": plain_member.email,
        "display_name": plain_member.display_name,
        "role": "billing",
        "joined_at": response.json()["joined_at"],
    }
    assert as_admin.get(f"{url}/invitations/").json()["count"] == 1


@pytest.mark.django_db
def test_last_owner_cannot_be_demoted_via_api(api_as, org, owner):
    audit_before = AuditLog.objects.count()
    response = api_as(owner).patch(
        f"{BASE}/organizations/{org.slug}/members/{owner.public_id}/", {"role": "admin"}, format="json"
    )
    assert response.status_code == 409
    assert _error(response)["code"] == "last_owner"
    assert AuditLog.objects.count() == audit_before
    response = api_as(owner).post(f"{BASE}/organizations/{org.slug}/leave/")
    assert response.status_code == 409


@pytest.mark.django_db
def test_revoke_invitation_and_leave(api_as, org, owner, plain_member, django_capture_on_commit_callbacks):
    url = f"{BASE}/organizations/{org.slug}"
    with django_capture_on_commit_callbacks(execute=True):
        invitation = (
            api_as(owner).post(f"{url}/invitations/", {"email": "y@example.com"}, format="json").json()
        )
    assert api_as(plain_member).delete(f"{url}/invitations/{invitation['public_id']}/").status_code == 403
    assert api_as(owner).delete(f"{url}/invitations/{invitation['public_id']}/").status_code == 204
    assert api_as(owner).delete(f"{url}/invitations/{invitation['public_id']}/").status_code == 409

    assert api_as(plain_member).post(f"{url}/leave/").status_code == 204
    assert api_as(plain_member).get(f"{url}/").status_code == 404


@pytest.mark.django_db
def test_accept_with_bearer_token(org, owner, django_capture_on_commit_callbacks):
    from rest_framework.test import APIClient

    from novacron.accounts.services.invitations import invitation_create

    with django_capture_on_commit_callbacks(execute=True):
        _, raw_invitation = invitation_create(actor=owner, organization=org, email="dev@example.com")
    dev = UserFactory(email="dev@example.com")
    _, raw = api_token(dev, scopes=["account:write"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")

    response = client.post(f"{BASE}/invitations/accept/", {"token": raw_invitation}, format="json")

    assert response.status_code == 200
    assert Membership.objects.filter(organization=org, user=dev).exists()
    response = client.post(f"{BASE}/invitations/accept/", {"token": "nope"}, format="json")
    assert response.status_code == 404


@pytest.mark.django_db
def test_anonymous_gets_401(api_client):
    for path in ("/me/", "/tokens/", "/organizations/"):
        response = api_client.get(f"{BASE}{path}")
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_member_count_counts_every_member(api_as, org, owner):
    member(org, OrgRole.BILLING)
    assert api_as(owner).get(f"{BASE}/organizations/{org.slug}/").json()["member_count"] == 2

"""Staff tools: the admin pages render and their actions go through the services."""

import pytest

from novacron.accounts.models import ApiToken, Invitation, User
from novacron.core.models import AuditLog
from tests.accounts.factories import ApiTokenFactory, InvitationFactory
from tests.factories import UserFactory


@pytest.fixture
def staff_client(client, db):
    superuser = UserFactory(is_staff=True, is_superuser=True, email="root@example.com")
    client.force_login(superuser)
    client.superuser = superuser
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["user", "organization", "invitation", "apitoken"])
def test_admin_pages_render(staff_client, org, model):
    ApiTokenFactory()
    InvitationFactory(organization=org)
    changelist = staff_client.get(f"/admin/accounts/{model}/")
    assert changelist.status_code == 200
    obj = {"user": User, "organization": type(org), "invitation": Invitation, "apitoken": ApiToken}[
        model
    ].objects.first()
    assert staff_client.get(f"/admin/accounts/{model}/{obj.pk}/change/").status_code == 200


@pytest.mark.django_db
def test_admin_user_add_and_role_filter(staff_client):
    assert staff_client.get("/admin/accounts/user/add/").status_code == 200
    response = staff_client.post(
        "/admin/accounts/user/add/",
        {
            "email": "New@Example.com",
            "usable_password": "true",
            "password1": "Zq8!long-pass",
            "password2": "Zq8!long-pass",
        },
    )
    assert response.status_code == 302
    created = User.objects.get(email="new@example.com")
    assert created.role_names == ["learner"]
    listing = staff_client.get("/admin/accounts/user/?role=learner").content.decode()
    assert "new@example.com" in listing
    assert "root@example.com" not in listing
    assert staff_client.get("/admin/accounts/user/?q=new%40").status_code == 200


@pytest.mark.django_db
def test_admin_role_action_is_audited(staff_client, user):
    response = staff_client.post(
        "/admin/accounts/user/", {"action": "grant_reviewer", "_selected_action": [user.pk]}, follow=True
    )
    assert response.status_code == 200
    assert "reviewer" in User.objects.get(pk=user.pk).role_names
    assert AuditLog.objects.filter(action="user_role.granted", actor=staff_client.superuser).count() == 1


@pytest.mark.django_db
def test_admin_revoke_token_action(staff_client):
    token = ApiTokenFactory()
    page = staff_client.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
    assert token.token_hash in page  # the hash is shown read-only; the secret exists nowhere
    staff_client.post("/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditLog.objects.filter(action="api_token.revoked").count() == 1


@pytest.mark.django_db
def test_admin_revoke_invitation_action(staff_client, org):
    invitation = InvitationFactory(organization=org)
    staff_client.post(
        "/admin/accounts/invitation/", {"action": "revoke", "_selected_action": [invitation.pk]}
    )
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.REVOKED
    assert AuditLog.objects.filter(action="invitation.revoked").count() == 1


@pytest.mark.django_db
def test_admin_access_flags_go_through_service(staff_client, user):
    url = f"/admin/accounts/user/{user.pk}/change/"
    data = {
        "email": user.email,
        "display_name": user.display_name,
        "country": user.country,
        "timezone": user.timezone,
        "preferred_language": user.preferred_language,
        "is_active": "on",
        "is_staff": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2025-01-01",
        "date_joined_1": "00:00:00",
    }
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    user.refresh_from_db()
    assert user.is_staff
    assert AuditLog.objects.get(action="user.access_changed").after == {"is_staff": True}

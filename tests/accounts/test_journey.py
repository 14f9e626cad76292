"""End to end: sign up, verify the email, sign in, create an API token, call the API with it."""

import re

import pytest
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from novacron.accounts.models import ApiToken, User
from novacron.core.models import AuditLog

PASSWORD = "a-long-and-unusual-passphrase-42"
TOKEN_RE = re.compile(r"nc_[0-9a-f]{8}_[A-Za-z0-9_\-]+")


def _bearer(raw: str | None) -> APIClient:
    client = APIClient()
    if raw:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.mark.django_db
def test_signup_verify_login_token_and_api(django_capture_on_commit_callbacks):
    browser = Client()

    # given a visitor who signs up
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(
            "/accounts/signup/",
            {
                "email": "ada@example.com",
                "password1": PASSWORD,
                "password2": PASSWORD,
                "display_name": "Ada",
                "country": "gb",
                "timezone": "Europe/London",
                "preferred_language": "en",
            },
        )
    assert response.status_code == 302
    user = User.objects.get(email="ada@example.com")
    assert (user.display_name, user.country, user.timezone) == ("Ada", "GB", "Europe/London")
    assert user.role_names == ["learner"]

    # then a verification email arrives with a confirmation link
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ada@example.com"]
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", mail.outbox[0].body).group(1)

    # when they follow it and confirm
    assert browser.get(link).status_code == 200
    assert browser.post(link).status_code == 302
    assert user.emailaddress_set.get().verified

    # and sign in from a fresh browser
    browser = Client()
    response = browser.post("/accounts/login/", {"login": "ada@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert browser.get("/dashboard/").status_code == 200

    # and create an API token in the portal
    response = browser.post(
        "/account/tokens/", {"name": "laptop", "scopes": ["account:read", "account:write"]}
    )
    assert response.status_code == 200
    raw = TOKEN_RE.search(response.content.decode()).group(0)
    token = ApiToken.objects.get(user=user)
    assert raw not in token.token_hash
    assert AuditLog.objects.filter(action="api_token.created", object_id=str(token.public_id)).exists()

    # then the API answers to the token
    response = _bearer(raw).get("/api/v1/accounts/me/")
    assert response.status_code == 200
    assert response.json()["email"] == "ada@example.com"

    # but not without one, nor with a made-up one
    assert _bearer(None).get("/api/v1/accounts/me/").status_code == 401
    assert _bearer(raw[:-2] + "xx").get("/api/v1/accounts/me/").status_code == 401

    # when the token is revoked in the portal, after a confirmation page
    revoke_url = f"/account/tokens/{token.public_id}/revoke/"
    assert browser.get(revoke_url).status_code == 200
    assert browser.post(revoke_url).status_code == 302

    # then it no longer works
    response = _bearer(raw).get("/api/v1/accounts/me/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


@pytest.mark.django_db
def test_token_shown_once_in_portal(client, user):
    client.force_login(user)

    response = client.post("/account/tokens/", {"name": "ci", "scopes": ["read"]})
    assert TOKEN_RE.search(response.content.decode())
    assert "no-store" in response["Cache-Control"]

    # the list afterwards shows the prefix only
    listing = client.get("/account/tokens/").content.decode()
    token = ApiToken.objects.get(user=user)
    assert f"nc_{token.prefix}_" in listing
    assert not TOKEN_RE.search(listing)


@pytest.mark.django_db
def test_read_only_token_cannot_write(user):
    from tests.accounts.factories import api_token

    _, raw = api_token(user, scopes=["read"])
    client = _bearer(raw)

    # reads work
    assert client.get("/api/v1/accounts/tokens/").status_code == 200

    # writes are refused by scope, and nothing is created
    response = client.post("/api/v1/accounts/tokens/", {"name": "more", "scopes": ["read"]}, format="json")
    assert response.status_code == 403
    assert "account:write" in response.json()["error"]["message"]
    response = client.patch("/api/v1/accounts/me/", {"display_name": "X"}, format="json")
    assert response.status_code == 403
    assert ApiToken.objects.filter(user=user).count() == 1


@pytest.mark.django_db
def test_area_scoped_token(user):
    from tests.accounts.factories import api_token

    _, raw = api_token(user, scopes=["account:write"])
    client = _bearer(raw)
    response = client.patch("/api/v1/accounts/me/", {"display_name": "Grace"}, format="json")
    assert response.status_code == 200
    assert response.json()["display_name"] == "Grace"

    # a token cannot mint a token with more than it holds
    response = client.post("/api/v1/accounts/tokens/", {"name": "wider", "scopes": ["write"]}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["fields"] == {"scopes": [response.json()["error"]["message"]]}
    response = client.post(
        "/api/v1/accounts/tokens/", {"name": "same", "scopes": ["account:read"]}, format="json"
    )
    assert response.status_code == 201

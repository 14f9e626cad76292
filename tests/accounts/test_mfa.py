"""Two-factor sign-in with an authenticator app, through allauth's own pages."""

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.test import Client

from tests.factories import DEFAULT_PASSWORD, UserFactory


def totp_now(secret: str, period: int = 30) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def sign_in(client: Client, email: str):
    return client.post("/accounts/login/", {"login": email, "password": DEFAULT_PASSWORD})


@pytest.mark.django_db
def test_enrol_totp_then_sign_in_needs_the_code(settings):
    settings.MFA_TOTP_TOLERANCE = 1  # a code minted at the end of a 30 s window still counts
    user = UserFactory(email="mfa@example.com")
    browser = Client()
    assert sign_in(browser, user.email).status_code == 302

    # given the user opens the authenticator setup, confirming their password first
    response = browser.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    response = browser.post(response["Location"], {"password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    response = browser.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 200
    secret = browser.session[SECRET_SESSION_KEY]

    # a wrong code does not enrol
    wrong = "000000" if totp_now(secret) != "000000" else "111111"
    response = browser.post("/accounts/2fa/totp/activate/", {"code": wrong})
    assert response.status_code == 200
    assert not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()

    # when they enter the current code
    response = browser.post("/accounts/2fa/totp/activate/", {"code": totp_now(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()

    # then the portal shows two-factor as on
    assert "Signing in asks for a code" in browser.get("/account/security/").content.decode()

    # and signing in again stops at the code step
    browser = Client()
    response = sign_in(browser, user.email)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/authenticate/")
    assert "_auth_user_id" not in browser.session

    # a wrong code is refused
    response = browser.post("/accounts/2fa/authenticate/", {"code": wrong})
    assert response.status_code == 200
    assert "_auth_user_id" not in browser.session
    assert browser.get("/dashboard/").status_code == 302

    # the right code signs in
    response = browser.post("/accounts/2fa/authenticate/", {"code": totp_now(secret)})
    assert response.status_code == 302
    assert browser.session["_auth_user_id"] == str(user.pk)
    assert browser.get("/dashboard/").status_code == 200


@pytest.mark.django_db
def test_security_page_offers_setup_when_off(client, user):
    client.force_login(user)
    page = client.get("/account/security/").content.decode()
    assert "/accounts/2fa/totp/activate/" in page
    assert "/accounts/password/change/" in page
    assert "/accounts/email/" in page

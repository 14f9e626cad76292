"""UserTimezoneMiddleware: a signed-in user sees their timezone and language."""

import pytest
from django.utils import timezone, translation

from novacron.accounts.models import User
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.urls")]

PROBE = "/probe/locale/"


@pytest.fixture(autouse=True)
def _reset_activation():
    # The middleware activates per thread, like Django's LocaleMiddleware; don't leak into later tests.
    yield
    timezone.deactivate()
    translation.deactivate()


def test_a_signed_in_user_gets_their_timezone_and_language(client):
    user = UserFactory(timezone="Asia/Tokyo", preferred_language="de")
    client.force_login(user)

    response = client.get(PROBE)

    assert response.json() == {"timezone": "Asia/Tokyo", "language": "de"}
    assert response["Content-Language"] == "de"


def test_an_anonymous_visitor_gets_the_defaults_even_after_a_signed_in_request(client):
    client.force_login(UserFactory(timezone="America/Sao_Paulo", preferred_language="pt-br"))
    client.get(PROBE)
    client.logout()

    response = client.get(PROBE)

    assert response.json() == {"timezone": "UTC", "language": "en"}


def test_an_unknown_stored_timezone_falls_back_to_utc(client):
    user = UserFactory(preferred_language="fr")
    User.objects.filter(pk=user.pk).update(timezone="Mars/Olympus_Mons")  # skips the model validator
    client.force_login(user)

    response = client.get(PROBE)

    assert response.json() == {"timezone": "UTC", "language": "fr"}

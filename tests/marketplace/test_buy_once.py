"""The portal's buy form buys once per rendered form (novacron.core.once): a double click or a reload that
re-POSTs shows the first purchase instead of charging again; a declined card releases the form for a retry."""

import re

import pytest
from django.urls import reverse

from marketplace.models import Installation, Purchase
from revenue.models import Order
from tests.factories import UserFactory
from tests.marketplace.factories import make_app

pytestmark = pytest.mark.django_db
CARD = "4242 4242 4242 4242"
DECLINED = "4000 0000 0000 0002"


@pytest.fixture
def paid_app(publisher):
    return make_app(publisher, plans=[{"name": "Pro", "model": "one_time", "amount": 4900}])


def _token(client, url):
    page = client.get(url).content.decode()
    return re.search(r'name="submission_token" value="([0-9a-f]{32})"', page).group(1)


def test_posting_the_buy_form_twice_buys_once(client, paid_app, run_on_commit):
    # Given a buyer on the buy page
    buyer = UserFactory()
    client.force_login(buyer)
    url = reverse("marketplace:buy", args=[paid_app.slug, paid_app.plans.get().public_id])
    token = _token(client, url)

    # When the same form is posted twice
    with run_on_commit():
        first = client.post(url, {"card_number": CARD, "seats": "1", "submission_token": token})
    with run_on_commit():
        second = client.post(url, {"card_number": CARD, "seats": "1", "submission_token": token})

    # Then one order was charged, one licence bought, and both answers lead to the installed app
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("marketplace:installations")
    assert Order.objects.filter(buyer=buyer).count() == 1
    assert Purchase.objects.filter(buyer_id=buyer.pk).count() == 1
    assert Installation.objects.get(app=paid_app, user=buyer).status == "active"


def test_a_declined_card_releases_the_form_for_a_retry(client, paid_app, run_on_commit):
    # Given a buyer whose first card is declined
    buyer = UserFactory()
    client.force_login(buyer)
    url = reverse("marketplace:buy", args=[paid_app.slug, paid_app.plans.get().public_id])
    token = _token(client, url)
    refused = client.post(url, {"card_number": DECLINED, "seats": "1", "submission_token": token})

    # When the re-rendered form (same token) is sent again with a good card
    with run_on_commit():
        retried = client.post(url, {"card_number": CARD, "seats": "1", "submission_token": token})

    # Then the first answer is the form with the card's error, and the retry buys the licence once
    assert refused.status_code == 200
    assert "card_number" in refused.context["form"].errors
    assert f'value="{token}"' in refused.content.decode()
    assert retried.status_code == 302
    assert Purchase.objects.filter(buyer_id=buyer.pk).count() == 1


def test_the_buy_form_without_its_token_is_refused(client, paid_app):
    # Given a buyer posting a form without its submission token (an old page)
    buyer = UserFactory()
    client.force_login(buyer)
    url = reverse("marketplace:buy", args=[paid_app.slug, paid_app.plans.get().public_id])

    # When it is posted
    response = client.post(url, {"card_number": CARD, "seats": "1"})

    # Then nothing is bought and the form says why
    assert response.status_code == 200
    assert "This form expired; please submit it again." in response.context["form"].errors["submission_token"]
    assert not Order.objects.filter(buyer=buyer).exists()

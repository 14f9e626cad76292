"""The ticket cart's pay form buys once: a double click or a re-POST of the same rendered form charges once and
issues the tickets once; a declined card gives a fresh form that can be corrected."""

import re

import pytest
from django.test import Client

from growth.models import Ticket
from growth.services.tickets import hold_create
from revenue.models import Order
from tests.factories import UserFactory
from tests.growth.factories import ticketed_event
from tests.revenue.factories import assert_ledger_clean

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r'name="submission_token" value="([0-9a-f]{32})"')


@pytest.fixture
def buyer():
    user = UserFactory()
    _, _, ticket_type = ticketed_event(seats=10, price=5000)
    hold_create(buyer=user, ticket_type=ticket_type, quantity=2)
    client = Client()
    client.force_login(user)
    return user, client


def _pay(client, token, card="4242 4242 4242 4242"):
    return client.post("/community/tickets/cart/", {"card_number": card, "submission_token": token})


def test_paying_the_cart_twice_with_the_same_form_buys_once(buyer, django_capture_on_commit_callbacks):
    # given the rendered cart
    user, client = buyer
    token = TOKEN.search(client.get("/community/tickets/cart/").content.decode()).group(1)

    # when the pay form is posted twice
    with django_capture_on_commit_callbacks(execute=True):
        first = _pay(client, token)
        second = _pay(client, token)

    # then one order was paid, two tickets issued, and both posts land on the tickets page
    order = Order.objects.get(buyer=user)
    assert order.payments.count() == 1
    assert Ticket.objects.filter(holder=user).count() == 2
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == "/community/tickets/"
    assert_ledger_clean()


def test_a_declined_card_gives_a_fresh_form_and_a_repeat_does_not_charge_again(
    buyer, django_capture_on_commit_callbacks
):
    user, client = buyer
    token = TOKEN.search(client.get("/community/tickets/cart/").content.decode()).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        declined = _pay(client, token, card="4000 0000 0000 0002")
        repeated = _pay(client, token, card="4000 0000 0000 0002")
    assert declined.status_code == repeated.status_code == 200
    assert Order.objects.filter(buyer=user).count() == 1
    fresh = TOKEN.search(declined.content.decode()).group(1)
    assert fresh != token

    with django_capture_on_commit_callbacks(execute=True):
        paid = _pay(client, fresh)

    assert paid.status_code == 302
    assert Ticket.objects.filter(holder=user).count() == 2


def test_the_pay_form_without_its_token_is_refused_with_a_clear_error(buyer):
    user, client = buyer

    response = _pay(client, "")

    assert response.status_code == 200
    assert "This form expired; please submit it again." in response.content.decode()
    assert not Order.objects.filter(buyer=user).exists()

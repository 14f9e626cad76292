"""The portal's course purchase form pays once: a double click or a re-POST of the same rendered form charges the
card once and lands on the same page; a declined card gives a fresh form that can be corrected."""

import re

import pytest

from certification.models import Enrolment
from revenue.models import Order
from tests.revenue.factories import assert_ledger_clean

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r'name="submission_token" value="([0-9a-f]{32})"')


@pytest.fixture
def paid_course(catalog):
    course = catalog["course"]
    course.price_amount = 1500
    course.save()
    return course


def _buy(client, course, token, card="4242424242424242"):
    return client.post(f"/learn/courses/{course.slug}/buy/", {"card_number": card, "submission_token": token})


def test_submitting_the_buy_form_twice_pays_and_enrols_once(
    client, paid_course, learner, django_capture_on_commit_callbacks
):
    # given the rendered buy form
    client.force_login(learner)
    token = TOKEN.search(client.get(f"/learn/courses/{paid_course.slug}/buy/").content.decode()).group(1)

    # when it is submitted twice with the same token
    with django_capture_on_commit_callbacks(execute=True):
        first = _buy(client, paid_course, token)
        second = _buy(client, paid_course, token)

    # then one order was paid, one enrolment made, and both land on the course
    order = Order.objects.get(buyer=learner)
    assert order.payments.count() == 1
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    enrolment = Enrolment.objects.get(user=learner, course=paid_course)
    assert enrolment.order_id == str(order.public_id)
    assert_ledger_clean()


def test_a_declined_card_gives_a_fresh_form_and_a_repeat_does_not_charge_again(
    client, paid_course, learner, django_capture_on_commit_callbacks
):
    # given a form submitted with a card that is declined
    client.force_login(learner)
    token = TOKEN.search(client.get(f"/learn/courses/{paid_course.slug}/buy/").content.decode()).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        declined = _buy(client, paid_course, token, card="4000000000000002")
        repeated = _buy(client, paid_course, token, card="4000000000000002")
    assert declined.status_code == repeated.status_code == 200
    assert Order.objects.filter(buyer=learner).count() == 1  # the repeat showed the first result
    fresh = TOKEN.search(declined.content.decode()).group(1)
    assert fresh != token

    # when the corrected form (with its new token) is sent
    with django_capture_on_commit_callbacks(execute=True):
        corrected = _buy(client, paid_course, fresh)

    # then it pays and enrols
    assert corrected.status_code == 302
    assert Order.objects.filter(buyer=learner, state="paid").count() == 1
    assert Enrolment.objects.filter(user=learner, course=paid_course).exists()


def test_the_buy_form_without_its_token_is_refused_with_a_clear_error(client, paid_course, learner):
    client.force_login(learner)

    response = _buy(client, paid_course, "")

    assert response.status_code == 200
    assert "This form expired; please submit it again." in response.content.decode()
    assert not Order.objects.exists()

"""Free RSVPs: capacity, waitlist order, automatic promotion with email, cancellation."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from growth.exceptions import ValidationError
from growth.models import RSVP
from growth.selectors.events import waitlist_position
from growth.services.events import event_update
from growth.services.rsvps import rsvp_cancel, rsvp_create
from tests.factories import UserFactory
from tests.growth.factories import EventFactory, organiser_of

pytestmark = pytest.mark.django_db


def test_rsvps_beyond_capacity_wait_in_order_and_are_promoted_in_order(django_capture_on_commit_callbacks):
    event = EventFactory(capacity=2)
    now = timezone.now()
    a, b, c, d = UserFactory(), UserFactory(), UserFactory(), UserFactory()
    ra = rsvp_create(event=event, user=a, now=now)
    rsvp_create(event=event, user=b, now=now)
    rc = rsvp_create(event=event, user=c, now=now + timedelta(seconds=1))
    rd = rsvp_create(event=event, user=d, now=now + timedelta(seconds=2))
    assert [ra.state, rc.state, rd.state] == ["going", "waitlisted", "waitlisted"]
    assert waitlist_position(rc) == 1
    assert waitlist_position(rd) == 2
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        rsvp_cancel(rsvp=ra, actor=a)

    rc.refresh_from_db()
    rd.refresh_from_db()
    assert rc.state == "going"
    assert rc.promoted_at is not None
    assert rd.state == "waitlisted"
    assert waitlist_position(rd) == 1
    assert [m.to for m in mail.outbox] == [[c.email]]
    assert "You're in" in mail.outbox[0].subject
    assert RSVP.objects.filter(event=event, state="going").count() == 2


def test_cancelling_a_waitlist_place_promotes_nobody():
    event = EventFactory(capacity=1)
    first, second = UserFactory(), UserFactory()
    rsvp_create(event=event, user=first)
    waiting = rsvp_create(event=event, user=second)
    rsvp_cancel(rsvp=waiting, actor=second)
    assert RSVP.objects.get(user=first).state == "going"
    assert RSVP.objects.filter(state="going").count() == 1


def test_rsvp_again_after_cancelling_goes_to_the_back_of_the_queue():
    event = EventFactory(capacity=1)
    holder, early, late = UserFactory(), UserFactory(), UserFactory()
    rsvp_create(event=event, user=holder)
    early_rsvp = rsvp_create(event=event, user=early)
    rsvp_cancel(rsvp=early_rsvp, actor=early)
    rsvp_create(event=event, user=late, now=timezone.now() + timedelta(seconds=1))
    again = rsvp_create(event=event, user=early, now=timezone.now() + timedelta(seconds=2))
    assert waitlist_position(again) == 2


def test_raising_the_capacity_promotes_from_the_waitlist():
    event = EventFactory(capacity=1)
    organiser = organiser_of(event.chapter)
    users = [UserFactory() for _ in range(3)]
    for user in users:
        rsvp_create(event=event, user=user)
    event_update(event=event, actor=organiser, capacity=2)
    assert RSVP.objects.filter(event=event, state="going").count() == 2
    assert RSVP.objects.get(user=users[1]).state == "going"


def test_rsvp_is_refused_for_past_cancelled_and_ticketed_events():
    user = UserFactory()
    past = EventFactory(starts_at=timezone.now() - timedelta(days=2))
    with pytest.raises(ValidationError):
        rsvp_create(event=past, user=user)
    cancelled = EventFactory(state="cancelled")
    with pytest.raises(ValidationError):
        rsvp_create(event=cancelled, user=user)
    ticketed = EventFactory(is_ticketed=True)
    with pytest.raises(ValidationError):
        rsvp_create(event=ticketed, user=user)


def test_rsvp_is_idempotent():
    event = EventFactory(capacity=5)
    user = UserFactory()
    assert rsvp_create(event=event, user=user).pk == rsvp_create(event=event, user=user).pk

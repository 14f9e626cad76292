"""Organisers sell tickets for their events; reminders go out 24 h and 1 h before, once; cancellation emails."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from growth.exceptions import PermissionDenied, ValidationError
from growth.models import RSVP
from growth.services.events import event_cancel
from growth.services.reminders import reminders_send
from growth.services.rsvps import rsvp_create
from growth.services.ticket_types import ticket_type_create
from growth.services.tickets import hold_create
from tests.factories import UserFactory
from tests.growth.factories import EventFactory, organiser_of

pytestmark = pytest.mark.django_db


def test_organiser_puts_a_chapter_event_on_sale_with_a_shared_quota():
    event = EventFactory(capacity=None)
    organiser = organiser_of(event.chapter)
    regular = ticket_type_create(
        event=event, actor=organiser, name="Regular", price=1500, currency="eur", seats=2
    )
    student = ticket_type_create(
        event=event,
        actor=organiser,
        name="Student",
        price=500,
        currency="EUR",
        kind="student",
        quota=regular.quotas.get(),
    )
    event.refresh_from_db()
    assert event.is_ticketed
    hold_create(buyer=UserFactory(), ticket_type=regular)
    hold_create(buyer=UserFactory(), ticket_type=student)
    assert regular.quotas.get().used == 2
    with pytest.raises(ValidationError) as error:
        ticket_type_create(event=event, actor=organiser, name="Dollar", price=1, currency="USD", seats=1)
    assert error.value.field == "currency"
    with pytest.raises(PermissionDenied):
        ticket_type_create(event=event, actor=UserFactory(), name="x", price=1, currency="EUR", seats=1)


def test_an_event_with_free_rsvps_cannot_switch_to_tickets():
    event = EventFactory(capacity=10)
    organiser = organiser_of(event.chapter)
    rsvp_create(event=event, user=UserFactory())
    with pytest.raises(ValidationError):
        ticket_type_create(event=event, actor=organiser, name="Paid", price=100, currency="EUR", seats=5)


def test_ticket_types_through_portal_and_api():
    event = EventFactory(capacity=None)
    organiser = organiser_of(event.chapter)
    client = Client()
    client.force_login(organiser)
    client.post(
        f"/community/events/{event.slug}/ticket-types/",
        {"name": "Regular", "kind": "in_person", "price": "12.50", "currency": "EUR", "seats": 30},
    )
    assert event.ticket_types.get().price == 1250
    api = APIClient()
    api.force_authenticate(organiser)
    created = api.post(
        f"/api/v1/growth/events/{event.slug}/ticket-types/",
        {
            "name": "Student",
            "kind": "student",
            "price": 500,
            "currency": "EUR",
            "share_with": str(event.ticket_types.get().public_id),
        },
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["available"] == 30
    bad = api.post(
        f"/api/v1/growth/events/{event.slug}/ticket-types/",
        {"name": "X", "price": 1, "currency": "EUR"},
        format="json",
    )
    assert bad.status_code == 400
    assert "seats" in bad.json()["error"]["fields"]


def test_reminders_are_sent_24h_and_1h_before_once_each(django_capture_on_commit_callbacks):
    now = timezone.now()
    event = EventFactory(starts_at=now + timedelta(hours=20), ends_at=now + timedelta(hours=23), capacity=5)
    going, waiting = UserFactory(), UserFactory()
    rsvp_create(event=event, user=going)
    RSVP.objects.create(event=event, user=waiting, state="waitlisted", waitlisted_at=now)
    far = EventFactory(starts_at=now + timedelta(days=3), ends_at=now + timedelta(days=3, hours=2))
    rsvp_create(event=far, user=going)

    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(now=now) == 1
        assert reminders_send(now=now) == 0  # never twice
    assert mail.outbox[-1].to == [going.email]
    assert "24 hours" in mail.outbox[-1].subject
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(now=now + timedelta(hours=19, minutes=30)) == 1
    assert "1 hour" in mail.outbox[-1].subject


def test_cancelling_an_event_tells_everyone_with_an_rsvp(django_capture_on_commit_callbacks):
    event = EventFactory(capacity=1)
    organiser = organiser_of(event.chapter)
    people = [UserFactory(), UserFactory()]
    for person in people:
        rsvp_create(event=event, user=person)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event_cancel(event=event, actor=organiser)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    with pytest.raises(ValidationError):
        rsvp_create(event=event, user=UserFactory())

"""Times are stored in UTC, shown in the event's timezone and in the viewer's."""

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import UserFactory
from tests.growth.factories import EventFactory

pytestmark = pytest.mark.django_db


def test_event_page_shows_event_time_and_viewer_time(monkeypatch):
    starts = datetime(2030, 3, 5, 17, 30, tzinfo=UTC)
    event = EventFactory(timezone="Asia/Tokyo", starts_at=starts, ends_at=starts.replace(hour=20))
    viewer = UserFactory(timezone="America/New_York")
    client = Client()
    client.force_login(viewer)
    html = client.get(f"/community/events/{event.slug}/").content.decode()
    assert "Wed 06 Mar 2030, 02:30 JST" in html  # the event's timezone
    assert "Tue 05 Mar 2030, 12:30 EST" in html  # the viewer's
    assert event.starts_at.tzinfo is not None
    assert event.starts_at == starts


def test_anonymous_viewers_see_utc_next_to_the_event_time():
    starts = datetime(2030, 7, 1, 16, 0, tzinfo=UTC)
    event = EventFactory(timezone="Europe/Berlin", starts_at=starts, ends_at=starts.replace(hour=18))
    html = Client().get(f"/community/events/{event.slug}/").content.decode()
    assert "Mon 01 Jul 2030, 18:00 CEST" in html
    assert "16:00 UTC" in html


def test_event_form_takes_wall_clock_times_in_the_events_timezone():
    from growth.forms import EventForm

    form = EventForm(
        {
            "title": "x",
            "format": "in_person",
            "venue_address": "a",
            "timezone": "America/Sao_Paulo",
            "starts_at": "2030-01-10T19:00",
            "ends_at": "2030-01-10T21:00",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["starts_at"].astimezone(UTC) == datetime(2030, 1, 10, 22, 0, tzinfo=UTC)


def test_api_gives_utc_and_the_events_local_start():
    starts = datetime(2030, 7, 1, 16, 0, tzinfo=UTC)
    event = EventFactory(timezone="Europe/Berlin", starts_at=starts, ends_at=starts.replace(hour=18))
    body = Client().get(f"/api/v1/growth/events/{event.slug}/").json()
    assert body["starts_at"] == "2030-07-01T16:00:00Z"
    assert body["starts_at_local"] == "2030-07-01T18:00:00+02:00"
    assert timezone.is_aware(event.starts_at)

"""iCalendar (RFC 5545) files: one per event, a conference schedule, and each user's personal feed (events they
are going to plus their starred sessions). Times are written in UTC; calendar apps show them in local time."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from icalendar import Calendar
from icalendar import Event as VEvent

from growth.models import RSVP, Event, Session, SessionStar


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//NovaCron Community//growth//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    return cal


def _site() -> str:
    return getattr(settings, "SITE_URL", "http://localhost:8000").rstrip("/")


def _event_component(event: Event, *, show_location: bool) -> VEvent:
    item = VEvent()
    item.add("uid", f"event-{event.public_id}@novacron")
    item.add("summary", event.title)
    item.add("dtstart", event.starts_at)
    item.add("dtend", event.ends_at)
    item.add("dtstamp", event.created_at)
    item.add("url", f"{_site()}/community/events/{event.slug}/")
    item.add("description", event.description[:2000])
    if event.state == Event.State.CANCELLED:
        item.add("status", "CANCELLED")
    if show_location:
        item.add("location", event.venue_address or event.stream_url)
    return item


def _session_component(session: Session) -> VEvent:
    item = VEvent()
    item.add("uid", f"session-{session.public_id}@novacron")
    item.add("summary", session.title)
    item.add("dtstart", session.starts_at)
    item.add("dtend", session.ends_at)
    item.add("dtstamp", session.starts_at)
    item.add("location", session.room.name)
    return item


def event_ics(event: Event, *, show_location: bool) -> bytes:
    cal = _calendar(event.title)
    cal.add_component(_event_component(event, show_location=show_location))
    return cal.to_ical()


def sessions_ics(name: str, sessions: Iterable[Session]) -> bytes:
    cal = _calendar(name)
    for session in sessions:
        cal.add_component(_session_component(session))
    return cal.to_ical()


def personal_ics(user: Any) -> bytes:
    cal = _calendar("My NovaCron events")
    going = RSVP.objects.filter(user=user, state=RSVP.State.GOING).select_related("event")
    for rsvp in going.order_by("event__starts_at"):
        cal.add_component(_event_component(rsvp.event, show_location=True))
    stars = (
        SessionStar.objects.filter(user=user).select_related("session__room").order_by("session__starts_at")
    )
    for star in stars:
        cal.add_component(_session_component(star.session))
    return cal.to_ical()

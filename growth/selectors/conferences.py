"""The conferences list (portal page /community/conferences/ and GET /api/v1/growth/conferences/)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from growth.models import Conference, Event

UPCOMING, PAST = "upcoming", "past"


def listed_conferences(*, when: str = "", now: datetime | None = None) -> QuerySet[Conference]:
    """Conferences whose event is published or cancelled (drafts stay hidden). `when`: "upcoming" (not yet
    ended, soonest first), "past" (ended, latest first) or "" for all in date order."""
    now = now or timezone.now()
    qs = Conference.objects.select_related("event__chapter").exclude(event__state=Event.State.DRAFT)
    if when == UPCOMING:
        return qs.filter(event__ends_at__gt=now).order_by("event__starts_at", "pk")
    if when == PAST:
        return qs.filter(event__ends_at__lte=now).order_by("-event__starts_at", "-pk")
    return qs.order_by("event__starts_at", "pk")


def conference_location(conference: Conference) -> str:
    """Where it happens, as far as anyone may know: the venue's name and the chapter's city (the street
    address is for confirmed attendees only), or "Online" for a virtual conference."""
    event = conference.event
    if event.format == Event.Format.VIRTUAL:
        return "Online"
    chapter = event.chapter
    parts = [event.venue_name, f"{chapter.city}, {chapter.country}" if chapter else ""]
    return " · ".join(part for part in parts if part)


@dataclass(frozen=True)
class ConferenceLists:
    upcoming: list[Conference]
    past: list[Conference]


def conference_lists(*, now: datetime | None = None) -> ConferenceLists:
    now = now or timezone.now()
    return ConferenceLists(
        upcoming=list(listed_conferences(when=UPCOMING, now=now)),
        past=list(listed_conferences(when=PAST, now=now)),
    )

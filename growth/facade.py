"""The only module other apps may import from `growth` (enforced by import-linter).

Contract
--------
- Functions take ids and plain values and return frozen dataclasses of plain values; reads never raise for
  "not found" (they return None or an empty list).
- Selling: tickets are sold through revenue as the item type "growth.ticket" (registered in GrowthConfig.ready);
  its item id is a cart hold's public id, never a ticket type, so capacity is always reserved before a price is
  quoted. Other apps never create holds or tickets directly.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from growth.models import RSVP, Chapter, ChapterMember, Ticket
from growth.services.tickets import ITEM_TYPE as TICKET_ITEM_TYPE

__all__ = [
    "TICKET_ITEM_TYPE",
    "ChapterSummary",
    "EventSummary",
    "chapter_count",
    "chapters_of_user",
    "upcoming_events_of_user",
    "user_attended",
]


@dataclass(frozen=True)
class EventSummary:
    public_id: uuid.UUID
    slug: str
    title: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    state: str  # the user's RSVP state: "going" or "waitlisted"
    url: str


@dataclass(frozen=True)
class ChapterSummary:
    public_id: uuid.UUID
    slug: str
    name: str
    city: str
    country: str
    url: str


def upcoming_events_of_user(user_id: int, *, limit: int = 10) -> list[EventSummary]:
    """Published events not yet over that the user is going to or waitlisted for, soonest first."""
    rsvps = (
        RSVP.objects.filter(
            user_id=user_id,
            state__in=["going", "waitlisted"],
            event__state="published",
            event__ends_at__gt=timezone.now(),
        )
        .select_related("event")
        .order_by("event__starts_at")[:limit]
    )
    return [
        EventSummary(
            public_id=r.event.public_id,
            slug=r.event.slug,
            title=r.event.title,
            starts_at=r.event.starts_at,
            ends_at=r.event.ends_at,
            timezone=r.event.timezone,
            state=r.state,
            url=f"/community/events/{r.event.slug}/",
        )
        for r in rsvps
    ]


def chapters_of_user(user_id: int) -> list[ChapterSummary]:
    """The chapters the user is a member of, by name."""
    members = (
        ChapterMember.objects.filter(user_id=user_id).select_related("chapter").order_by("chapter__name")
    )
    return [
        ChapterSummary(
            public_id=m.chapter.public_id,
            slug=m.chapter.slug,
            name=m.chapter.name,
            city=m.chapter.city,
            country=m.chapter.country,
            url=f"/community/chapters/{m.chapter.slug}/",
        )
        for m in members
    ]


def user_attended(user_id: int, event_slug: str) -> bool:
    """True if the user was checked in at the event (a scanned ticket or a checked-in RSVP), e.g. for badges."""
    if Ticket.objects.filter(holder_id=user_id, event__slug=event_slug, checked_in_at__isnull=False).exists():
        return True
    return RSVP.objects.filter(user_id=user_id, event__slug=event_slug, checked_in_at__isnull=False).exists()


def chapter_count() -> int:
    return Chapter.objects.filter(is_active=True).count()

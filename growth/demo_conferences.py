"""Demo data for the conferences list: last year's Summit, so /community/conferences/ has a past part too."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from growth.models import Conference, Event, Track
from growth.timezones import in_zone

PAST_SUMMIT = "novacron-summit-2026"


def past_summit(now: datetime, staff: Any) -> Conference:
    tz = "Europe/Lisbon"
    start = in_zone(now - timedelta(days=245), tz).replace(hour=9, minute=0, second=0, microsecond=0)
    event, _ = Event.objects.get_or_create(
        slug=PAST_SUMMIT,
        defaults={
            "title": "NovaCron Summit 2026",
            "format": Event.Format.HYBRID,
            "timezone": tz,
            "description": "Last year's Summit: two days of talks and workshops in Lisbon and online.",
            "venue_name": "Centro de Congressos de Lisboa",
            "venue_address": "Praça das Indústrias 1, 1300-307 Lisboa",
            "stream_url": "https://stream.novacron.dev/summit-2026",
            "starts_at": start,
            "ends_at": start + timedelta(days=1, hours=9),
            "created_by": staff,
        },
    )
    conference, _ = Conference.objects.get_or_create(
        slug="summit-2026",
        defaults={
            "name": "NovaCron Summit 2026",
            "event": event,
            "cfp_opens_at": start - timedelta(days=180),
            "cfp_closes_at": start - timedelta(days=90),
            "cfp_intro": "The call for papers is closed; the recordings are on the room pages.",
        },
    )
    if staff is not None:
        conference.organisers.add(staff)
    for name in ("Platform", "Operations"):
        Track.objects.get_or_create(conference=conference, name=name)
    return conference

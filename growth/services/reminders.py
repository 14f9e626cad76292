"""Reminders 24 hours and 1 hour before an event, to everyone going. Each is sent once: the RSVP row records it
(a conditional update claims the reminder, so two sweeps running at once never both send)."""

from __future__ import annotations

from datetime import datetime, timedelta

from growth import notifications
from growth.models import RSVP, Event

WINDOWS = (
    ("reminded_24h_at", timedelta(hours=24), "24 hours"),
    ("reminded_1h_at", timedelta(hours=1), "1 hour"),
)


def reminders_send(*, now: datetime) -> int:
    sent = 0
    for field, ahead, label in WINDOWS:
        due = RSVP.objects.select_related("event", "user").filter(
            state=RSVP.State.GOING,
            event__state=Event.State.PUBLISHED,
            event__starts_at__gt=now,
            event__starts_at__lte=now + ahead,
            **{f"{field}__isnull": True},
        )
        for rsvp in due.order_by("pk")[:5000]:
            if field == "reminded_24h_at" and rsvp.event.starts_at <= now + timedelta(hours=1):
                # Joined in the last hour: the 1-hour reminder is the one that matters.
                RSVP.objects.filter(pk=rsvp.pk).update(reminded_24h_at=now)
                continue
            if RSVP.objects.filter(pk=rsvp.pk, **{f"{field}__isnull": True}).update(**{field: now}):
                notifications.event_reminder(rsvp.user, rsvp.event, label)
                sent += 1
    return sent

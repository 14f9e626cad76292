"""Creating, changing and cancelling events."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from growth import notifications
from growth.exceptions import PermissionDenied, ValidationError
from growth.models import RSVP, Chapter, Event
from growth.permissions import can_manage_chapter, is_community_staff
from novacron.core.services.audit import audit_record


def unique_slug(model: Any, text: str, *, max_length: int = 90) -> str:
    base = slugify(text)[:max_length] or "item"
    slug, n = base, 2
    while model.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def _validate(values: dict[str, Any]) -> None:
    try:
        zoneinfo.ZoneInfo(values.get("timezone") or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError("Choose a known timezone such as Europe/Berlin.", field="timezone") from exc
    if values["ends_at"] <= values["starts_at"]:
        raise ValidationError("The event must end after it starts.", field="ends_at")
    fmt = values.get("format", Event.Format.IN_PERSON)
    if fmt in (Event.Format.VIRTUAL, Event.Format.HYBRID) and not values.get("stream_url"):
        raise ValidationError("Virtual and hybrid events need a stream link.", field="stream_url")
    if fmt in (Event.Format.IN_PERSON, Event.Format.HYBRID) and not values.get("venue_address"):
        raise ValidationError("In-person and hybrid events need a venue address.", field="venue_address")


EDITABLE = (
    "title",
    "description",
    "format",
    "venue_name",
    "venue_address",
    "stream_url",
    "timezone",
    "starts_at",
    "ends_at",
    "capacity",
    "offer_hours",
    "is_ticketed",
)


def event_create(*, actor: Any, chapter: Chapter | None, **values: Any) -> Event:
    """A chapter event (by its organisers) or a platform event (chapter=None; community staff only)."""
    if chapter is None and not is_community_staff(actor):
        raise PermissionDenied("Only community staff create platform events.")
    if chapter is not None and not can_manage_chapter(actor, chapter.pk):
        raise PermissionDenied("Only this chapter's organisers create its events.")
    values = {k: v for k, v in values.items() if k in EDITABLE}
    _validate(values)
    with transaction.atomic():
        event = Event.objects.create(
            chapter=chapter, created_by=actor, slug=unique_slug(Event, values["title"]), **values
        )
        audit_record(actor=actor, action="growth.event_create", obj=event)
    return event


def event_update(*, event: Event, actor: Any, **values: Any) -> Event:
    changes = {k: v for k, v in values.items() if k in EDITABLE}
    merged = {name: getattr(event, name) for name in EDITABLE} | changes
    _validate(merged)
    from growth.services.rsvps import event_set_capacity

    with transaction.atomic():
        capacity_changed = "capacity" in changes and changes["capacity"] != event.capacity
        for name, value in changes.items():
            if name != "capacity":
                setattr(event, name, value)
        event.save()
        if capacity_changed:
            event_set_capacity(event=event, capacity=changes["capacity"], actor=actor)
        audit_record(
            actor=actor,
            action="growth.event_update",
            obj=event,
            after={k: str(v) for k, v in changes.items()},
        )
    event.refresh_from_db()
    return event


def event_cancel(*, event: Event, actor: Any, now: datetime | None = None) -> Event:
    """Cancel and tell everyone with an RSVP. Ticket refunds are issued by finance from revenue's tools."""
    now = now or timezone.now()
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        if event.state == Event.State.CANCELLED:
            return event
        event.state = Event.State.CANCELLED
        event.cancelled_at = now
        event.save(update_fields=["state", "cancelled_at"])
        emails = (
            RSVP.objects.filter(event=event)
            .exclude(state=RSVP.State.CANCELLED)
            .values_list("user__email", flat=True)
        )
        notifications.event_cancelled(list(emails), event)
        audit_record(actor=actor, action="growth.event_cancel", obj=event)
    return event

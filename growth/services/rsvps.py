"""Free RSVPs with a capacity and an automatic waitlist.

The event row is the lock: every change that takes or frees a seat locks it first (`select_for_update`), counts
the `going` RSVPs and only then writes, so the capacity is never exceeded. When a seat frees, the oldest
waitlisted RSVP (by `waitlisted_at`, then pk) is promoted in the same transaction and emailed after commit.
Ticketed events take seats through tickets instead (growth.services.tickets)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from growth import notifications
from growth.exceptions import ValidationError
from growth.models import RSVP, Event
from novacron.core.services.audit import audit_record


def _lock(event: Event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


def _going(event: Event) -> int:
    return RSVP.objects.filter(event=event, state=RSVP.State.GOING).count()


def rsvp_create(*, event: Event, user: Any, now: datetime | None = None) -> RSVP:
    """RSVP to a free event: `going` while seats last, else `waitlisted`. Idempotent for an active RSVP."""
    now = now or timezone.now()
    if event.is_ticketed:
        raise ValidationError("This event sells tickets; get one on the event page.", field="event")
    with transaction.atomic():
        event = _lock(event)
        if event.state != Event.State.PUBLISHED:
            raise ValidationError("This event is not open for RSVPs.", field="event")
        if event.ends_at <= now:
            raise ValidationError("This event is over.", field="event")
        rsvp = RSVP.objects.filter(event=event, user=user).first()
        if rsvp is not None and rsvp.state != RSVP.State.CANCELLED:
            return rsvp
        full = event.capacity is not None and _going(event) >= event.capacity
        state = RSVP.State.WAITLISTED if full else RSVP.State.GOING
        values = {
            "state": state,
            "waitlisted_at": now if full else None,
            "cancelled_at": None,
            "promoted_at": None,
        }
        if rsvp is None:
            rsvp = RSVP.objects.create(event=event, user=user, **values)
        else:
            for name, value in values.items():
                setattr(rsvp, name, value)
            rsvp.save()
    return rsvp


def rsvp_cancel(*, rsvp: RSVP, actor: Any, now: datetime | None = None) -> RSVP:
    """Give up a seat or a waitlist place. A freed seat goes to the next person on the waitlist at once."""
    now = now or timezone.now()
    if actor.pk != rsvp.user_id:
        raise ValidationError("You can only cancel your own RSVP.")
    if rsvp.event.is_ticketed and rsvp.state == RSVP.State.GOING:
        raise ValidationError("Ticket holders cancel by asking for a refund of the ticket.")
    with transaction.atomic():
        event = _lock(rsvp.event)
        rsvp = RSVP.objects.select_for_update().get(pk=rsvp.pk)
        if rsvp.state == RSVP.State.CANCELLED:
            return rsvp
        was_going = rsvp.state == RSVP.State.GOING
        rsvp.state = RSVP.State.CANCELLED
        rsvp.cancelled_at = now
        rsvp.save(update_fields=["state", "cancelled_at"])
        if was_going:
            waitlist_promote(event=event, now=now)
    return rsvp


def waitlist_promote(*, event: Event, now: datetime) -> list[RSVP]:
    """With the event locked: promote waitlisted RSVPs in order while seats are free."""
    promoted = []
    free = None if event.capacity is None else event.capacity - _going(event)
    queue = RSVP.objects.select_related("user").filter(event=event, state=RSVP.State.WAITLISTED)
    for rsvp in queue.order_by("waitlisted_at", "pk"):
        if free is not None and free <= 0:
            break
        rsvp.state = RSVP.State.GOING
        rsvp.promoted_at = now
        rsvp.save(update_fields=["state", "promoted_at"])
        notifications.rsvp_promoted(rsvp.user, event)
        promoted.append(rsvp)
        if free is not None:
            free -= 1
    return promoted


def event_set_capacity(*, event: Event, capacity: int | None, actor: Any) -> Event:
    """Raise (or lower) the capacity; raising it promotes from the waitlist. Seats already given stay given."""
    with transaction.atomic():
        event = _lock(event)
        before = event.capacity
        event.capacity = capacity
        event.save(update_fields=["capacity"])
        audit_record(
            actor=actor,
            action="growth.event_capacity",
            obj=event,
            before={"capacity": before},
            after={"capacity": capacity},
        )
        waitlist_promote(event=event, now=timezone.now())
    return event


def rsvp_check_in(*, rsvp: RSVP, actor: Any, now: datetime | None = None) -> tuple[RSVP, bool]:
    """Mark attendance at a free event; returns (rsvp, duplicate)."""
    now = now or timezone.now()
    with transaction.atomic():
        rsvp = RSVP.objects.select_for_update().get(pk=rsvp.pk)
        if rsvp.state != RSVP.State.GOING:
            raise ValidationError("Only confirmed attendees can be checked in.")
        if rsvp.checked_in_at:
            return rsvp, True
        rsvp.checked_in_at = now
        rsvp.save(update_fields=["checked_in_at"])
    return rsvp, False

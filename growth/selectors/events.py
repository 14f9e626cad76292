"""Reads shared by the portal and the API."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from growth.models import RSVP, Chapter, Event, Ticket, TicketHold, TicketType
from growth.models.tickets import seats_left


def chapters(*, q: str = "", country: str = "", region: str = "") -> QuerySet[Chapter]:
    qs = Chapter.objects.filter(is_active=True).annotate(member_count=Count("members", distinct=True))
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(city__icontains=q) | Q(description__icontains=q))
    if country:
        qs = qs.filter(country=country.upper())
    if region:
        qs = qs.filter(region=region)
    return qs.order_by("country", "city", "name")


def upcoming_events(*, chapter: Chapter | None = None, platform_only: bool = False) -> QuerySet[Event]:
    qs = Event.objects.filter(state=Event.State.PUBLISHED, ends_at__gt=timezone.now()).select_related(
        "chapter"
    )
    if chapter is not None:
        qs = qs.filter(chapter=chapter)
    if platform_only:
        qs = qs.filter(chapter__isnull=True)
    return qs.order_by("starts_at", "pk")


def event_counts(event: Event) -> dict[str, int]:
    counts = dict(
        RSVP.objects.filter(event=event)
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    return {"going": counts.get("going", 0), "waitlisted": counts.get("waitlisted", 0)}


def rsvp_of(event: Event, user: Any) -> RSVP | None:
    if not (user and user.is_authenticated):
        return None
    return RSVP.objects.filter(event=event, user=user).first()


def waitlist_position(rsvp: RSVP) -> int | None:
    if rsvp.state != RSVP.State.WAITLISTED:
        return None
    return (
        RSVP.objects.filter(event_id=rsvp.event_id, state=RSVP.State.WAITLISTED)
        .filter(Q(waitlisted_at__lt=rsvp.waitlisted_at) | Q(waitlisted_at=rsvp.waitlisted_at, pk__lt=rsvp.pk))
        .count()
        + 1
    )


def ticket_types_with_availability(event: Event) -> list[dict[str, Any]]:
    """Each active type with the seats left: the smallest availability of its quotas."""
    types = event.ticket_types.filter(is_active=True).prefetch_related("quotas")
    result = []
    for ticket_type in types:
        available = seats_left(ticket_type.quotas.all())
        result.append({"type": ticket_type, "available": available, "sold_out": available <= 0})
    return result


def cart(user: Any) -> QuerySet[TicketHold]:
    return (
        TicketHold.objects.filter(buyer=user, state=TicketHold.State.ACTIVE, expires_at__gt=timezone.now())
        .select_related("event", "ticket_type")
        .order_by("expires_at")
    )


def my_tickets(user: Any) -> QuerySet[Ticket]:
    return (
        Ticket.objects.filter(holder=user)
        .select_related("event", "ticket_type")
        .order_by("event__starts_at", "pk")
    )


def sold_count(ticket_type: TicketType) -> int:
    return Ticket.objects.filter(ticket_type=ticket_type, state=Ticket.State.VALID).count()


def checked_in_count(event: Event) -> int:
    """People checked in at the door: ticket holders, plus RSVPs for a free (unticketed) event."""
    tickets = Ticket.objects.filter(event=event, checked_in_at__isnull=False).count()
    if event.is_ticketed:
        return tickets
    return tickets + RSVP.objects.filter(event=event, checked_in_at__isnull=False).count()

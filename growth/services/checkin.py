"""Check-in at the door: scan a badge's QR code (the ticket secret) or pick the ticket found by search.
Every scan is logged; a second scan of a checked-in ticket is a `duplicate`, shown to staff with the first
scan's time, and never checks in twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from growth.exceptions import NotFound, PermissionDenied, ValidationError
from growth.models import RSVP, CheckIn, Event, Ticket
from growth.permissions import can_manage_event


@dataclass(frozen=True)
class ScanResult:
    status: str  # "ok", "duplicate"
    ticket: Ticket
    first_checked_in_at: datetime


def ticket_check_in(
    *,
    event: Event,
    actor: Any,
    secret: str = "",
    ticket_id: str = "",
    gate: str = "",
    now: datetime | None = None,
) -> ScanResult:
    now = now or timezone.now()
    if not can_manage_event(actor, event):
        raise PermissionDenied("Only this event's staff check people in.")
    lookup = {"secret": secret.strip()} if secret.strip() else {"public_id": ticket_id} if ticket_id else None
    if lookup is None:
        raise ValidationError("Scan a code or choose a ticket.", field="secret")
    try:
        with transaction.atomic():
            ticket = (
                Ticket.objects.select_for_update(of=("self",))
                .select_related("ticket_type", "holder")
                .get(event=event, **lookup)
            )
            if ticket.state != Ticket.State.VALID:
                raise ValidationError(
                    "This ticket was refunded and is void.", field="secret", code="ticket_void"
                )
            duplicate = ticket.checked_in_at is not None
            CheckIn.objects.create(
                ticket=ticket, scanned_by=actor, gate=gate[:60], duplicate=duplicate, scanned_at=now
            )
            if not duplicate:
                ticket.checked_in_at = now
                ticket.save(update_fields=["checked_in_at"])
                RSVP.objects.filter(event=event, user_id=ticket.holder_id, checked_in_at__isnull=True).update(
                    checked_in_at=now
                )
    except (Ticket.DoesNotExist, ValueError) as exc:
        raise NotFound("No ticket for this event matches this code.", field="secret") from exc
    return ScanResult("duplicate" if duplicate else "ok", ticket, ticket.checked_in_at)


def tickets_search(*, event: Event, query: str, limit: int = 20) -> list[Ticket]:
    from django.db.models import Q

    query = query.strip()
    if len(query) < 2:
        return []
    return list(
        Ticket.objects.select_related("ticket_type", "holder")
        .filter(event=event)
        .filter(Q(attendee_name__icontains=query) | Q(holder__email__icontains=query))
        .order_by("attendee_name", "pk")[:limit]
    )

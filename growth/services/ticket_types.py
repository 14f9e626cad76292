"""Organisers put seats on sale: ticket types with a price, on a new quota or sharing an existing one."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from growth.exceptions import PermissionDenied, ValidationError
from growth.models import RSVP, Event, Quota, TicketType
from growth.permissions import can_manage_event
from novacron.core.money import SUPPORTED_CURRENCIES
from novacron.core.services.audit import audit_record


def ticket_type_create(
    *,
    event: Event,
    actor: Any,
    name: str,
    price: int,
    currency: str,
    kind: str = TicketType.Kind.IN_PERSON,
    seats: int | None = None,
    quota: Quota | None = None,
    max_per_order: int = 10,
) -> TicketType:
    """`seats`: a new quota of that size for this type; `quota`: share an existing quota of the event instead
    (e.g. student tickets counted against the venue). An event with free RSVPs cannot switch to tickets."""
    if not can_manage_event(actor, event):
        raise PermissionDenied("Only this event's organisers sell its tickets.")
    if not name.strip():
        raise ValidationError("Name the ticket type.", field="name")
    if kind not in TicketType.Kind.values:
        raise ValidationError("Choose in person, virtual, workshop or student.", field="kind")
    currency = (currency or "").upper()
    if currency not in SUPPORTED_CURRENCIES:
        raise ValidationError("Choose a supported currency.", field="currency")
    if isinstance(price, bool) or not isinstance(price, int) or price < 0:
        raise ValidationError("The price is a whole number of minor units, 0 or more.", field="price")
    if (seats is None) == (quota is None):
        raise ValidationError("Give the number of seats, or share an existing quota.", field="seats")
    if seats is not None and seats < 1:
        raise ValidationError("At least one seat.", field="seats")
    if quota is not None and quota.event_id != event.pk:
        raise ValidationError("Choose a quota of this event.", field="quota")
    if not 1 <= max_per_order <= 50:
        raise ValidationError("From 1 to 50 per order.", field="max_per_order")
    existing = event.ticket_types.exclude(currency=currency).first()
    if existing is not None:
        raise ValidationError(f"This event sells in {existing.currency}.", field="currency")
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        if not event.is_ticketed:
            if RSVP.objects.filter(event=event, state__in=["going", "waitlisted"]).exists():
                raise ValidationError(
                    "People have already RSVPed for free: create a new event to sell tickets.", field="event"
                )
            event.is_ticketed = True
            event.save(update_fields=["is_ticketed"])
        if quota is None:
            quota = Quota.objects.create(event=event, name=name.strip()[:100], size=seats)
        ticket_type = TicketType.objects.create(
            event=event,
            name=name.strip()[:100],
            kind=kind,
            price=price,
            currency=currency,
            max_per_order=max_per_order,
            position=event.ticket_types.count(),
        )
        ticket_type.quotas.add(quota)
        audit_record(
            actor=actor,
            action="growth.ticket_type_create",
            obj=ticket_type,
            after={"price": price, "currency": currency, "quota": quota.pk},
        )
    return ticket_type

"""Sponsor lead capture: booth staff scan an attendee's badge; only attendees who consented become leads."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.db import transaction

from growth.exceptions import NotFound, PermissionDenied
from growth.models import Lead, Sponsor, Ticket
from growth.permissions import can_manage_conference, sponsor_staff


def lead_capture(*, sponsor: Sponsor, actor: Any, secret: str, notes: str = "") -> tuple[Lead, bool]:
    """Returns (lead, created). Refused (403) when the attendee has not consented to share their details."""
    if not sponsor_staff(actor, sponsor):
        raise PermissionDenied("Only this sponsor's staff capture its leads.")
    ticket = (
        Ticket.objects.select_related("holder")
        .filter(event_id=sponsor.conference.event_id, secret=secret.strip(), state=Ticket.State.VALID)
        .first()
    )
    if ticket is None:
        raise NotFound("No valid ticket for this conference matches this code.", field="secret")
    if not ticket.lead_consent:
        raise PermissionDenied(
            "This attendee has not agreed to share their details with sponsors.", code="no_consent"
        )
    with transaction.atomic():
        lead, created = Lead.objects.get_or_create(
            sponsor=sponsor, ticket=ticket, defaults={"captured_by": actor, "notes": notes}
        )
        if not created and notes:
            lead.notes = f"{lead.notes}\n{notes}".strip()
            lead.save(update_fields=["notes"])
    return lead, created


def can_see_leads(user: Any, sponsor: Sponsor) -> bool:
    return sponsor_staff(user, sponsor) or can_manage_conference(user, sponsor.conference)


def leads_csv(*, sponsor: Sponsor, actor: Any) -> str:
    """The sponsor's leads; consent withdrawn after the scan removes the attendee from the export."""
    if not can_see_leads(actor, sponsor):
        raise PermissionDenied("Only this sponsor's staff export its leads.")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "email", "ticket_type", "captured_at", "notes"])
    for lead in sponsor.leads.select_related("ticket__holder", "ticket__ticket_type").filter(
        ticket__lead_consent=True
    ):
        writer.writerow(
            [
                lead.ticket.attendee_name,
                lead.ticket.holder.email,
                lead.ticket.ticket_type.name,
                lead.captured_at.isoformat(),
                lead.notes,
            ]
        )
    return out.getvalue()

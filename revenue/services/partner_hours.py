"""Services marketplace: hours logged on time-and-materials milestones. The partner logs them while the milestone
is funded, never beyond its estimated hours; the buyer approves or rejects each entry until the milestone is
accepted, when the hours still awaiting a decision count as approved (see partner_milestones: what the approved
hours do not use is refunded). Lock order as in partner_milestones: the milestone row before its entries.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from novacron.core.exceptions import ValidationError
from novacron.core.services.audit import audit_record
from revenue.exceptions import InvalidState
from revenue.models import Pricing, ServiceMilestone, ServiceTimeEntry
from revenue.services.partner_quotes import require_buyer, require_partner


def _hours(milestone: ServiceMilestone, *states: str) -> Decimal:
    total = milestone.time_entries.filter(state__in=states).aggregate(total=Sum("hours"))["total"]
    return total or Decimal(0)


def time_entry_log(
    *, milestone: ServiceMilestone, actor: Any, work_date: date, hours: Decimal, description: str
) -> ServiceTimeEntry:
    """The partner logs hours on a funded T&M milestone, up to its estimated hours."""
    require_partner(milestone.quote.request, actor)
    if milestone.quote.pricing != Pricing.TIME_AND_MATERIALS:
        raise InvalidState(
            "Hours are logged on time-and-materials milestones only.", code="not_time_and_materials"
        )
    if not isinstance(hours, Decimal) or not Decimal("0.25") <= hours <= Decimal("24"):
        raise ValidationError("Log 0.25 to 24 hours per entry.", field="hours")
    if hours != hours.quantize(Decimal("0.01")):
        raise ValidationError("Log hours to two decimals at most.", field="hours")
    description = (description or "").strip()
    if not description:
        raise ValidationError("Say what the hours were spent on.", field="description")
    with transaction.atomic():
        milestone = ServiceMilestone.objects.select_for_update().get(pk=milestone.pk)
        if milestone.state != ServiceMilestone.State.FUNDED:
            raise InvalidState("Hours can be logged while a milestone is funded and not yet delivered.")
        used = _hours(milestone, ServiceTimeEntry.State.LOGGED, ServiceTimeEntry.State.APPROVED)
        if used + hours > milestone.estimated_hours:
            raise ValidationError(
                f"That passes the milestone's {milestone.estimated_hours} estimated hours ({used} logged); "
                "agree a new milestone with the buyer for more.",
                field="hours",
            )
        return ServiceTimeEntry.objects.create(
            milestone=milestone,
            work_date=work_date,
            hours=hours,
            description=description[:255],
            logged_by=actor,
        )


def time_entry_decide(
    *, entry: ServiceTimeEntry, actor: Any, approve: bool, now: datetime | None = None
) -> ServiceTimeEntry:
    """The buyer approves or rejects logged hours (before the milestone is accepted)."""
    require_buyer(entry.milestone.quote.request, actor)
    with transaction.atomic():
        milestone = ServiceMilestone.objects.select_for_update().get(pk=entry.milestone_id)
        entry = ServiceTimeEntry.objects.select_for_update().get(pk=entry.pk)
        if milestone.state not in (ServiceMilestone.State.FUNDED, ServiceMilestone.State.DELIVERED):
            raise InvalidState("This milestone's hours are settled.")
        if entry.state != ServiceTimeEntry.State.LOGGED:
            raise InvalidState(f"These hours are already {entry.get_state_display().lower()}.")
        entry.state = ServiceTimeEntry.State.APPROVED if approve else ServiceTimeEntry.State.REJECTED
        entry.decided_at = now or timezone.now()
        entry.save(update_fields=["state", "decided_at"])
        audit_record(
            actor=actor,
            action="revenue.service_hours_decide",
            obj=milestone,
            after={"entry": entry.pk, "hours": str(entry.hours), "state": entry.state},
        )
    return entry


def approved_hours(*, milestone: ServiceMilestone, now: datetime) -> Decimal:
    """At acceptance (caller holds the milestone's lock): approve what still awaits a decision, return the total."""
    milestone.time_entries.filter(state=ServiceTimeEntry.State.LOGGED).update(
        state=ServiceTimeEntry.State.APPROVED, decided_at=now
    )
    return _hours(milestone, ServiceTimeEntry.State.APPROVED)

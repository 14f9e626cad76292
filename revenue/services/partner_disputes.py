"""Services marketplace: disputes on a milestone.

The buyer opens a dispute on a funded or delivered milestone (its funds stay in escrow and the auto-accept clock
stops). Finance staff resolve it with notes: release everything to the partner, refund everything to the buyer,
or split (a gross amount refunded, the rest released). Refunds go through the revenue core
(`refunds.refund_create`, a partial refund of the milestone's own order, keyed per dispute); the release through
`escrow.escrow_release_line`. Lock order: service request → milestone → dispute → the revenue core's rows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from novacron.core.exceptions import PermissionDenied, ValidationError
from novacron.core.money import Money
from novacron.core.services.audit import audit_record
from revenue.exceptions import InvalidState
from revenue.models import Order, OrderLine, ServiceDispute, ServiceMilestone, ServiceRequest
from revenue.services.partner_milestones import settle_milestone
from revenue.services.partner_quotes import require_buyer
from revenue.services.payments import FINANCE_PERMISSION

OPENABLE = (ServiceMilestone.State.FUNDED, ServiceMilestone.State.DELIVERED)


def milestone_dispute_open(*, milestone: ServiceMilestone, actor: Any, reason: str) -> ServiceDispute:
    require_buyer(milestone.quote.request, actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say what went wrong.", field="reason")
    try:
        with transaction.atomic():
            ServiceRequest.objects.select_for_update().get(pk=milestone.quote.request_id)
            milestone = ServiceMilestone.objects.select_for_update().get(pk=milestone.pk)
            if milestone.state not in OPENABLE:
                raise InvalidState(
                    f"A {milestone.get_state_display().lower()} milestone cannot be disputed.",
                    code="milestone_not_disputable",
                )
            dispute = ServiceDispute.objects.create(milestone=milestone, opened_by=actor, reason=reason)
            milestone.state = ServiceMilestone.State.DISPUTED
            milestone.auto_accept_at = None
            milestone.save(update_fields=["state", "auto_accept_at", "updated_at"])
            audit_record(
                actor=actor, action="revenue.service_dispute_open", obj=dispute, after={"reason": reason}
            )
    except IntegrityError as exc:
        raise InvalidState("This milestone was already disputed.", code="already_disputed") from exc
    return dispute


def dispute_refundable(dispute: ServiceDispute) -> int:
    """Gross amount still refundable on the disputed milestone's order."""
    milestone = dispute.milestone
    if milestone.order_line_id is None:
        return 0
    order = Order.objects.get(pk=OrderLine.objects.get(pk=milestone.order_line_id).order_id)
    return order.total - order.refunded_total


def milestone_dispute_resolve(
    *,
    dispute: ServiceDispute,
    actor: Any,
    outcome: str,
    notes: str,
    refund_amount: int | None = None,
    now: datetime | None = None,
) -> ServiceDispute:
    """Finance resolves: "release" (all to the partner), "refund" (all to the buyer) or "split" (`refund_amount`
    gross minor units to the buyer, the rest released). Resolving again with the same outcome changes nothing."""
    now = now or timezone.now()
    if actor is None or not actor.has_perm(FINANCE_PERMISSION):
        raise PermissionDenied("Only finance staff resolve service disputes.")
    if outcome not in ServiceDispute.Outcome.values:
        raise ValidationError("Choose release, refund or split.", field="outcome")
    notes = (notes or "").strip()
    if not notes:
        raise ValidationError("Record how the dispute was resolved.", field="notes")
    if outcome == ServiceDispute.Outcome.SPLIT and (
        isinstance(refund_amount, bool) or not isinstance(refund_amount, int) or refund_amount <= 0
    ):
        raise ValidationError("A split refunds a positive amount to the buyer.", field="refund_amount")
    with transaction.atomic():
        ServiceRequest.objects.select_for_update().get(pk=dispute.milestone.quote.request_id)
        milestone = (
            ServiceMilestone.objects.select_related("quote__request")
            .select_for_update(of=("self",))
            .get(pk=dispute.milestone_id)
        )
        dispute = ServiceDispute.objects.select_for_update().get(pk=dispute.pk)
        if dispute.state == ServiceDispute.State.RESOLVED:
            if dispute.outcome == outcome:
                return dispute
            raise InvalidState(f"This dispute was resolved: {dispute.get_outcome_display().lower()}.")
        remaining = dispute_refundable(dispute)
        amount: int | None
        if outcome == ServiceDispute.Outcome.RELEASE:
            amount = 0
        elif outcome == ServiceDispute.Outcome.REFUND:
            amount = None
        else:
            if refund_amount >= remaining:
                currency = milestone.quote.currency
                raise ValidationError(
                    f"A split refunds less than the {Money(remaining, currency)} left; choose refund for all.",
                    field="refund_amount",
                )
            amount = refund_amount
        before = milestone.refunded_amount
        _, refund = settle_milestone(
            milestone=milestone,
            released_by=ServiceMilestone.ReleasedBy.STAFF,
            refund_amount=amount,
            reason=f"Service dispute {dispute.public_id}: {notes}",
            actor=actor,
            now=now,
            key=f"service-dispute:{dispute.public_id}",
        )
        dispute.state = ServiceDispute.State.RESOLVED
        dispute.outcome = outcome
        dispute.refund_amount = milestone.refunded_amount - before
        dispute.resolution_notes = notes
        dispute.resolved_by = actor
        dispute.resolved_at = now
        dispute.refund = refund
        dispute.save()
        audit_record(
            actor=actor,
            action="revenue.service_dispute_resolve",
            obj=dispute,
            after={"outcome": outcome, "refund_amount": dispute.refund_amount, "notes": notes},
        )
    return dispute

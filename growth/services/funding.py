"""Event funding: organisers request a budget, community staff approve or reject it, and an approval is paid
through revenue as a platform grant to the organiser's seller account (then paid out by revenue's payouts)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from growth import notifications
from growth.exceptions import PermissionDenied, ValidationError
from growth.models import Chapter, Event, FundingRequest
from growth.permissions import is_community_staff, organises_chapter
from novacron.core.money import SUPPORTED_CURRENCIES
from novacron.core.services.audit import audit_record

MAX_LINES = 30


def _budget(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not lines:
        raise ValidationError("Add at least one budget line.", field="budget")
    if len(lines) > MAX_LINES:
        raise ValidationError(f"At most {MAX_LINES} budget lines.", field="budget")
    clean = []
    for index, line in enumerate(lines):
        label = str(line.get("label", "")).strip()
        amount = line.get("amount")
        if not label:
            raise ValidationError(f"Line {index + 1}: describe the cost.", field="budget")
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise ValidationError(
                f"Line {index + 1}: the amount is a positive whole number of minor units.", field="budget"
            )
        clean.append({"label": label[:120], "amount": amount})
    return clean


def funding_request(
    *,
    chapter: Chapter,
    actor: Any,
    title: str,
    purpose: str,
    currency: str,
    budget: list[dict[str, Any]],
    event: Event | None = None,
) -> FundingRequest:
    if not organises_chapter(actor, chapter.pk):
        raise PermissionDenied("Only this chapter's organisers request funding for it.")
    currency = (currency or "").upper()
    if currency not in SUPPORTED_CURRENCIES:
        raise ValidationError("Choose a supported currency.", field="currency")
    if event is not None and event.chapter_id != chapter.pk:
        raise ValidationError("Choose an event of this chapter.", field="event")
    if not title.strip() or not purpose.strip():
        raise ValidationError(
            "Give the request a title and a purpose.", field="title" if not title.strip() else "purpose"
        )
    lines = _budget(budget)
    with transaction.atomic():
        request = FundingRequest.objects.create(
            chapter=chapter,
            event=event,
            requested_by=actor,
            title=title.strip(),
            purpose=purpose.strip(),
            currency=currency,
            budget=lines,
            amount=sum(line["amount"] for line in lines),
        )
        audit_record(
            actor=actor, action="growth.funding_request", obj=request, after={"amount": request.amount}
        )
    return request


def funding_reject(*, request: FundingRequest, actor: Any, note: str = "") -> FundingRequest:
    if not is_community_staff(actor):
        raise PermissionDenied("Only community staff decide on funding.")
    with transaction.atomic():
        request = FundingRequest.objects.select_for_update().get(pk=request.pk)
        if request.state != FundingRequest.State.SUBMITTED:
            raise ValidationError(f"This request is already {request.state}.", field="state")
        request.state, request.decided_by, request.decided_at = (
            FundingRequest.State.REJECTED,
            actor,
            timezone.now(),
        )
        request.decision_note = note
        request.save()
        audit_record(actor=actor, action="growth.funding_reject", obj=request)
        notifications.funding_decided(request.requested_by, request)
    return request


def funding_approve(
    *, request: FundingRequest, actor: Any, note: str = "", now: datetime | None = None
) -> FundingRequest:
    """Approve and pay. The grant is idempotent in revenue (key growth-funding:<id>): if paying fails after the
    approval was recorded, approving again (or `funding_pay`) pays exactly once."""
    if not is_community_staff(actor):
        raise PermissionDenied("Only community staff decide on funding.")
    if request.requested_by_id == actor.pk:
        raise PermissionDenied("You can't approve your own request.")
    with transaction.atomic():
        request = FundingRequest.objects.select_for_update().get(pk=request.pk)
        if request.state == FundingRequest.State.SUBMITTED:
            request.state, request.decided_by, request.decided_at = (
                FundingRequest.State.APPROVED,
                actor,
                now or timezone.now(),
            )
            request.decision_note = note
            request.save()
            audit_record(
                actor=actor, action="growth.funding_approve", obj=request, after={"amount": request.amount}
            )
        elif request.state == FundingRequest.State.PAID:
            return request
        elif request.state != FundingRequest.State.APPROVED:
            raise ValidationError(f"This request is already {request.state}.", field="state")
    return funding_pay(request=request, actor=actor, now=now)


def funding_pay(*, request: FundingRequest, actor: Any, now: datetime | None = None) -> FundingRequest:
    from revenue import facade as revenue

    organiser = request.requested_by
    seller_id = revenue.seller_for_user(
        organiser.pk, organiser.display_name or organiser.email, kind="organiser"
    )
    entry = revenue.grant_pay(
        seller_id=seller_id,
        amount=request.amount,
        currency=request.currency,
        reference=f"Community event funding: {request.title}"[:200],
        idempotency_key=f"growth-funding:{request.public_id}",
        actor_id=actor.pk,
    )
    with transaction.atomic():
        request = FundingRequest.objects.select_for_update().get(pk=request.pk)
        if request.state != FundingRequest.State.PAID:
            request.state, request.seller_id, request.journal_entry = (
                FundingRequest.State.PAID,
                seller_id,
                entry,
            )
            request.paid_at = now or timezone.now()
            request.save()
            audit_record(
                actor=actor, action="growth.funding_paid", obj=request, after={"journal_entry": entry}
            )
            notifications.funding_decided(organiser, request)
    return request

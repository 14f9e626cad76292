"""Portal actions on a service order's milestones: pay (buyer), deliver and log hours (partner), accept or dispute
(buyer), approve hours. Thin: parse a form, call a service, redirect with a message."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from novacron.core.exceptions import DomainError
from novacron.core.money import Money
from novacron.core.once import submit_once
from revenue.forms import add_domain_error
from revenue.forms_partner_services import (
    DisputeForm,
    PayMilestoneForm,
    TimeEntryForm,
)
from revenue.models import (
    ServiceRequest,
    ServiceTimeEntry,
)
from revenue.services import (
    partner_disputes,
    partner_hours,
    partner_milestones,
    partner_quotes,
)
from revenue.views.partner_common import act, order_for

# --- milestones -------------------------------------------------------------------------------------------------


def _milestone_for(request: HttpRequest, public_id: Any) -> tuple[Any, ServiceRequest]:
    try:
        milestone = partner_milestones.milestone_get(public_id)
    except DomainError as exc:
        raise Http404 from exc
    order, _, _ = order_for(request, milestone.quote.request.public_id)
    return milestone, order


@login_required
def milestone_pay(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    milestone, order = _milestone_for(request, public_id)
    if not partner_quotes.buyer_can_act(request=order, user=request.user):
        raise Http404
    form = PayMilestoneForm(
        request.POST or None, initial={"billing_country": getattr(request.user, "country", "")}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        bank = data["payment"] == PayMilestoneForm.PAYMENT_BANK

        def pay() -> str:
            paid = partner_milestones.milestone_pay(
                milestone=milestone,
                actor=request.user,
                payment_method="" if bank else data["card_number"],
                gateway="bank_transfer" if bank else None,
                billing_country=data["billing_country"] or getattr(request.user, "country", ""),
            )
            return str(paid.public_id)

        try:
            order_id, _ = submit_once(
                user_id=request.user.pk,
                scope="revenue.service_pay",
                token=data["submission_token"],
                action=pay,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("revenue:receipt", public_id=order_id)
    context = {
        "milestone": milestone,
        "order": order,
        "amount": Money(milestone.amount, milestone.quote.currency),
    }
    return render(request, "revenue/partners/pay.html", {**context, "form": form})


def _milestone_action(
    request: HttpRequest, public_id: Any, run: Callable[[Any], Any], success: str
) -> HttpResponse:
    milestone, order = _milestone_for(request, public_id)
    return act(request, order.public_id, lambda: run(milestone), success)


@login_required
@require_POST
def milestone_deliver(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    note = request.POST.get("note", "")
    return _milestone_action(
        request,
        public_id,
        lambda m: partner_milestones.milestone_deliver(milestone=m, actor=request.user, note=note),
        "Marked delivered. The buyer has been asked to accept it.",
    )


@login_required
@require_POST
def milestone_accept(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _milestone_action(
        request,
        public_id,
        lambda m: partner_milestones.milestone_accept(milestone=m, actor=request.user),
        "Milestone accepted: its payment is released to the partner.",
    )


@login_required
@require_POST
def milestone_dispute(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    form = DisputeForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _milestone_action(
        request,
        public_id,
        lambda m: partner_disputes.milestone_dispute_open(milestone=m, actor=request.user, reason=reason),
        "Dispute opened. The funds stay in escrow until our finance team resolves it.",
    )


@login_required
@require_POST
def milestone_hours(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    form = TimeEntryForm(request.POST)
    if not form.is_valid():
        _, order = _milestone_for(request, public_id)
        errors = "; ".join(f"{name}: {' '.join(errs)}" for name, errs in form.errors.items())
        messages.error(request, f"Hours not logged — {errors}")
        return redirect("revenue:service_order", public_id=order.public_id)
    return _milestone_action(
        request,
        public_id,
        lambda m: partner_hours.time_entry_log(milestone=m, actor=request.user, **form.cleaned_data),
        "Hours logged; the buyer will review them.",
    )


@login_required
@require_POST
def hours_decide(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(ServiceTimeEntry.objects.select_related("milestone"), pk=pk)
    approve = request.POST.get("approve") == "1"
    return _milestone_action(
        request,
        entry.milestone.public_id,
        lambda m: partner_hours.time_entry_decide(entry=entry, actor=request.user, approve=approve),
        "Hours approved." if approve else "Hours rejected.",
    )

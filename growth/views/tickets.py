"""The buyer's side of tickets: cart (holds) and payment, my tickets, badges with QR codes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from growth.badges import qr_png
from growth.forms import PayForm
from growth.models import Ticket, TicketHold
from growth.selectors.events import cart, my_tickets
from growth.services.tickets import hold_release, holds_checkout, ticket_assign, ticket_set_lead_consent
from growth.views.common import run
from novacron.core.exceptions import DomainError
from novacron.core.once import submit_once
from revenue import facade as revenue


@login_required
def cart_view(request: HttpRequest) -> HttpResponse:
    holds = list(cart(request.user))
    form = PayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def pay() -> str:
            order = holds_checkout(
                buyer=request.user,
                holds=holds,
                payment_method=form.cleaned_data["card_number"],
                billing_country=form.cleaned_data["billing_country"],
            )
            return str(order.public_id)

        try:
            order_id, replayed = submit_once(
                user_id=request.user.pk,
                scope="growth.cart",
                token=form.cleaned_data["submission_token"],
                action=pay,
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            order = revenue.order_get(order_id)
            if order is not None and order.state == "paid":
                if not replayed:  # a repeated submission lands where the first one did
                    messages.success(request, "Paid — your tickets are below.")
                return redirect("growth:tickets")
            state = order.state if order else "unknown"
            form.add_error(
                None, (order and order.failure_message) or f"The payment is {state}. No tickets were issued."
            )
            form.renew_token()
    total = sum(h.unit_amount * h.quantity for h in holds)
    return render(
        request,
        "growth/cart.html",
        {
            "holds": holds,
            "form": form,
            "total": total,
            "currency": holds[0].currency if holds else "USD",
        },
    )


@login_required
@require_POST
def hold_release_view(request: HttpRequest, public_id: str) -> HttpResponse:
    hold = get_object_or_404(TicketHold, public_id=public_id, buyer=request.user)
    run(request, lambda: hold_release(hold=hold, actor=request.user), success="Removed from your cart.")
    return redirect("growth:cart")


@login_required
def tickets_view(request: HttpRequest) -> HttpResponse:
    return render(request, "growth/tickets.html", {"tickets": my_tickets(request.user)})


@login_required
def ticket_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    ticket = get_object_or_404(
        Ticket.objects.select_related("event", "ticket_type"), public_id=public_id, holder=request.user
    )
    if request.method == "POST":
        if "attendee_name" in request.POST:
            run(
                request,
                lambda: ticket_assign(
                    ticket=ticket, actor=request.user, attendee_name=request.POST["attendee_name"]
                ),
                success="Saved.",
            )
        else:
            run(
                request,
                lambda: ticket_set_lead_consent(
                    ticket=ticket, actor=request.user, consent=request.POST.get("consent") == "1"
                ),
                success="Saved.",
            )
        return redirect("growth:ticket", public_id=public_id)
    return render(request, "growth/ticket.html", {"ticket": ticket})


@login_required
def ticket_qr(request: HttpRequest, public_id: str) -> HttpResponse:
    ticket = get_object_or_404(Ticket, public_id=public_id, holder=request.user)
    response = HttpResponse(qr_png(ticket.secret), content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    return response

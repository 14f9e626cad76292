"""Events: list, page (RSVP, waitlist, tickets), iCal, check-in for staff, and the personal calendar feed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from growth import calendars
from growth.forms import ReserveForm, TicketTypeForm
from growth.models import RSVP, CalendarToken, CheckIn, Event, TicketType, TicketWaitlistEntry
from growth.permissions import can_manage_event
from growth.selectors.events import (
    checked_in_count,
    event_counts,
    rsvp_of,
    ticket_types_with_availability,
    upcoming_events,
    waitlist_position,
)
from growth.services.checkin import ticket_check_in, tickets_search
from growth.services.events import event_cancel
from growth.services.rsvps import rsvp_cancel, rsvp_check_in, rsvp_create
from growth.services.ticket_types import ticket_type_create
from growth.services.tickets import hold_create, waitlist_join, waitlist_leave
from growth.services.venue import can_attend
from growth.views.common import paginate, run


def _event(slug: str, user) -> Event:
    event = get_object_or_404(Event.objects.select_related("chapter"), slug=slug)
    if event.state == Event.State.DRAFT and not can_manage_event(user, event):
        raise Http404
    return event


def event_list(request: HttpRequest) -> HttpResponse:
    return render(request, "growth/events.html", {"page": paginate(request, upcoming_events())})


def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event(slug, request.user)
    can_manage = can_manage_event(request.user, event)
    rsvp = rsvp_of(event, request.user)
    waitlist = []
    if request.user.is_authenticated:
        waitlist = list(
            TicketWaitlistEntry.objects.filter(
                ticket_type__event=event, user=request.user, state__in=["waiting", "offered"]
            ).select_related("ticket_type")
        )
    return render(
        request,
        "growth/event.html",
        {
            "event": event,
            "rsvp": rsvp,
            "position": waitlist_position(rsvp) if rsvp else None,
            "counts": event_counts(event),
            "confirmed": can_attend(request.user, event.pk),
            "can_manage": can_manage,
            "ticket_types": ticket_types_with_availability(event) if event.is_ticketed else [],
            "reserve_form": ReserveForm(event=event) if event.is_ticketed else None,
            "waitlist": waitlist,
            "conference": getattr(event, "conference", None),
            "ticket_type_form": TicketTypeForm(event=event) if can_manage else None,
        },
    )


@login_required
@require_POST
def event_rsvp(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event(slug, request.user)
    if request.POST.get("action") == "cancel":
        rsvp = get_object_or_404(RSVP, event=event, user=request.user)
        run(request, lambda: rsvp_cancel(rsvp=rsvp, actor=request.user), success="Your RSVP is cancelled.")
    else:
        rsvp, ok = run(request, lambda: rsvp_create(event=event, user=request.user))
        if ok:
            if rsvp.state == RSVP.State.GOING:
                messages.success(request, "You're going! The venue details are on this page.")
            else:
                messages.success(
                    request,
                    "The event is full: you're on the waitlist. We'll email you if a seat frees up.",
                )
    return redirect("growth:event", slug=slug)


@login_required
@require_POST
def event_reserve(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event(slug, request.user)
    form = ReserveForm(request.POST, event=event)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(
                request,
                f"{form.fields[field].label or field}: {errors[0]}" if field in form.fields else errors[0],
            )
        return redirect("growth:event", slug=slug)
    data = form.cleaned_data
    _, ok = run(
        request,
        lambda: hold_create(
            buyer=request.user,
            ticket_type=data["ticket_type"],
            quantity=data["quantity"],
            voucher_code=data["voucher"],
        ),
    )
    return redirect("growth:cart") if ok else redirect("growth:event", slug=slug)


@login_required
@require_POST
def event_waitlist(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event(slug, request.user)
    if request.POST.get("action") == "leave":
        entry = get_object_or_404(TicketWaitlistEntry, pk=request.POST.get("entry"), user=request.user)
        run(request, lambda: waitlist_leave(user=request.user, entry=entry), success="You left the waitlist.")
    else:
        ticket_type = get_object_or_404(TicketType, event=event, public_id=request.POST.get("ticket_type"))
        entry, ok = run(request, lambda: waitlist_join(user=request.user, ticket_type=ticket_type))
        if ok and entry.state == TicketWaitlistEntry.State.OFFERED:
            messages.success(request, "A seat was free: it is reserved for you in your cart.")
            return redirect("growth:cart")
        if ok:
            messages.success(request, "You're on the waitlist. We'll email you when a seat is yours.")
    return redirect("growth:event", slug=slug)


@login_required
@require_POST
def event_ticket_type(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event(slug, request.user)
    if not can_manage_event(request.user, event):
        raise Http404
    form = TicketTypeForm(request.POST, event=event)
    if form.is_valid():
        data = form.cleaned_data
        run(
            request,
            lambda: ticket_type_create(
                event=event,
                actor=request.user,
                name=data["name"],
                kind=data["kind"],
                price=data["price_minor"],
                currency=data["currency"],
                seats=data["seats"],
                quota=data["quota"],
            ),
            success="Tickets are on sale.",
        )
    else:
        for field, errors in form.errors.items():
            messages.error(request, f"{field}: {errors[0]}")
    return redirect("growth:event", slug=slug)


@login_required
@require_POST
def event_cancel_view(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event(slug, request.user)
    if not can_manage_event(request.user, event):
        raise Http404
    run(
        request,
        lambda: event_cancel(event=event, actor=request.user),
        success="The event is cancelled; attendees were told by email.",
    )
    return redirect("growth:event", slug=slug)


def event_ical(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event(slug, request.user)
    body = calendars.event_ics(event, show_location=can_attend(request.user, event.pk))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    return response


@login_required
def event_check_in(request: HttpRequest, slug: str) -> HttpResponse:
    """Door staff: scan (a QR reader types the code into the field) or search; duplicates are shown loudly."""
    event = _event(slug, request.user)
    if not can_manage_event(request.user, event):
        raise Http404
    result = None
    if request.method == "POST":
        if request.POST.get("rsvp"):
            rsvp = get_object_or_404(RSVP, event=event, pk=request.POST["rsvp"])
            outcome, ok = run(request, lambda: rsvp_check_in(rsvp=rsvp, actor=request.user))
            if ok:
                result = {
                    "status": "duplicate" if outcome[1] else "ok",
                    "name": str(rsvp.user),
                    "at": outcome[0].checked_in_at,
                }
        else:
            scan, ok = run(
                request,
                lambda: ticket_check_in(
                    event=event,
                    actor=request.user,
                    secret=request.POST.get("secret", ""),
                    ticket_id=request.POST.get("ticket", ""),
                    gate=request.POST.get("gate", ""),
                ),
            )
            if ok:
                result = {
                    "status": scan.status,
                    "name": scan.ticket.attendee_name,
                    "type": scan.ticket.ticket_type.name,
                    "at": scan.first_checked_in_at,
                }
    query = request.GET.get("q", "")
    return render(
        request,
        "growth/check_in.html",
        {
            "event": event,
            "result": result,
            "query": query,
            "found": tickets_search(event=event, query=query) if query else [],
            "rsvps": []
            if event.is_ticketed
            else RSVP.objects.filter(event=event, state="going").select_related("user"),
            "checked_in": checked_in_count(event),
            "recent": CheckIn.objects.filter(ticket__event=event).select_related("ticket")[:10],
        },
    )


@login_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    token, _ = CalendarToken.objects.get_or_create(user=request.user)
    if request.method == "POST":
        import secrets

        token.token = secrets.token_urlsafe(32)
        token.save(update_fields=["token", "created_at"])
        messages.success(request, "New feed address created; the old one no longer works.")
        return redirect("growth:calendar")
    url = request.build_absolute_uri(f"/community/calendar/{token.token}.ics")
    return render(request, "growth/calendar.html", {"feed_url": url})


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    found = CalendarToken.objects.select_related("user").filter(token=token, user__is_active=True).first()
    if found is None:
        raise Http404
    return HttpResponse(calendars.personal_ics(found.user), content_type="text/calendar; charset=utf-8")

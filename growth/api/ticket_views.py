"""Ticket types, cart holds, checkout through revenue, tickets, the ticket waitlist and check-in."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from growth.api.common import ERROR, TAGS
from growth.api.serializers import (
    GrowthCheckInInput,
    GrowthCheckInOutput,
    GrowthCheckoutInput,
    GrowthCheckoutOutput,
    GrowthHoldInput,
    GrowthHoldOutput,
    GrowthTicketOutput,
    GrowthTicketPatchInput,
    GrowthTicketTypeInput,
    GrowthTicketTypeOutput,
    GrowthWaitlistInput,
    GrowthWaitlistOutput,
)
from growth.exceptions import NotFound, PermissionDenied
from growth.models import Event, Ticket, TicketHold, TicketType
from growth.permissions import can_manage_event
from growth.selectors.events import cart, my_tickets
from growth.services.checkin import ticket_check_in, tickets_search
from growth.services.ticket_types import ticket_type_create
from growth.services.tickets import (
    hold_create,
    hold_release,
    holds_checkout,
    ticket_assign,
    ticket_set_lead_consent,
    waitlist_join,
)
from novacron.core.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent


class TicketTypeListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAGS,
        operation_id="growth_ticket_types_list",
        summary="Ticket types of an event",
        responses={200: GrowthTicketTypeOutput(many=True), 404: ERROR},
    )
    def get(self, request: Request, slug: str) -> Response:
        event = get_object_or_404(Event.objects.exclude(state=Event.State.DRAFT), slug=slug)
        types = event.ticket_types.filter(is_active=True).prefetch_related("quotas")
        return Response(GrowthTicketTypeOutput(types, many=True).data)

    @extend_schema(
        tags=TAGS,
        operation_id="growth_ticket_types_create",
        summary="Sell tickets (organisers)",
        request=GrowthTicketTypeInput,
        responses={201: GrowthTicketTypeOutput, 400: ERROR, 403: ERROR},
    )
    def post(self, request: Request, slug: str) -> Response:
        event = get_object_or_404(Event, slug=slug)
        data = GrowthTicketTypeInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        quota = None
        if values["share_with"]:
            other = TicketType.objects.filter(event=event, public_id=values["share_with"]).first()
            if other is None:
                raise NotFound("No such ticket type on this event.", field="share_with")
            quota = other.quotas.order_by("pk").first()
        created = ticket_type_create(
            event=event,
            actor=request.user,
            name=values["name"],
            kind=values["kind"],
            price=values["price"],
            currency=values["currency"],
            seats=values["seats"],
            quota=quota,
            max_per_order=values["max_per_order"],
        )
        return Response(GrowthTicketTypeOutput(created).data, status=status.HTTP_201_CREATED)

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [p() for p in APIView.permission_classes]


class HoldListView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="growth_holds_list",
        summary="My cart (active holds)",
        responses={200: GrowthHoldOutput(many=True)},
    )
    def get(self, request: Request) -> Response:
        return Response(GrowthHoldOutput(cart(request.user), many=True).data)

    @extend_schema(
        tags=TAGS,
        operation_id="growth_holds_create",
        summary="Reserve seats (cart hold)",
        description="Holds the seats for GROWTH_CART_HOLD_MINUTES (default 30) in every quota of the "
        "type. 409 `sold_out` when they are gone (join the waitlist). Pay with POST checkout/ or "
        "revenue's checkout using `item`.",
        request=GrowthHoldInput,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: GrowthHoldOutput, 400: ERROR, 404: ERROR, 409: ERROR},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = GrowthHoldInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        ticket_type = TicketType.objects.filter(public_id=values["ticket_type"]).first()
        if ticket_type is None:
            raise NotFound("No such ticket type.", field="ticket_type")
        hold = hold_create(
            buyer=request.user,
            ticket_type=ticket_type,
            quantity=values["quantity"],
            voucher_code=values["voucher"],
        )
        return Response(GrowthHoldOutput(hold).data, status=status.HTTP_201_CREATED)


class HoldDetailView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="growth_holds_release",
        summary="Release a hold (seats go back)",
        responses={204: None, 404: ERROR},
    )
    def delete(self, request: Request, public_id: str) -> Response:
        hold_release(
            hold=get_object_or_404(TicketHold, public_id=public_id, buyer=request.user), actor=request.user
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class CheckoutView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="growth_checkout",
        summary="Pay for held tickets",
        description="Charges through revenue; on success the tickets are issued at once. A declined "
        "card answers 402 and keeps the holds until they expire.",
        request=GrowthCheckoutInput,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: GrowthCheckoutOutput, 400: ERROR, 402: ERROR, 409: ERROR},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = GrowthCheckoutInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        holds = list(TicketHold.objects.filter(buyer=request.user, public_id__in=values["holds"]))
        if len(holds) != len(set(values["holds"])):
            raise NotFound("One of these holds is not in your cart.", field="holds")
        order = holds_checkout(
            buyer=request.user,
            holds=holds,
            payment_method=values["payment_method"],
            billing_country=values["billing_country"],
        )
        tickets = Ticket.objects.filter(hold__in=holds, state=Ticket.State.VALID).values_list(
            "public_id", flat=True
        )
        body = {
            "order": order.public_id,
            "state": order.state,
            "total": order.total,
            "currency": order.currency,
            "failure_message": order.failure_message,
            "tickets": list(tickets),
        }
        if order.state == "failed":
            from novacron.core.api.errors import error_body

            error = error_body("payment_declined", order.failure_message or "The payment was declined.")
            error["error"]["order"] = str(order.public_id)
            return Response(error, status=status.HTTP_402_PAYMENT_REQUIRED)
        return Response(GrowthCheckoutOutput(body).data, status=status.HTTP_201_CREATED)


class TicketListView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="growth_tickets_list",
        summary="My tickets (with QR code content)",
        responses={200: GrowthTicketOutput(many=True)},
    )
    def get(self, request: Request) -> Response:
        return Response(GrowthTicketOutput(my_tickets(request.user), many=True).data)


class TicketDetailView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="growth_tickets_retrieve",
        summary="A ticket of mine",
        responses={200: GrowthTicketOutput, 404: ERROR},
    )
    def get(self, request: Request, public_id: str) -> Response:
        return Response(
            GrowthTicketOutput(get_object_or_404(my_tickets(request.user), public_id=public_id)).data
        )

    @extend_schema(
        tags=TAGS,
        operation_id="growth_tickets_update",
        summary="Badge name, sponsor lead consent",
        request=GrowthTicketPatchInput,
        responses={200: GrowthTicketOutput, 400: ERROR, 404: ERROR},
    )
    def patch(self, request: Request, public_id: str) -> Response:
        ticket = get_object_or_404(my_tickets(request.user), public_id=public_id)
        data = GrowthTicketPatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        if "attendee_name" in data.validated_data:
            ticket = ticket_assign(
                ticket=ticket, actor=request.user, attendee_name=data.validated_data["attendee_name"]
            )
        if "lead_consent" in data.validated_data:
            ticket = ticket_set_lead_consent(
                ticket=ticket, actor=request.user, consent=data.validated_data["lead_consent"]
            )
        return Response(GrowthTicketOutput(ticket).data)


class WaitlistView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="growth_ticket_waitlist_join",
        summary="Join a sold-out type's waitlist",
        description="`state` offered: a hold is in your cart (paid events: it expires after the event's "
        "offer hours and passes on).",
        request=GrowthWaitlistInput,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: GrowthWaitlistOutput, 400: ERROR, 404: ERROR},
    )
    @idempotent
    def post(self, request: Request, public_id: str) -> Response:
        data = GrowthWaitlistInput(data=request.data)
        data.is_valid(raise_exception=True)
        ticket_type = get_object_or_404(TicketType, public_id=public_id)
        entry = waitlist_join(
            user=request.user, ticket_type=ticket_type, quantity=data.validated_data["quantity"]
        )
        return Response(GrowthWaitlistOutput(entry).data, status=status.HTTP_201_CREATED)


def _staff_event(request: Request, slug: str) -> Event:
    event = get_object_or_404(Event, slug=slug)
    if not can_manage_event(request.user, event):
        raise PermissionDenied("Only this event's staff check people in.")
    return event


class CheckInView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="growth_check_in",
        summary="Check a ticket in (scan or pick)",
        description="`status` duplicate: the ticket was already checked in at `first_checked_in_at` "
        "(the scan is logged, the ticket is not let in twice).",
        request=GrowthCheckInInput,
        responses={200: GrowthCheckInOutput, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    def post(self, request: Request, slug: str) -> Response:
        event = _staff_event(request, slug)
        data = GrowthCheckInInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        scan = ticket_check_in(
            event=event,
            actor=request.user,
            secret=values["qr_code"],
            ticket_id=str(values["ticket"] or ""),
            gate=values["gate"],
        )
        return Response(
            GrowthCheckInOutput(
                {
                    "status": scan.status,
                    "ticket": scan.ticket.public_id,
                    "attendee_name": scan.ticket.attendee_name,
                    "ticket_type": scan.ticket.ticket_type.name,
                    "first_checked_in_at": scan.first_checked_in_at,
                }
            ).data
        )


class CheckInSearchView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="growth_check_in_search",
        summary="Find tickets by name or email",
        parameters=[OpenApiParameter("q", str, required=True)],
        responses={200: GrowthTicketOutput(many=True), 403: ERROR},
    )
    def get(self, request: Request, slug: str) -> Response:
        event = _staff_event(request, slug)
        return Response(
            GrowthTicketOutput(
                tickets_search(event=event, query=request.query_params.get("q", "")), many=True
            ).data
        )

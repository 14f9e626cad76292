"""Services marketplace API, part 2: quote requests, quotes, milestones (pay, deliver, accept, hours, dispute),
finance's dispute resolution and ratings. POSTs that move money (pay, accept, resolve) honour Idempotency-Key.
Someone else's service order answers 404, as if it did not exist."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from novacron.core.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from novacron.core.api.pagination import DefaultPagination
from novacron.core.exceptions import NotFound
from revenue.api.checkout_serializers import OrderOutput
from revenue.api.checkout_views import _order_response
from revenue.api.partner_serializers import (
    ServiceCloseInput,
    ServiceDeliverInput,
    ServiceMilestoneOutput,
    ServicePayInput,
    ServiceQuoteInput,
    ServiceQuoteOutput,
    ServiceRequestInput,
    ServiceRequestOutput,
    ServiceTimeEntryDecisionInput,
    ServiceTimeEntryInput,
    ServiceTimeEntryOutput,
)
from revenue.api.partner_views import ERROR, PUBLIC_ID, TAGS, ServicesApi
from revenue.models import ServiceListing, ServiceMilestone, ServiceQuote, ServiceTimeEntry
from revenue.selectors.partner_services import (
    partners_for_user,
    service_request_detail,
    service_requests_for_buyer,
    service_requests_for_partner,
)
from revenue.services.partner_hours import time_entry_decide, time_entry_log
from revenue.services.partner_milestones import (
    milestone_accept,
    milestone_deliver,
    milestone_get,
    milestone_pay,
)
from revenue.services.partner_profiles import partner_can_manage
from revenue.services.partner_quotes import (
    MilestoneSpec,
    buyer_can_act,
    quote_accept,
    quote_decline,
    quote_send,
    service_request_close,
    service_request_create,
)

ROLE = OpenApiParameter(
    "role", str, enum=["buyer", "partner"], description="Your side of the orders (buyer)."
)


def visible_request(request: Request, public_id: Any) -> Any:
    service_request = service_request_detail(public_id)
    if service_request is None or not (
        buyer_can_act(request=service_request, user=request.user)
        or partner_can_manage(partner=service_request.partner, user=request.user)
    ):
        raise NotFound("No such service order.")
    return service_request


def _request_response(public_id: Any, code: int = status.HTTP_200_OK) -> Response:
    return Response(ServiceRequestOutput(service_request_detail(public_id)).data, status=code)


def milestone_for(request: Request, public_id: Any) -> ServiceMilestone:
    milestone = milestone_get(public_id)
    visible_request(request, milestone.quote.request.public_id)
    return milestone


def _milestone_response(milestone: ServiceMilestone) -> Response:
    fresh = ServiceMilestone.objects.select_related("order_line__order", "dispute").get(pk=milestone.pk)
    return Response(ServiceMilestoneOutput(fresh).data)


class RequestListView(ServicesApi):
    pagination_class = DefaultPagination

    @extend_schema(
        tags=TAGS,
        operation_id="revenue_services_request_list",
        summary="Your service orders and quote requests",
        parameters=[ROLE],
        responses={200: ServiceRequestOutput(many=True)},
    )
    def get(self, request: Request) -> Response:
        if request.query_params.get("role") == "partner":
            requests = service_requests_for_partner(partners=partners_for_user(user=request.user))
        else:
            requests = service_requests_for_buyer(user=request.user)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(requests, request, view=self)
        return paginator.get_paginated_response(ServiceRequestOutput(page, many=True).data)


class RequestCreateView(ServicesApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_services_request_create",
        summary="Request a quote for a listing",
        parameters=[PUBLIC_ID],
        request=ServiceRequestInput,
        responses={201: ServiceRequestOutput, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    def post(self, request: Request, public_id: str) -> Response:
        listing = get_object_or_404(
            ServiceListing.objects.select_related("partner__seller"), public_id=public_id
        )
        data = ServiceRequestInput(data=request.data)
        data.is_valid(raise_exception=True)
        created = service_request_create(
            listing=listing,
            buyer=request.user,
            message=data.validated_data["message"],
            organization_id=data.validated_data["organization"],
        )
        return _request_response(created.public_id, status.HTTP_201_CREATED)


class RequestDetailView(ServicesApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_services_request_retrieve",
        summary="A service order with its quotes, milestones, hours and disputes (buyer or partner)",
        parameters=[PUBLIC_ID],
        responses={200: ServiceRequestOutput, 404: ERROR},
    )
    def get(self, request: Request, public_id: str) -> Response:
        return Response(ServiceRequestOutput(visible_request(request, public_id)).data)


class RequestCloseView(ServicesApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_services_request_close",
        summary="Decline (partner) or withdraw (buyer) a request before a quote is accepted",
        parameters=[PUBLIC_ID],
        request=ServiceCloseInput,
        responses={200: ServiceRequestOutput, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    def post(self, request: Request, public_id: str) -> Response:
        service_request = visible_request(request, public_id)
        data = ServiceCloseInput(data=request.data)
        data.is_valid(raise_exception=True)
        service_request_close(
            request=service_request, actor=request.user, reason=data.validated_data["reason"]
        )
        return _request_response(public_id)


class QuoteCreateView(ServicesApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_services_quote_send",
        summary="Send a quote made of milestones (partner)",
        description="Fixed price: each milestone has an `amount` (net minor units). Time and materials: each has "
        "`estimated_hours`, priced at `hourly_rate` (default: the listing's). A new quote supersedes the open one.",
        parameters=[PUBLIC_ID],
        request=ServiceQuoteInput,
        responses={201: ServiceQuoteOutput, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    def post(self, request: Request, public_id: str) -> Response:
        service_request = visible_request(request, public_id)
        data = ServiceQuoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        quote = quote_send(
            request=service_request,
            actor=request.user,
            milestones=[MilestoneSpec(**row) for row in values["milestones"]],
            notes=values["notes"],
            valid_until=values["valid_until"],
            hourly_rate=values["hourly_rate"],
        )
        quote = ServiceQuote.objects.prefetch_related("milestones").get(pk=quote.pk)
        return Response(ServiceQuoteOutput(quote).data, status=status.HTTP_201_CREATED)


class QuoteDecisionView(ServicesApi):
    accept = True

    def post(self, request: Request, public_id: str) -> Response:
        quote = get_object_or_404(
            ServiceQuote.objects.select_related("request__partner__seller"), public_id=public_id
        )
        visible_request(request, quote.request.public_id)
        (quote_accept if self.accept else quote_decline)(quote=quote, actor=request.user)
        return _request_response(quote.request.public_id)


class QuoteAcceptView(QuoteDecisionView):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_services_quote_accept",
        summary="Accept a quote (buyer); then pay its milestones",
        parameters=[PUBLIC_ID],
        request=None,
        responses={200: ServiceRequestOutput, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    def post(self, request: Request, public_id: str) -> Response:
        return super().post(request, public_id)


class QuoteDeclineView(QuoteDecisionView):
    accept = False

    @extend_schema(
        tags=TAGS,
        operation_id="revenue_services_quote_decline",
        summary="Decline a quote (buyer)",
        parameters=[PUBLIC_ID],
        request=None,
        responses={200: ServiceRequestOutput, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    def post(self, request: Request, public_id: str) -> Response:
        return super().post(request, public_id)


class MilestonePayView(ServicesApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_services_milestone_pay",
        summary="Pay a milestone through checkout (buyer)",
        description="Creates a checkout order for this milestone (item type revenue.service_milestone) and answers "
        "like POST /checkouts/: 201 paid (the milestone is funded; its funds wait in escrow), 202 pending, 402 "
        "declined, requires_action / awaiting_transfer as for any checkout.",
        parameters=[PUBLIC_ID, IDEMPOTENCY_KEY_PARAMETER],
        request=ServicePayInput,
        responses={
            201: OrderOutput,
            202: OrderOutput,
            400: ERROR,
            402: ERROR,
            403: ERROR,
            404: ERROR,
            409: ERROR,
        },
    )
    @idempotent
    def post(self, request: Request, public_id: str) -> Response:
        milestone = milestone_for(request, public_id)
        data = ServicePayInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        order = milestone_pay(
            milestone=milestone,
            actor=request.user,
            payment_method=values["payment_method"],
            gateway=values["gateway"] or None,
            billing_country=values["billing_country"] or getattr(request.user, "country", ""),
            vat_number=values["vat_number"],
        )
        return _order_response(order, created=True)


class MilestoneDeliverView(ServicesApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_services_milestone_deliver",
        summary="Mark a funded milestone delivered (partner); the auto-accept window starts",
        parameters=[PUBLIC_ID],
        request=ServiceDeliverInput,
        responses={200: ServiceMilestoneOutput, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    def post(self, request: Request, public_id: str) -> Response:
        milestone = milestone_for(request, public_id)
        data = ServiceDeliverInput(data=request.data)
        data.is_valid(raise_exception=True)
        return _milestone_response(
            milestone_deliver(milestone=milestone, actor=request.user, note=data.validated_data["note"])
        )


class MilestoneAcceptView(ServicesApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_services_milestone_accept",
        summary="Accept a delivered milestone (buyer): its funds are released to the partner",
        description="T&M: the approved hours are billed (hours awaiting approval count as approved) and the "
        "unused part is refunded. Accepting again changes nothing.",
        parameters=[PUBLIC_ID, IDEMPOTENCY_KEY_PARAMETER],
        request=None,
        responses={200: ServiceMilestoneOutput, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    @idempotent
    def post(self, request: Request, public_id: str) -> Response:
        return _milestone_response(
            milestone_accept(milestone=milestone_for(request, public_id), actor=request.user)
        )


class MilestoneHoursView(ServicesApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_services_hours_log",
        summary="Log hours on a funded T&M milestone (partner), up to its estimate",
        parameters=[PUBLIC_ID],
        request=ServiceTimeEntryInput,
        responses={201: ServiceTimeEntryOutput, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    def post(self, request: Request, public_id: str) -> Response:
        milestone = milestone_for(request, public_id)
        data = ServiceTimeEntryInput(data=request.data)
        data.is_valid(raise_exception=True)
        entry = time_entry_log(milestone=milestone, actor=request.user, **data.validated_data)
        return Response(ServiceTimeEntryOutput(entry).data, status=status.HTTP_201_CREATED)


class TimeEntryDecisionView(ServicesApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_services_hours_decide",
        summary="Approve or reject logged hours (buyer)",
        request=ServiceTimeEntryDecisionInput,
        responses={200: ServiceTimeEntryOutput, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    def post(self, request: Request, pk: int) -> Response:
        entry = get_object_or_404(ServiceTimeEntry.objects.select_related("milestone"), pk=pk)
        milestone_for(request, entry.milestone.public_id)
        data = ServiceTimeEntryDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        entry = time_entry_decide(entry=entry, actor=request.user, approve=data.validated_data["approve"])
        return Response(ServiceTimeEntryOutput(entry).data)

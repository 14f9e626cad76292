"""Services marketplace API, part 3: disputes on a milestone (the buyer opens, finance resolves with
Idempotency-Key) and ratings of completed orders."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from novacron.core.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from novacron.core.api.pagination import DefaultPagination
from revenue.api.operations_views import IsFinance
from revenue.api.partner_order_views import milestone_for, visible_request
from revenue.api.partner_serializers import (
    ServiceDisputeOpenInput,
    ServiceDisputeOutput,
    ServiceDisputeQuery,
    ServiceDisputeResolveInput,
    ServiceRatingInput,
    ServiceRatingOutput,
)
from revenue.api.partner_views import ERROR, PUBLIC_ID, TAGS, ServicesApi
from revenue.models import ServiceDispute
from revenue.selectors.partner_services import service_disputes
from revenue.services.partner_disputes import milestone_dispute_open, milestone_dispute_resolve
from revenue.services.partner_profiles import rating_create


class MilestoneDisputeView(ServicesApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_services_dispute_open",
        summary="Dispute a funded or delivered milestone (buyer); its funds stay in escrow",
        parameters=[PUBLIC_ID],
        request=ServiceDisputeOpenInput,
        responses={201: ServiceDisputeOutput, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    def post(self, request: Request, public_id: str) -> Response:
        milestone = milestone_for(request, public_id)
        data = ServiceDisputeOpenInput(data=request.data)
        data.is_valid(raise_exception=True)
        dispute = milestone_dispute_open(
            milestone=milestone, actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(ServiceDisputeOutput(dispute).data, status=status.HTTP_201_CREATED)


class FinanceApi(ServicesApi):
    def get_permissions(self) -> list[Any]:
        return [*super().get_permissions(), IsFinance()]


class DisputeListView(FinanceApi):
    pagination_class = DefaultPagination

    @extend_schema(
        tags=TAGS,
        operation_id="revenue_services_dispute_list",
        summary="Service disputes (finance)",
        parameters=[ServiceDisputeQuery],
        responses={200: ServiceDisputeOutput(many=True), 400: ERROR, 403: ERROR},
    )
    def get(self, request: Request) -> Response:
        query = ServiceDisputeQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            service_disputes(state=query.validated_data.get("state", "")), request, view=self
        )
        return paginator.get_paginated_response(ServiceDisputeOutput(page, many=True).data)


class DisputeResolveView(FinanceApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_services_dispute_resolve",
        summary="Resolve a service dispute (finance): release, refund or split, with notes",
        description="Refunds are partial refunds of the milestone's own order through the revenue core. "
        "Resolving again with the same outcome changes nothing; another outcome is 409.",
        parameters=[PUBLIC_ID, IDEMPOTENCY_KEY_PARAMETER],
        request=ServiceDisputeResolveInput,
        responses={200: ServiceDisputeOutput, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    @idempotent
    def post(self, request: Request, public_id: str) -> Response:
        dispute = get_object_or_404(ServiceDispute.objects.select_related("milestone"), public_id=public_id)
        data = ServiceDisputeResolveInput(data=request.data)
        data.is_valid(raise_exception=True)
        dispute = milestone_dispute_resolve(dispute=dispute, actor=request.user, **data.validated_data)
        return Response(ServiceDisputeOutput(service_disputes().get(pk=dispute.pk)).data)


class RatingCreateView(ServicesApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_services_rating_create",
        summary="Rate the partner of a completed order, once (buyer)",
        parameters=[PUBLIC_ID],
        request=ServiceRatingInput,
        responses={201: ServiceRatingOutput, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    def post(self, request: Request, public_id: str) -> Response:
        service_request = visible_request(request, public_id)
        data = ServiceRatingInput(data=request.data)
        data.is_valid(raise_exception=True)
        rating = rating_create(request=service_request, actor=request.user, **data.validated_data)
        return Response(ServiceRatingOutput(rating).data, status=status.HTTP_201_CREATED)

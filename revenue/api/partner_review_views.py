"""Services marketplace API, part 4: finance reviews partners (approve or suspend)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from novacron.core.api.pagination import DefaultPagination
from revenue.api.partner_dispute_views import FinanceApi
from revenue.api.partner_serializers import ServicePartnerOutput
from revenue.api.partner_views import ERROR, PUBLIC_ID, TAGS
from revenue.models import Partner
from revenue.selectors.partner_services import partners_for_review
from revenue.services.partner_profiles import partner_set_status


class PartnerReviewQuery(serializers.Serializer):
    status = serializers.ChoiceField(choices=Partner.Status.choices, required=False)


class PartnerStatusInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=Partner.Status.choices)


class PartnerReviewListView(FinanceApi):
    pagination_class = DefaultPagination

    @extend_schema(
        tags=TAGS,
        operation_id="revenue_services_partner_review_list",
        summary="Partners to review (finance): applications first; filter by status",
        parameters=[PartnerReviewQuery],
        responses={200: ServicePartnerOutput(many=True), 400: ERROR, 403: ERROR},
    )
    def get(self, request: Request) -> Response:
        query = PartnerReviewQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        paginator = self.pagination_class()
        rows = partners_for_review(status=query.validated_data.get("status", ""))
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(ServicePartnerOutput(page, many=True).data)


class PartnerStatusView(FinanceApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_services_partner_status",
        summary="Approve or suspend a partner (finance); suspending takes their listings out of the directory",
        parameters=[PUBLIC_ID],
        request=PartnerStatusInput,
        responses={200: ServicePartnerOutput, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    def post(self, request: Request, public_id: str) -> Response:
        partner = get_object_or_404(partners_for_review(), public_id=public_id)
        data = PartnerStatusInput(data=request.data)
        data.is_valid(raise_exception=True)
        partner = partner_set_status(
            partner=partner, status=data.validated_data["status"], actor=request.user
        )
        return Response(ServicePartnerOutput(partner).data)

"""Services marketplace API, part 1: the partner directory (public), partner profiles and listings (partners).
Thin: parse, check who may act, call a service or selector, render."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from novacron.core.api.pagination import DefaultPagination
from novacron.core.exceptions import NotFound
from revenue.api.partner_serializers import (
    ServiceListingInput,
    ServiceListingOutput,
    ServiceListingQuery,
    ServicePartnerApplyInput,
    ServicePartnerOutput,
    ServiceRatingOutput,
)
from revenue.models import Partner, ServiceListing
from revenue.selectors.partner_services import listings_search, partner_ratings, partners_for_user
from revenue.services.partner_profiles import (
    listing_archive,
    listing_create,
    listing_publish,
    partner_apply,
    partner_can_manage,
)

TAGS = ["revenue: services marketplace"]
ERROR = OpenApiResponse(description="Error body: {error: {code, message, fields}, request_id}")
PUBLIC_ID = OpenApiParameter("public_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Public id.")


class ServicesApi(APIView):
    scope_area = "revenue"


def managed_partner(request: Request, wanted: Any = None) -> Partner:
    """The caller's partner profile (the one named by `wanted` when they manage several)."""
    partners = partners_for_user(user=request.user)
    if wanted:
        partners = [p for p in partners if p.public_id == wanted]
    if not partners:
        raise NotFound("You have no partner profile; apply first.", code="not_a_partner")
    return partners[0]


class PublicReadApi(ServicesApi):
    """Anyone may read (GET); writing needs the usual authentication and token scope."""

    def get_permissions(self) -> list[Any]:
        if self.request.method in ("GET", "HEAD", "OPTIONS"):
            return [AllowAny()]
        return super().get_permissions()


class ListingListView(PublicReadApi):
    pagination_class = DefaultPagination

    @extend_schema(
        tags=TAGS,
        operation_id="revenue_services_listing_list",
        summary="Search the partner directory",
        description="Published services of approved partners, best rated first; filter by category, the "
        "partner's country and free text.",
        parameters=[ServiceListingQuery],
        responses={200: ServiceListingOutput(many=True), 400: ERROR},
    )
    def get(self, request: Request) -> Response:
        query = ServiceListingQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        listings = listings_search(
            category=values.get("category", ""), country=values.get("country", ""), query=values.get("q", "")
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(listings, request, view=self)
        return paginator.get_paginated_response(ServiceListingOutput(page, many=True).data)

    @extend_schema(
        tags=TAGS,
        operation_id="revenue_services_listing_create",
        summary="Create a draft listing (partners)",
        request=ServiceListingInput,
        responses={201: ServiceListingOutput, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    def post(self, request: Request) -> Response:
        data = ServiceListingInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        partner = managed_partner(request, values.pop("partner"))
        listing = listing_create(partner=partner, actor=request.user, **values)
        return Response(ServiceListingOutput(listing).data, status=status.HTTP_201_CREATED)


class ListingDetailView(PublicReadApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_services_listing_retrieve",
        summary="A service listing",
        description="Published listings for everyone; drafts and archived ones for their partner only.",
        parameters=[PUBLIC_ID],
        responses={200: ServiceListingOutput, 404: ERROR},
    )
    def get(self, request: Request, public_id: str) -> Response:
        listing = get_object_or_404(
            ServiceListing.objects.select_related("partner__seller"), public_id=public_id
        )
        visible = listing.status == ServiceListing.Status.PUBLISHED and listing.partner.status == "approved"
        if not visible and not partner_can_manage(partner=listing.partner, user=request.user):
            raise NotFound("No such service.")
        return Response(ServiceListingOutput(listing).data)


def _listing_action(request: Request, public_id: str, action: Any) -> Response:
    listing = get_object_or_404(ServiceListing.objects.select_related("partner__seller"), public_id=public_id)
    if not partner_can_manage(partner=listing.partner, user=request.user):
        raise NotFound("No such service among yours.")
    return Response(ServiceListingOutput(action(listing=listing, actor=request.user)).data)


class ListingPublishView(ServicesApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_services_listing_publish",
        summary="Publish a listing (its partner)",
        description="Needs an approved partner whose contact person holds an active certificate "
        "(409 partner_not_approved / partner_not_qualified).",
        parameters=[PUBLIC_ID],
        request=None,
        responses={200: ServiceListingOutput, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    def post(self, request: Request, public_id: str) -> Response:
        return _listing_action(request, public_id, listing_publish)


class ListingArchiveView(ServicesApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_services_listing_archive",
        summary="Take a listing out of the directory (its partner)",
        parameters=[PUBLIC_ID],
        request=None,
        responses={200: ServiceListingOutput, 403: ERROR, 404: ERROR},
    )
    def post(self, request: Request, public_id: str) -> Response:
        return _listing_action(request, public_id, listing_archive)


class PartnerApplyView(ServicesApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_services_partner_list_mine",
        summary="Your partner profiles",
        responses={200: ServicePartnerOutput(many=True)},
    )
    def get(self, request: Request) -> Response:
        return Response(ServicePartnerOutput(partners_for_user(user=request.user), many=True).data)

    @extend_schema(
        tags=TAGS,
        operation_id="revenue_services_partner_apply",
        summary="Apply to become a service partner",
        description="For yourself, or for an organisation you own or administer. Staff approve applications.",
        request=ServicePartnerApplyInput,
        responses={201: ServicePartnerOutput, 400: ERROR, 403: ERROR, 409: ERROR},
    )
    def post(self, request: Request) -> Response:
        data = ServicePartnerApplyInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        partner = partner_apply(user=request.user, organization_id=values.pop("organization"), **values)
        return Response(ServicePartnerOutput(partner).data, status=status.HTTP_201_CREATED)


class PartnerDetailView(PublicReadApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_services_partner_retrieve",
        summary="An approved partner with its published listings and latest ratings",
        parameters=[PUBLIC_ID],
        responses={200: OpenApiTypes.OBJECT, 404: ERROR},
    )
    def get(self, request: Request, public_id: str) -> Response:
        partner = get_object_or_404(Partner, public_id=public_id, status=Partner.Status.APPROVED)
        listings = partner.listings.filter(status=ServiceListing.Status.PUBLISHED).select_related("partner")
        return Response(
            {
                "partner": ServicePartnerOutput(partner).data,
                "listings": ServiceListingOutput(listings, many=True).data,
                "ratings": ServiceRatingOutput(partner_ratings(partner), many=True).data,
            }
        )

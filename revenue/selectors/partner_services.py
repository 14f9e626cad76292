"""Reads for the services marketplace: the partner directory, a buyer's and a partner's service orders, the
disputes finance resolves."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from novacron.accounts import facade as accounts
from revenue.models import (
    Partner,
    PartnerRating,
    ServiceDispute,
    ServiceListing,
    ServiceMilestone,
    ServiceQuote,
    ServiceRequest,
)

BUYER_ORG_ROLES = ("owner", "admin", "billing")


def listings_search(*, category: str = "", country: str = "", query: str = "") -> QuerySet[ServiceListing]:
    """Published listings of approved partners, best rated partners first."""
    listings = ServiceListing.objects.filter(
        status=ServiceListing.Status.PUBLISHED, partner__status=Partner.Status.APPROVED
    ).select_related("partner")
    if category:
        listings = listings.filter(category=category)
    if country:
        listings = listings.filter(partner__country=country.strip().upper())
    if query:
        listings = listings.filter(
            Q(title__icontains=query)
            | Q(description__icontains=query)
            | Q(partner__display_name__icontains=query)
        )
    return listings.order_by("-partner__rating_average", "-published_at", "-id")


def partner_public(public_id: Any) -> Partner | None:
    return Partner.objects.filter(public_id=public_id, status=Partner.Status.APPROVED).first()


def partner_ratings(partner: Partner, limit: int = 20) -> list[PartnerRating]:
    return list(partner.ratings.select_related("rated_by")[:limit])


def partners_for_user(*, user: Any) -> list[Partner]:
    """Partner profiles the user may manage (own, or an organisation they own or administer)."""
    if not getattr(user, "is_authenticated", False):
        return []
    org_ids = [o.id for o in accounts.organizations_for_user(user.pk) if o.role in ("owner", "admin")]
    return list(
        Partner.objects.filter(
            Q(seller__user_id=user.pk) | Q(seller__organization_id__in=org_ids)
        ).select_related("seller")
    )


def _with_detail(requests: QuerySet[ServiceRequest]) -> QuerySet[ServiceRequest]:
    return requests.select_related("listing", "partner", "buyer", "organization").prefetch_related(
        Prefetch(
            "quotes",
            queryset=ServiceQuote.objects.prefetch_related(
                Prefetch(
                    "milestones",
                    queryset=ServiceMilestone.objects.select_related(
                        "order_line__order", "dispute"
                    ).prefetch_related("time_entries"),
                )
            ),
        )
    )


def service_requests_for_buyer(*, user: Any) -> QuerySet[ServiceRequest]:
    org_ids = [o.id for o in accounts.organizations_for_user(user.pk) if o.role in BUYER_ORG_ROLES]
    return _with_detail(ServiceRequest.objects.filter(Q(buyer_id=user.pk) | Q(organization_id__in=org_ids)))


def service_requests_for_partner(*, partners: list[Partner]) -> QuerySet[ServiceRequest]:
    return _with_detail(ServiceRequest.objects.filter(partner__in=partners))


def service_request_detail(public_id: Any) -> ServiceRequest | None:
    return _with_detail(ServiceRequest.objects.filter(public_id=public_id)).first()


def partners_for_review(*, status: str = "") -> QuerySet[Partner]:
    """Partners for staff review, newest applications first (`status` "" for all)."""
    partners = Partner.objects.select_related("contact", "approved_by")
    if status:
        partners = partners.filter(status=status)
    return partners.order_by("-created_at", "-id")


def service_disputes(*, state: str = "") -> QuerySet[ServiceDispute]:
    disputes = ServiceDispute.objects.select_related(
        "milestone__quote__request__partner", "milestone__order_line__order", "opened_by", "resolved_by"
    )
    if state:
        disputes = disputes.filter(state=state)
    return disputes.order_by("-created_at", "-id")

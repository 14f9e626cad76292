"""The only module other apps may import from `marketplace` (enforced by import-linter).

Contract
--------
- Functions take ids, slugs and plain values and return frozen dataclasses of plain values; reads never raise
  for "not found" (they return None or an empty list).
- Higher layers (devex, certification, growth) use this to show apps, check a licence or list an
  organisation's installed apps. Purchases of app plans go through revenue's checkout with the item type
  "marketplace.app_plan" and the plan's public id (see marketplace.services.installs).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from marketplace.models import App, Installation
from marketplace.models.installs import LIVE_STATES
from marketplace.selectors import entitlements
from marketplace.services import installs

__all__ = [
    "ITEM_TYPE",
    "AppSummary",
    "EntitlementSummary",
    "app_get",
    "entitlement_get",
    "installed_app_slugs",
]

ITEM_TYPE = installs.ITEM_TYPE


@dataclass(frozen=True)
class AppSummary:
    public_id: uuid.UUID
    slug: str
    name: str
    tagline: str
    publisher: str
    category: str
    vertical: str
    is_listed: bool
    rating_average: Decimal
    rating_count: int
    install_count: int
    url: str


@dataclass(frozen=True)
class EntitlementSummary:
    licensed: bool
    status: str
    plan: str | None
    plan_model: str | None
    seats: int
    seats_assigned: int
    user_has_seat: bool | None
    valid_until: datetime | None
    scopes: tuple[str, ...]


def app_get(slug: str) -> AppSummary | None:
    """A listed or unlisted app by slug, or None."""
    app = App.objects.select_related("publisher", "category").filter(slug=slug).first()
    if app is None:
        return None
    return AppSummary(
        public_id=app.public_id,
        slug=app.slug,
        name=app.name,
        tagline=app.tagline,
        publisher=app.publisher.display_name,
        category=app.category.name,
        vertical=app.vertical,
        is_listed=app.is_listed,
        rating_average=app.rating_average,
        rating_count=app.rating_count,
        install_count=app.install_count,
        url=app.get_absolute_url(),
    )


def entitlement_get(
    app_slug: str, *, organization_id: int | None = None, user_id: int | None = None
) -> EntitlementSummary | None:
    """Whether the organisation (or user) is licensed for the app; None for an unknown app."""
    app = App.objects.filter(slug=app_slug).first()
    if app is None or (organization_id is None and user_id is None):
        return None
    e = entitlements.entitlement(app=app, organization_id=organization_id, user_id=user_id)
    return EntitlementSummary(
        licensed=e.licensed,
        status=e.status,
        plan=e.plan,
        plan_model=e.plan_model,
        seats=e.seats,
        seats_assigned=e.seats_assigned,
        user_has_seat=e.user_has_seat,
        valid_until=e.valid_until,
        scopes=tuple(e.scopes),
    )


def installed_app_slugs(*, organization_id: int | None = None, user_id: int | None = None) -> list[str]:
    """Slugs of the apps installed (active or trial) for the organisation or the user, sorted."""
    qs = Installation.objects.filter(status__in=LIVE_STATES)
    qs = qs.filter(organization_id=organization_id) if organization_id else qs.filter(user_id=user_id)
    return sorted(set(qs.values_list("app__slug", flat=True)))

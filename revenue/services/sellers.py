from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from revenue.models import Seller
from revenue.selectors.sellers import seller_for_actor


def seller_platform() -> Seller:
    """The platform itself as a seller (it keeps 100% of what it sells)."""
    seller = Seller.objects.filter(kind=Seller.Kind.PLATFORM).first()
    if seller is not None:
        return seller
    try:
        with transaction.atomic():
            return Seller.objects.create(
                kind=Seller.Kind.PLATFORM, display_name=settings.REVENUE_PLATFORM_NAME
            )
    except IntegrityError:
        return Seller.objects.get(kind=Seller.Kind.PLATFORM)


def seller_ensure(
    *, kind: str, display_name: str, user_id: int | None = None, organization_id: int | None = None
) -> Seller:
    """The seller of this kind for a user or an organisation, created on first use."""
    if (user_id is None) == (organization_id is None):
        raise ValueError("a seller belongs to exactly one user or one organisation")
    lookup = {"kind": kind, "user_id": user_id, "organization_id": organization_id}
    seller = Seller.objects.filter(**lookup).first()
    if seller is not None:
        return seller
    try:
        with transaction.atomic():
            return Seller.objects.create(display_name=display_name, **lookup)
    except IntegrityError:
        return Seller.objects.get(**lookup)


def seller_ensure_for_actor(*, user: Any, public_id: Any = None) -> Seller:
    """The seller `user` creates products and plans for: the one named by `public_id` if they manage it
    (`selectors.seller_for_actor` with manage=True; NotASeller otherwise), else their own developer seller,
    created on first use."""
    if public_id:
        return seller_for_actor(user=user, public_id=public_id, manage=True)
    return seller_ensure(
        kind=Seller.Kind.DEVELOPER, display_name=user.display_name or user.email, user_id=user.pk
    )

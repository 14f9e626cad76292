"""Products: priced items a seller offers directly (support plans, sponsorships, training packages).

Who may manage a product: the seller's own user, or an owner/admin of the seller's organisation (staff use the
admin). Every change is audited, as prices are money.

Volume tiers (revenue/volume_pricing.py) are checked against the list price whenever either changes.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from novacron.accounts import facade as accounts
from novacron.core.exceptions import PermissionDenied
from novacron.core.money import SUPPORTED_CURRENCIES
from novacron.core.services.audit import audit_record
from revenue.exceptions import ValidationError
from revenue.models import Product, Seller
from revenue.volume_pricing import VolumeTierError, volume_tiers_clean

MAX_UNIT_AMOUNT = 100_000_000_00  # a sanity bound, in minor units
_UNSET: Any = object()


def seller_can_manage(*, seller: Seller, user: Any) -> bool:
    """True if `user` may act for `seller` (its own user, or an owner/admin of its organisation)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if seller.user_id is not None:
        return seller.user_id == user.pk
    if seller.organization_id is not None:
        return accounts.user_can_manage_organization(user.pk, seller.organization_id)
    return bool(getattr(user, "is_superuser", False))  # the platform seller


def _check(seller: Seller, actor: Any) -> None:
    if not seller_can_manage(seller=seller, user=actor):
        raise PermissionDenied("You cannot manage this seller's products.")


def _name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError("Enter a name.", field="name")
    if len(name) > 200:
        raise ValidationError("At most 200 characters.", field="name")
    return name


def _amount(unit_amount: Any) -> int:
    if isinstance(unit_amount, bool) or not isinstance(unit_amount, int):
        raise ValidationError("The price is a whole number of minor units (cents).", field="unit_amount")
    if not 0 <= unit_amount <= MAX_UNIT_AMOUNT:
        raise ValidationError(f"The price must be between 0 and {MAX_UNIT_AMOUNT}.", field="unit_amount")
    return unit_amount


def _currency(currency: str) -> str:
    code = (currency or "").strip().upper()
    if code not in SUPPORTED_CURRENCIES:
        raise ValidationError(f'"{currency}" is not a supported currency.', field="currency")
    return code


def _tiers(raw: Any, list_unit_amount: int) -> list[dict[str, int]]:
    if raw is not None and not isinstance(raw, list | tuple):
        raise ValidationError("Volume tiers are a list of {min_quantity, unit_amount}.", field="volume_tiers")
    try:
        return [tier.as_dict() for tier in volume_tiers_clean(raw, list_unit_amount=list_unit_amount)]
    except VolumeTierError as exc:
        raise ValidationError(str(exc), field="volume_tiers") from exc


def _snapshot(product: Product) -> dict[str, Any]:
    return {
        "name": product.name,
        "description": product.description,
        "unit_amount": product.unit_amount,
        "currency": product.currency,
        "volume_tiers": product.volume_tiers,
        "is_active": product.is_active,
    }


def product_create(
    *,
    seller: Seller,
    actor: Any,
    name: str,
    unit_amount: int,
    currency: str,
    description: str = "",
    volume_tiers: list[dict[str, int]] | None = None,
) -> Product:
    _check(seller, actor)
    fields = {
        "name": _name(name),
        "unit_amount": _amount(unit_amount),
        "currency": _currency(currency),
        "description": (description or "").strip(),
    }
    fields["volume_tiers"] = _tiers(volume_tiers, fields["unit_amount"])
    with transaction.atomic():
        product = Product.objects.create(seller=seller, **fields)
        audit_record(actor=actor, action="revenue.product_create", obj=product, after=_snapshot(product))
    return product


def product_update(
    *,
    product: Product,
    actor: Any,
    name: str = _UNSET,
    description: str = _UNSET,
    unit_amount: int = _UNSET,
    currency: str = _UNSET,
    volume_tiers: list[dict[str, int]] = _UNSET,
    is_active: bool = _UNSET,
) -> Product:
    """Change the given fields (others stay). Prices of orders already placed never change. A new list price
    must stay above the volume tiers (or come with new tiers)."""
    _check(product.seller, actor)
    changes: dict[str, Any] = {}
    if name is not _UNSET:
        changes["name"] = _name(name)
    if description is not _UNSET:
        changes["description"] = (description or "").strip()
    if unit_amount is not _UNSET:
        changes["unit_amount"] = _amount(unit_amount)
    if currency is not _UNSET:
        changes["currency"] = _currency(currency)
    if is_active is not _UNSET:
        if not isinstance(is_active, bool):
            raise ValidationError("Must be true or false.", field="is_active")
        changes["is_active"] = is_active
    with transaction.atomic():
        product = Product.objects.select_for_update().get(pk=product.pk)
        before = _snapshot(product)
        if unit_amount is not _UNSET or volume_tiers is not _UNSET:
            tiers = product.volume_tiers if volume_tiers is _UNSET else volume_tiers
            changes["volume_tiers"] = _tiers(tiers, changes.get("unit_amount", product.unit_amount))
        changes = {key: value for key, value in changes.items() if getattr(product, key) != value}
        if not changes:
            return product
        for key, value in changes.items():
            setattr(product, key, value)
        product.save(update_fields=[*changes, "updated_at"])
        audit_record(
            actor=actor, action="revenue.product_update", obj=product, before=before, after=_snapshot(product)
        )
    return product


def product_deactivate(*, product: Product, actor: Any) -> Product:
    """Stop selling the product (it stays on past orders)."""
    return product_update(product=product, actor=actor, is_active=False)

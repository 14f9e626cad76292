"""Item types the revenue app sells itself, registered from RevenueConfig.ready.

"revenue.product": a seller's Product, by public id; inactive products cannot be bought. Products have one price
for every buyer (lowered by its volume tiers for larger quantities); the checkout refuses a product priced in
another currency than the checkout's.
"""

from __future__ import annotations

import uuid
from typing import Any

from revenue import hooks
from revenue.exceptions import UnknownItem, ValidationError
from revenue.models import Product
from revenue.volume_pricing import volume_price

PRODUCT = "revenue.product"


def resolve_product(*, item_id: str, quantity: int, buyer_id: int, currency: str) -> hooks.PricedItem:
    try:
        public_id = uuid.UUID(str(item_id))
    except ValueError as exc:
        raise UnknownItem(f'No product "{item_id}".') from exc
    product = Product.objects.filter(public_id=public_id).first()
    if product is None:
        raise UnknownItem(f'No product "{item_id}".')
    if not product.is_active:
        raise ValidationError(f'"{product.name}" is no longer on sale.', code="item_inactive")
    # Volume tiers (mode "volume", revenue/volume_pricing.py): every unit at the tier the quantity reaches. The
    # line keeps the list price and the saving in its metadata, for the invoice.
    price = volume_price(
        list_unit_amount=product.unit_amount, tiers=product.volume_tiers or [], quantity=quantity
    )
    metadata: dict[str, Any] = {"product": str(product.public_id)}
    if price.applies:
        metadata["volume"] = price.as_dict()
    return hooks.PricedItem(
        seller_id=product.seller_id,
        item_type=PRODUCT,
        item_id=str(product.public_id),
        description=product.name,
        unit_amount=price.unit_amount,
        currency=product.currency,
        quantity=quantity,
        metadata=metadata,
    )


def register() -> None:
    hooks.register_item_type(hooks.ItemType(name=PRODUCT, resolve=resolve_product))
    # "revenue.subscription": a subscription's charge for one period (or one prorated upgrade), by the charge's
    # public id; priced from the plan's seat price, the seats and any retention discount (subscriptions_billing).
    from revenue.services.subscriptions_billing import ITEM_TYPE, on_charge_paid, resolve_charge

    hooks.register_item_type(hooks.ItemType(name=ITEM_TYPE, resolve=resolve_charge, on_paid=on_charge_paid))

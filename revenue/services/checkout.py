"""Checkout: sell one or more priced items, from one or more sellers, to a user or an organisation.

Ordering around the gateway call (the point where money moves outside our database):

1. Everything is validated and priced first (item resolvers, tax hook, revenue share): bad input writes nothing.
2. Transaction 1 creates the order (pending), its lines (with each line's tier, rate and split) and the payment
   (processing, no gateway reference yet) and COMMITS. The payment's public id is now durable.
3. The gateway is called outside any transaction with the idempotency key `payment:<payment public id>` and our
   payment id in the charge's metadata. A retry of this call (same key) never charges twice.
4. Transaction 2 records the answer through `payments.payment_record_result` (locks order, then payment; only
   legal state changes apply): success captures, posts the sale (`sale_post`, idempotent per payment), marks the
   order paid and runs the item types' on_paid hooks on commit; a decline leaves a failed order and payment with
   the failure code and no ledger entry; 3-D Secure leaves the order requires_action.

If the gateway times out or the process dies between 2 and 4, the order stays pending with an in-flight payment
and nothing is posted. A webhook for the charge finds the payment by its metadata and records it (same state
machine), and `manage.py reconcile --recover` settles what is left (`payments.payment_recover`): the gateway is
asked for a charge carrying our payment id — recorded if found, else the payment fails as never charged. A client
that retries the HTTP request with the same Idempotency-Key gets the first response replayed, not a new charge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils import timezone

from novacron.accounts import facade as accounts
from novacron.core.exceptions import DomainError, PermissionDenied
from novacron.core.money import SUPPORTED_CURRENCIES
from revenue import hooks, share
from revenue.exceptions import InvalidState, UnknownItem, ValidationError
from revenue.gateways import default_gateway_name, get_gateway
from revenue.gateways.base import ChargeRequest, PaymentGateway
from revenue.models import Order, OrderLine, Payment, Seller
from revenue.services import coupons
from revenue.services.payments import order_on_paid_schedule, payment_record_result

logger = structlog.get_logger(__name__)

MAX_ITEMS = 100
MAX_QUANTITY = 10_000
ORGANIZATION_BUYER_ROLES = ("owner", "admin", "billing")


@dataclass(frozen=True)
class _Priced:
    item: hooks.PricedItem
    quantity: int
    seller: Seller


def _currency(currency: str) -> str:
    code = (currency or "").strip().upper()
    if code not in SUPPORTED_CURRENCIES:
        raise ValidationError(f'"{currency}" is not a supported currency.', field="currency")
    return code


def _payment_method(gateway: PaymentGateway, payment_method: str) -> str:
    normalize = getattr(gateway, "normalize_payment_method", None)
    if normalize is None:
        return payment_method
    try:
        return normalize(payment_method)
    except ValueError as exc:
        raise ValidationError(str(exc), field="payment_method") from exc


def _organization_id(buyer: Any, organization: Any) -> int | None:
    if organization is None:
        return None
    organization_id = getattr(organization, "pk", getattr(organization, "id", organization))
    if not isinstance(organization_id, int):
        summary = accounts.organization_get(str(organization))
        if summary is None:
            raise ValidationError("Unknown organisation.", field="organization")
        organization_id = summary.id
    role = accounts.organization_role(buyer.pk, organization_id)
    if role not in ORGANIZATION_BUYER_ROLES:
        raise PermissionDenied(
            "Only an owner, admin or billing member can buy for this organisation.", field="organization"
        )
    return organization_id


def _resolve(items: Sequence[tuple[str, str, int]], buyer: Any, currency: str) -> list[_Priced]:
    if not items:
        raise ValidationError("Add at least one item.", field="items")
    if len(items) > MAX_ITEMS:
        raise ValidationError(f"At most {MAX_ITEMS} items per checkout.", field="items")
    resolved: list[tuple[hooks.PricedItem, int, int]] = []
    for index, (type_name, item_id, quantity) in enumerate(items):
        if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
            raise ValidationError(
                f"Quantity must be a whole number from 1 to {MAX_QUANTITY}.", field=f"items[{index}].quantity"
            )
        spec = hooks.item_type(type_name)
        if spec is None:
            raise UnknownItem(f'Unknown item type "{type_name}".', field=f"items[{index}].type")
        try:
            priced = spec.resolve(
                item_id=str(item_id), quantity=quantity, buyer_id=buyer.pk, currency=currency
            )
        except DomainError as exc:
            exc.field = exc.field or f"items[{index}].id"
            raise
        except (ObjectDoesNotExist, LookupError, ValueError) as exc:
            raise UnknownItem(
                f'Unknown item "{item_id}" of type "{type_name}".', field=f"items[{index}].id"
            ) from exc
        if priced is None:
            raise UnknownItem(f'Unknown item "{item_id}" of type "{type_name}".', field=f"items[{index}].id")
        if priced.quantity != quantity:
            raise ValidationError(
                f"This item cannot be bought in a quantity of {quantity}.", field=f"items[{index}].quantity"
            )
        if (
            isinstance(priced.unit_amount, bool)
            or not isinstance(priced.unit_amount, int)
            or priced.unit_amount < 0
        ):
            raise RuntimeError(f"item type {type_name} priced {item_id} with an invalid amount")
        if priced.currency.upper() != currency:
            raise ValidationError(
                f"Item {index + 1} is priced in {priced.currency.upper()}, this checkout is in {currency}: "
                "one checkout takes one currency.",
                field="currency",
                code="mixed_currencies",
            )
        resolved.append((priced, quantity, index))
    sellers = Seller.objects.in_bulk({priced.seller_id for priced, _, _ in resolved})
    result = []
    for priced, quantity, index in resolved:
        seller = sellers.get(priced.seller_id)
        if seller is None:
            raise UnknownItem("This item's seller no longer exists.", field=f"items[{index}].id")
        result.append(_Priced(priced, quantity, seller))
    return result


def checkout_create(
    *,
    buyer: Any,
    items: Sequence[tuple[str, str, int]],
    currency: str,
    payment_method: str,
    gateway: str | None = None,
    organization: Any = None,
    billing_country: str = "",
    ip_country: str = "",
    vat_number: str = "",
    coupon: str = "",
    now: datetime | None = None,
) -> Order:
    """Price, tax and charge `items` ((item_type, item_id, quantity) each) for `buyer` (optionally on behalf of
    `organization`: an Organization, its id or slug; the buyer must be its owner, admin or billing member).

    Returns the order: paid, failed (declined: see its payment's failure_code), requires_action (3-D Secure:
    finish with checkout_confirm), awaiting_transfer (bank transfer) or pending (the gateway's answer is not
    known yet; see the module docstring). Raises DomainError subclasses for bad input, with the field."""
    now = now or timezone.now()
    currency = _currency(currency)
    gateway_name = gateway or default_gateway_name()
    payment_gateway = get_gateway(gateway_name)
    payment_method = _payment_method(payment_gateway, payment_method)
    organization_id = _organization_id(buyer, organization)
    priced = _resolve(items, buyer, currency)

    context = hooks.TaxContext(
        buyer_id=buyer.pk,
        organization_id=organization_id,
        billing_country=(billing_country or "").strip().upper(),
        ip_country=(ip_country or "").strip().upper(),
        vat_number=(vat_number or "").strip(),
    )
    nets = [p.item.unit_amount * p.quantity for p in priced]
    # Coupon (billing: services/coupons.py): taken off the lines' net before tax; redeemed in transaction 1.
    discount = coupons.coupon_apply(
        code=coupon,
        lines=[coupons.CouponLine(p.seller.pk, net) for p, net in zip(priced, nets, strict=True)],
        buyer_id=buyer.pk,
        currency=currency,
        now=now,
    )
    line_discounts = discount.discounts if discount else [0] * len(nets)
    nets = [net - off for net, off in zip(nets, line_discounts, strict=True)]
    taxes = hooks.calculate_tax(
        [
            hooks.TaxInput(
                net_amount=net, currency=currency, item_type=p.item.item_type, seller_id=p.seller.pk
            )
            for p, net in zip(priced, nets, strict=True)
        ],
        context,
    )
    if any(isinstance(t.amount, bool) or not isinstance(t.amount, int) or t.amount < 0 for t in taxes):
        raise RuntimeError("the tax calculator returned an invalid amount")

    lines = []
    for p, net, tax, off in zip(priced, nets, taxes, line_discounts, strict=True):
        rate = share.seller_rate(p.seller)
        seller_part, platform_part = share.split_net(net, rate)
        lines.append(
            OrderLine(
                seller=p.seller,
                item_type=p.item.item_type,
                item_id=str(p.item.item_id),
                description=p.item.description[:255],
                quantity=p.quantity,
                unit_amount=p.item.unit_amount,
                net_amount=net,
                tax_amount=tax.amount,
                tax_rate=tax.rate,
                tax_jurisdiction=tax.jurisdiction,
                seller_amount=seller_part,
                platform_amount=platform_part,
                share_rate=rate,
                tier=p.seller.tier,
                metadata={
                    **p.item.metadata,
                    **({"discount": off, "coupon": discount.coupon.code} if off else {}),
                },
            )
        )
    subtotal = sum(nets)
    tax_total = sum(t.amount for t in taxes)
    total = subtotal + tax_total

    with transaction.atomic():
        order = Order.objects.create(
            buyer=buyer,
            organization_id=organization_id,
            currency=currency,
            subtotal=subtotal,
            tax_total=tax_total,
            total=total,
            gateway=gateway_name,
            tax_evidence={
                "billing_country": context.billing_country,
                "ip_country": context.ip_country,
                "vat_number": context.vat_number,
                "notes": [t.note for t in taxes if t.note],
            },
        )
        for line in lines:
            line.order = order
        OrderLine.objects.bulk_create(lines)
        if discount is not None:
            coupons.coupon_redeem(application=discount, order=order, buyer_id=buyer.pk)
        if total == 0:
            # Nothing to charge (free items): no payment, no ledger entry; the items are still fulfilled.
            order.state = Order.State.PAID
            order.paid_at = now
            order.save(update_fields=["state", "paid_at", "updated_at"])
            order_on_paid_schedule(order=order)
            _invoice_when_due(order)
            return order
        payment = Payment.objects.create(
            order=order, gateway=gateway_name, amount=total, currency=currency, state=Payment.State.PROCESSING
        )

    request = ChargeRequest(
        amount=total,
        currency=currency,
        payment_method=payment_method,
        description=f"NovaCron order {order.public_id}",
        idempotency_key=f"payment:{payment.public_id}",
        customer_email=getattr(buyer, "email", "") or "",
        metadata={"order": str(order.public_id), "payment": str(payment.public_id)},
    )
    try:
        result = payment_gateway.charge(request)
    except Exception:
        # Outcome unknown (timeout, crash in the client): keep the payment in flight; a webhook or
        # `reconcile --recover` settles it. Never retry here with a new key.
        logger.exception("checkout.gateway_call_failed", order=str(order.public_id), gateway=gateway_name)
        order.refresh_from_db()
        return order
    try:
        payment_record_result(payment=payment, result=result, now=now)
    except Exception:
        # The gateway answered but recording failed (database trouble): the payment stays in flight and is
        # settled by the gateway's webhook or `reconcile --recover`. Answering "pending" (not a 500) keeps an
        # Idempotency-Key replay from creating a second order and charging again.
        logger.exception("checkout.record_failed", order=str(order.public_id), reference=result.reference)
    order.refresh_from_db()
    _invoice_when_due(order)
    return order


def _invoice_when_due(order: Order) -> None:
    """Paid (or awaiting a bank transfer): issue the invoice once committed, in a Celery task (billing:
    services/invoices.py; without Redis the task runs at once, in the request)."""
    from revenue.tasks_billing import issue_invoice

    if order.state in (Order.State.PAID, Order.State.AWAITING_TRANSFER):
        order_id = order.pk
        transaction.on_commit(lambda: issue_invoice.delay(order_id), robust=True)


def checkout_confirm(*, order: Order, actor: Any, now: datetime | None = None) -> Order:
    """Finish a checkout that required 3-D Secure, after the buyer authenticated. Idempotent: a paid order is
    returned as it is. A gateway that still wants the buyer's action leaves the order requires_action."""
    if actor is None or actor.pk != order.buyer_id:
        raise PermissionDenied("Only the buyer can confirm this checkout.")
    order.refresh_from_db()
    if order.state == Order.State.PAID:
        return order
    payment = (
        order.payments.filter(state=Payment.State.REQUIRES_ACTION).order_by("-created_at", "-id").first()
        if order.state == Order.State.REQUIRES_ACTION
        else None
    )
    if payment is None:
        raise InvalidState(f"This checkout is {order.state}; there is nothing to confirm.")
    payment_gateway = get_gateway(payment.gateway)
    result = payment_gateway.confirm(
        payment.gateway_reference, idempotency_key=f"confirm:{payment.public_id}"
    )
    payment_record_result(payment=payment, result=result, now=now)
    order.refresh_from_db()
    _invoice_when_due(order)
    return order

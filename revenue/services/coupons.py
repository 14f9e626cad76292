"""Coupons: percentage or fixed amount off a checkout, optionally for one seller's items, within a validity window
and redemption limits (in all and per buyer).

Applying: the discount is taken off the eligible lines' net amounts before tax, split over them in proportion to
their net with the largest-remainder method (so the parts sum exactly to the discount); seller and platform share
the reduced net by the usual split. Percentages round half-up to the minor unit; a fixed discount never exceeds
what the eligible lines cost.

Counting: `coupon_redeem` runs inside the checkout's order transaction, locks the coupon row (select_for_update),
counts the redemptions that still count (their order neither failed nor was canceled) and only then inserts the
new one, so two checkouts can never both take the last redemption. A declined payment frees its redemption.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from novacron.core.money import SUPPORTED_CURRENCIES, Money
from novacron.core.services.audit import audit_record
from revenue.exceptions import ValidationError
from revenue.models import Coupon, CouponRedemption, Order

FIELD = "coupon"
NOT_COUNTING = (Order.State.FAILED, Order.State.CANCELED)


@dataclass(frozen=True)
class CouponLine:
    seller_id: int
    net: int


@dataclass(frozen=True)
class CouponApplication:
    coupon: Coupon
    discounts: list[int]  # per checkout line, in order

    @property
    def total(self) -> int:
        return sum(self.discounts)


def _normalise(code: str) -> str:
    return (code or "").strip().upper()


def _counting(coupon: Coupon):
    return CouponRedemption.objects.filter(coupon=coupon).exclude(order__state__in=NOT_COUNTING)


def _check_limits(coupon: Coupon, buyer_id: int) -> None:
    if coupon.max_redemptions is not None and _counting(coupon).count() >= coupon.max_redemptions:
        raise ValidationError("This coupon has been fully redeemed.", field=FIELD, code="coupon_exhausted")
    if coupon.max_per_buyer is not None and _counting(coupon).filter(buyer_id=buyer_id).count() >= (
        coupon.max_per_buyer
    ):
        raise ValidationError("You have already used this coupon.", field=FIELD, code="coupon_used")


def coupon_apply(
    *, code: str, lines: list[CouponLine], buyer_id: int, currency: str, now: datetime | None = None
) -> CouponApplication | None:
    """The discount per line for `code` (None for no code). Raises ValidationError (field "coupon") saying why a
    coupon cannot be used. Reads only; the redemption is taken by `coupon_redeem`."""
    code = _normalise(code)
    if not code:
        return None
    now = now or timezone.now()
    coupon = Coupon.objects.filter(code=code, is_active=True).first()
    if coupon is None:
        raise ValidationError(f'"{code}" is not a valid coupon.', field=FIELD, code="coupon_unknown")
    if coupon.valid_from and now < coupon.valid_from:
        raise ValidationError("This coupon is not valid yet.", field=FIELD, code="coupon_not_started")
    if coupon.valid_until and now >= coupon.valid_until:
        raise ValidationError("This coupon has expired.", field=FIELD, code="coupon_expired")
    if coupon.kind == Coupon.Kind.FIXED and coupon.currency != currency:
        raise ValidationError(
            f"This coupon is worth {Money(coupon.amount_off, coupon.currency)}; this checkout is in {currency}.",
            field=FIELD,
            code="coupon_currency",
        )
    eligible = [line.net if coupon.seller_id in (None, line.seller_id) else 0 for line in lines]
    base = sum(eligible)
    if base <= 0:
        raise ValidationError(
            "This coupon does not apply to these items.", field=FIELD, code="coupon_not_applicable"
        )
    _check_limits(coupon, buyer_id)
    if coupon.kind == Coupon.Kind.PERCENT:
        discount = int(
            (Decimal(base) * coupon.percent_off / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        )
    else:
        discount = min(coupon.amount_off, base)
    parts = [part.amount for part in Money(discount, currency).allocate(eligible)]
    return CouponApplication(coupon=coupon, discounts=parts)


def coupon_redeem(*, application: CouponApplication, order: Order, buyer_id: int) -> CouponRedemption:
    """Take one redemption for `order`. Call inside the transaction that creates the order: the coupon row stays
    locked until it commits. Raises ValidationError when a limit was reached meanwhile (the order rolls back)."""
    coupon = Coupon.objects.select_for_update().get(pk=application.coupon.pk)
    if not coupon.is_active:
        raise ValidationError("This coupon has ended.", field=FIELD, code="coupon_unknown")
    _check_limits(coupon, buyer_id)
    return CouponRedemption.objects.create(
        coupon=coupon, order=order, buyer_id=buyer_id, discount=application.total, currency=order.currency
    )


def coupon_create(*, actor: Any, values: dict[str, Any]) -> Coupon:
    """Create a coupon (finance staff or the seller it is limited to: checked by the caller). Audited."""
    code = _normalise(values.get("code", ""))
    if not code or len(code) > 40 or not code.replace("-", "").replace("_", "").isalnum():
        raise ValidationError("Use 1 to 40 letters, digits, - or _.", field="code")
    kind = values.get("kind")
    fields: dict[str, Any] = {
        "code": code,
        "name": (values.get("name") or "")[:120],
        "kind": kind,
        "duration": values.get("duration") or Coupon.Duration.ONCE,
        "duration_in_months": values.get("duration_in_months"),
        "seller": values.get("seller"),
        "valid_from": values.get("valid_from"),
        "valid_until": values.get("valid_until"),
        "max_redemptions": values.get("max_redemptions"),
        "max_per_buyer": values.get("max_per_buyer"),
    }
    if kind == Coupon.Kind.PERCENT:
        percent = values.get("percent_off")
        if percent is None or not Decimal(0) < Decimal(percent) <= 100:
            raise ValidationError("A percentage from 0.01 to 100.", field="percent_off")
        fields["percent_off"] = Decimal(percent)
    elif kind == Coupon.Kind.FIXED:
        currency = (values.get("currency") or "").upper()
        if currency not in SUPPORTED_CURRENCIES:
            raise ValidationError("A fixed coupon needs a supported currency.", field="currency")
        amount = values.get("amount_off")
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            raise ValidationError("A positive amount in minor units.", field="amount_off")
        fields.update(amount_off=amount, currency=currency)
    else:
        raise ValidationError("Kind is percent or fixed.", field="kind")
    if fields["duration"] not in Coupon.Duration.values:
        raise ValidationError("Duration is once, repeating or forever.", field="duration")
    if fields["duration"] == Coupon.Duration.REPEATING and not fields["duration_in_months"]:
        raise ValidationError("Say for how many months.", field="duration_in_months")
    if fields["valid_from"] and fields["valid_until"] and fields["valid_until"] <= fields["valid_from"]:
        raise ValidationError("The end is after the start.", field="valid_until")
    try:
        with transaction.atomic():
            coupon = Coupon.objects.create(**fields)
            audit_record(
                actor=actor,
                action="revenue.coupon_create",
                obj=coupon,
                after={k: str(v) for k, v in fields.items() if v not in (None, "")},
            )
    except IntegrityError as exc:
        raise ValidationError(f"The code {code} is taken.", field="code", code="duplicate") from exc
    return coupon


def coupon_deactivate(*, coupon: Coupon, actor: Any) -> Coupon:
    with transaction.atomic():
        coupon = Coupon.objects.select_for_update().get(pk=coupon.pk)
        if coupon.is_active:
            coupon.is_active = False
            coupon.save(update_fields=["is_active", "updated_at"])
            audit_record(
                actor=actor, action="revenue.coupon_deactivate", obj=coupon, after={"code": coupon.code}
            )
    return coupon

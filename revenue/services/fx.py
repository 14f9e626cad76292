"""Exchange rates: the rate valid on a day, and conversions between minor units.

Rule: the rate valid on day D is the stored rate with the latest `as_of` on or before D. A direct rate
(base → quote) wins; otherwise the inverse of a stored quote → base rate is used (1 / rate, 28 significant
digits). Nothing else is derived or guessed: no cross rates through a third currency, no rate from the future.
A missing rate raises `RateMissing`; callers skip the work (and log it) rather than invent a figure.

Conversion: amount (minor units of `from`) → major units × rate → minor units of `to`, rounded half-to-even
once, at the end (Decimal throughout, never float).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import Any

from django.db import transaction
from django.utils import timezone

from novacron.core.exceptions import NotFound
from novacron.core.money import minor_units, validate_currency
from revenue.models import ExchangeRate


class RateMissing(NotFound):
    code = "fx_rate_missing"


@dataclass(frozen=True)
class FxRate:
    """1 `base` = `rate` `quote`, as stored on `as_of` (inverted from quote → base when `inverted`)."""

    base: str
    quote: str
    rate: Decimal
    as_of: dt.date | None
    source: str
    inverted: bool = False

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready record of the rate used (stored next to every converted figure)."""
        return {
            "base": self.base,
            "quote": self.quote,
            "rate": str(self.rate),
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "source": self.source,
            "inverted": self.inverted,
        }


def _today() -> dt.date:
    return timezone.now().date()


def rate_get(base: str, quote: str, *, on: dt.date | None = None) -> FxRate:
    """The rate valid on `on` (default: today, UTC). Same currency → 1. Raises RateMissing."""
    base, quote = validate_currency(base), validate_currency(quote)
    on = on or _today()
    if base == quote:
        return FxRate(base=base, quote=quote, rate=Decimal(1), as_of=None, source="identity")
    direct = ExchangeRate.objects.filter(base=base, quote=quote, as_of__lte=on).order_by("-as_of").first()
    if direct is not None:
        return FxRate(base=base, quote=quote, rate=direct.rate, as_of=direct.as_of, source=direct.source)
    reverse = ExchangeRate.objects.filter(base=quote, quote=base, as_of__lte=on).order_by("-as_of").first()
    if reverse is not None:
        with localcontext() as ctx:
            ctx.prec = 28
            rate = Decimal(1) / reverse.rate
        return FxRate(
            base=base, quote=quote, rate=rate, as_of=reverse.as_of, source=reverse.source, inverted=True
        )
    raise RateMissing(f"No exchange rate {base}→{quote} on or before {on.isoformat()}.", field="currency")


def convert_with_rate(
    amount: int, from_currency: str, to_currency: str, *, on: dt.date | None = None
) -> tuple[int, FxRate]:
    """(`amount` in `to_currency` minor units, the rate used). Half-to-even to the target's minor unit."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError("amount is an integer number of minor units")
    rate = rate_get(from_currency, to_currency, on=on)
    with localcontext() as ctx:
        ctx.prec = 40
        major = Decimal(amount).scaleb(-minor_units(rate.base))
        target = (major * rate.rate).scaleb(minor_units(rate.quote))
        converted = int(target.to_integral_value(rounding=ROUND_HALF_EVEN))
    return converted, rate


def convert(amount: int, from_currency: str, to_currency: str, *, on: dt.date | None = None) -> int:
    """`amount` minor units of `from_currency` in minor units of `to_currency` at the rate valid on `on`."""
    return convert_with_rate(amount, from_currency, to_currency, on=on)[0]


def rate_set(
    *, base: str, quote: str, rate: Decimal | str, as_of: dt.date | None = None, source: str = "manual"
) -> ExchangeRate:
    """Record (or correct) the rate for one day. A day's rate may be corrected until it is used; figures
    converted with it keep their own copy of the rate (`FxRate.as_dict`)."""
    base, quote = validate_currency(base), validate_currency(quote)
    if base == quote:
        raise ValueError("base and quote must differ")
    value = Decimal(str(rate))
    if not value.is_finite() or value <= 0:
        raise ValueError("an exchange rate is a positive decimal number")
    value = value.quantize(Decimal("1e-10"), rounding=ROUND_HALF_EVEN)  # the column keeps 10 places
    if value <= 0:
        raise ValueError("an exchange rate is a positive decimal number")
    with transaction.atomic():
        obj, _created = ExchangeRate.objects.update_or_create(
            base=base, quote=quote, as_of=as_of or _today(), defaults={"rate": value, "source": source}
        )
    return obj

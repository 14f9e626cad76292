"""Exchange rates: the rate valid on a day, and conversions between minor units.

Rule: the rate valid on day D is the stored rate with the latest `as_of` on or before D. A direct rate
(base → quote) wins; otherwise the inverse of a stored quote → base rate is used (1 / rate, 28 significant
digits); otherwise a cross rate through the pivot currency REVENUE_FX_PIVOT (default EUR, the ECB's base: the
ECB publishes EUR → X only), but only when both legs are the same fixing — same `as_of` and same source — so
a cross rate never mixes days or providers. Nothing else is derived or guessed, and no rate comes from the
future. A missing rate raises `RateMissing`; callers skip the work (and log it) rather than invent a figure.
Every converted figure stores `FxRate.as_dict()` next to it (tiers: SellerTierChange.computation; payouts: the
payout entry's metadata `minimum_rate`).

Updating: `rates_update` fetches one day's rates from the configured provider (revenue/fx_providers.py) and
stores them with their source and `as_of`, idempotent per day: a rerun changes nothing, a provider's
correction updates its own row, and a rate finance entered by hand for that day and pair is kept.

Conversion: amount (minor units of `from`) → major units × rate → minor units of `to`, rounded half-to-even
once, at the end (Decimal throughout, never float).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from novacron.core.exceptions import NotFound, PermissionDenied, ValidationError
from novacron.core.money import CurrencyError, minor_units, validate_currency
from novacron.core.services.audit import audit_record
from revenue.fx_providers import RateProvider, provider_get
from revenue.models import ExchangeRate

logger = logging.getLogger(__name__)


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
    via: str = ""  # the pivot currency of a cross rate
    legs: tuple[dict[str, Any], ...] = field(default=())  # the two rates a cross rate was computed from

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready record of the rate used (stored next to every converted figure)."""
        record: dict[str, Any] = {
            "base": self.base,
            "quote": self.quote,
            "rate": str(self.rate),
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "source": self.source,
            "inverted": self.inverted,
        }
        if self.via:
            record.update(via=self.via, legs=list(self.legs))
        return record


def _today() -> dt.date:
    return timezone.now().date()


def _stored(base: str, quote: str, on: dt.date) -> FxRate | None:
    """A stored direct rate, or the inverse of a stored reverse rate, valid on `on`."""
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
    return None


def _pivot() -> str:
    return (getattr(settings, "REVENUE_FX_PIVOT", "EUR") or "").upper()


def rate_get(base: str, quote: str, *, on: dt.date | None = None) -> FxRate:
    """The rate valid on `on` (default: today, UTC). Same currency → 1. Raises RateMissing."""
    base, quote = validate_currency(base), validate_currency(quote)
    on = on or _today()
    if base == quote:
        return FxRate(base=base, quote=quote, rate=Decimal(1), as_of=None, source="identity")
    found = _stored(base, quote, on)
    if found is not None:
        return found
    pivot = _pivot()
    if pivot and pivot not in (base, quote):
        to_base, to_quote = _stored(pivot, base, on), _stored(pivot, quote, on)
        if (
            to_base is not None
            and to_quote is not None
            and (to_base.as_of, to_base.source) == (to_quote.as_of, to_quote.source)
        ):
            with localcontext() as ctx:
                ctx.prec = 28
                rate = to_quote.rate / to_base.rate  # 1 base = (pivot→quote) / (pivot→base) quote
            return FxRate(
                base=base,
                quote=quote,
                rate=rate,
                as_of=to_base.as_of,
                source=to_base.source,
                via=pivot,
                legs=(to_base.as_dict(), to_quote.as_dict()),
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


MAX_RATE = Decimal("1e10")  # the column holds 10 digits before the point


def _rate_value(rate: Decimal | str) -> Decimal:
    try:
        value = Decimal(str(rate))
    except ArithmeticError as exc:
        raise ValueError("an exchange rate is a positive decimal number") from exc
    if not value.is_finite() or value <= 0 or value >= MAX_RATE:
        raise ValueError("an exchange rate is a positive decimal number below 10 000 000 000")
    value = value.quantize(Decimal("1e-10"), rounding=ROUND_HALF_EVEN)  # the column keeps 10 places
    if value <= 0:
        raise ValueError("an exchange rate is a positive decimal number (at least 0.0000000001)")
    return value


def rate_set(
    *,
    base: str,
    quote: str,
    rate: Decimal | str,
    as_of: dt.date | None = None,
    source: str = "manual",
    actor: Any = None,
) -> ExchangeRate:
    """Record (or correct) the rate for one day. A day's rate may be corrected until it is used; figures
    converted with it keep their own copy of the rate (`FxRate.as_dict`). With an `actor` (finance staff
    entering a rate) the change is audited and the rate records who entered it. Raises ValueError (and
    CurrencyError, a ValueError) for bad input."""
    base, quote = validate_currency(base), validate_currency(quote)
    if base == quote:
        raise ValueError("base and quote must differ")
    value = _rate_value(rate)
    day = as_of or _today()
    with transaction.atomic():
        previous = ExchangeRate.objects.select_for_update().filter(base=base, quote=quote, as_of=day).first()
        before = {"rate": str(previous.rate), "source": previous.source} if previous else None
        obj, _created = ExchangeRate.objects.update_or_create(
            base=base,
            quote=quote,
            as_of=day,
            defaults={"rate": value, "source": source, "entered_by": actor},
        )
        if actor is not None:
            audit_record(
                actor=actor,
                action="revenue.fx_rate_set",
                obj=obj,
                before=before,
                after={
                    "base": base,
                    "quote": quote,
                    "rate": str(value),
                    "as_of": day.isoformat(),
                    "source": source,
                },
            )
    return obj


# --- updating from the configured provider ------------------------------------------------------------------


@dataclass
class RatesUpdate:
    """What one `rates_update` did."""

    source: str
    fetched: bool
    as_of: dt.date | None = None
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: list[str] = field(default_factory=list)  # pairs whose rate that day was entered by another source
    skipped: tuple[str, ...] = ()  # currencies the provider quoted that the platform does not support
    stale: list[str] = field(default_factory=list)  # pairs whose latest rate is older than the stale limit

    def summary(self) -> str:
        if not self.fetched:
            return f"{self.source}: nothing to fetch (rates are entered by finance staff)"
        text = (
            f"{self.source} {self.as_of}: {self.created} new, {self.updated} corrected, "
            f"{self.unchanged} unchanged"
        )
        if self.kept:
            text += f", {len(self.kept)} kept (entered by hand: {', '.join(self.kept)})"
        if self.skipped:
            text += f", not supported: {', '.join(self.skipped)}"
        return text


def rates_stale(*, now: dt.datetime | None = None, max_age_days: int | None = None) -> list[str]:
    """Pairs ("EUR/USD") whose latest rate is older than REVENUE_FX_STALE_DAYS (default 7) days."""
    today = (now or timezone.now()).date()
    limit = max_age_days if max_age_days is not None else int(getattr(settings, "REVENUE_FX_STALE_DAYS", 7))
    latest = (
        ExchangeRate.objects.values("base", "quote").annotate(last=Max("as_of")).order_by("base", "quote")
    )
    return [f"{row['base']}/{row['quote']}" for row in latest if (today - row["last"]).days > limit]


def _store_batch(batch: Any, result: RatesUpdate) -> None:
    pairs = {(r.base, r.quote): _rate_value(r.rate) for r in batch.rates}
    with transaction.atomic():
        existing = {
            (row.base, row.quote): row
            for row in ExchangeRate.objects.select_for_update().filter(
                as_of=batch.as_of, base__in={b for b, _ in pairs}, quote__in={q for _, q in pairs}
            )
        }
        new = []
        for (base, quote), value in sorted(pairs.items()):
            row = existing.get((base, quote))
            if row is None:
                new.append(
                    ExchangeRate(base=base, quote=quote, as_of=batch.as_of, rate=value, source=batch.source)
                )
            elif row.source != batch.source:
                result.kept.append(f"{base}/{quote}")
            elif row.rate == value:
                result.unchanged += 1
            else:
                row.rate = value
                row.save(update_fields=["rate", "recorded_at"])
                result.updated += 1
        ExchangeRate.objects.bulk_create(new)
        result.created = len(new)
        if result.created or result.updated:
            audit_record(
                actor=None,
                action="revenue.fx_update",
                object_type="revenue.exchangerate",
                object_id=f"{batch.source}:{batch.as_of.isoformat()}",
                object_repr=f"{batch.source} rates of {batch.as_of.isoformat()}",
                after={"created": result.created, "updated": result.updated, "kept": result.kept},
            )


def rates_update(*, provider: RateProvider | None = None, now: dt.datetime | None = None) -> RatesUpdate:
    """Fetch one day's rates from `provider` (default: REVENUE_FX_PROVIDER) and store them (see the module
    docstring). Safe to run twice. Raises ProviderError when the provider fails (nothing is stored)."""
    provider = provider or provider_get()
    result = RatesUpdate(source=provider.source, fetched=provider.fetches)
    if provider.fetches:
        batch = provider.fetch()  # outside any transaction: a network call
        result.as_of, result.skipped = batch.as_of, batch.skipped
        try:
            _store_batch(batch, result)
        except IntegrityError:
            # Another run stored the same day meanwhile: count again against what it wrote.
            result = RatesUpdate(
                source=provider.source, fetched=True, as_of=batch.as_of, skipped=batch.skipped
            )
            _store_batch(batch, result)
    result.stale = rates_stale(now=now)
    if result.stale:
        logger.warning("fx rates older than the stale limit: %s", ", ".join(result.stale))
    return result


# --- rates entered by finance staff (portal, API, admin) -------------------------------------------------------

FINANCE_PERMISSION = "accounts.manage_finance"


def rate_enter(
    *, actor: Any, base: str, quote: str, rate: Decimal | str, as_of: dt.date | None = None
) -> ExchangeRate:
    """A manual rate entered by finance staff (source "manual", audited with who entered it). Raises
    PermissionDenied, or ValidationError naming the field."""
    if actor is None or not actor.has_perm(FINANCE_PERMISSION):
        raise PermissionDenied("Only finance staff can enter exchange rates.")
    for name, code in (("base", base), ("quote", quote)):
        try:
            validate_currency(code)
        except CurrencyError as exc:
            raise ValidationError(str(exc), field=name) from exc
    if (base or "").upper() == (quote or "").upper():
        raise ValidationError("Choose two different currencies.", field="quote")
    try:
        value = _rate_value(rate)
    except ValueError as exc:
        raise ValidationError(f"Enter the rate as a positive decimal number ({exc}).", field="rate") from exc
    return rate_set(base=base, quote=quote, rate=value, as_of=as_of, source="manual", actor=actor)

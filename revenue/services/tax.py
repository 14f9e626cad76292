"""Tax: the calculator registered into revenue's tax hook, VAT number validation (python-stdnum, then VIES when
REVENUE_VIES_ENABLED), the dated rate table and buyers' billing profiles. Rules: revenue/tax/rules.py.

Rounding: tax per line = net × rate rounded half-up to the minor unit (what invoices print per line)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import babel
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from stdnum import exceptions as stdnum_errors
from stdnum.eu import vat as eu_vat
from stdnum.gb import vat as gb_vat

from novacron.core.services.audit import audit_record
from revenue import hooks
from revenue.exceptions import ValidationError
from revenue.models import BillingProfile, TaxRate, VatNumberCheck
from revenue.tax import rules, vies

COUNTRIES = frozenset(code for code in babel.Locale("en").territories if len(code) == 2 and code.isalpha())


# --- rate table ------------------------------------------------------------------------------------------------


def tax_rate_on(*, jurisdiction: str, on: date) -> TaxRate | None:
    """The rate in force in `jurisdiction` on day `on` (latest valid_from on or before it)."""
    return (
        TaxRate.objects.filter(jurisdiction=jurisdiction, valid_from__lte=on).order_by("-valid_from").first()
    )


def tax_rate_set(
    *,
    jurisdiction: str,
    rate: Decimal,
    valid_from: date,
    kind: str = TaxRate.Kind.VAT,
    note: str = "",
    actor=None,
) -> TaxRate:
    """Add a rate that applies from `valid_from` (a rate change: sales before that day keep the old rate)."""
    jurisdiction = (jurisdiction or "").strip().upper()
    country = jurisdiction[:2]
    if country not in COUNTRIES or (len(jurisdiction) > 2 and jurisdiction[2] != "-"):
        raise ValidationError('Use a country code ("DE") or country-region ("US-CA").', field="jurisdiction")
    rate = Decimal(rate)
    if not Decimal(0) <= rate < 1:
        raise ValidationError("The rate is a fraction from 0 to below 1, e.g. 0.19 for 19%.", field="rate")
    if kind not in TaxRate.Kind.values:
        raise ValidationError(f"Kind is one of {', '.join(TaxRate.Kind.values)}.", field="kind")
    try:
        with transaction.atomic():
            tax_rate = TaxRate.objects.create(
                jurisdiction=jurisdiction,
                country=country,
                rate=rate,
                valid_from=valid_from,
                kind=kind,
                note=note,
            )
            audit_record(
                actor=actor,
                action="revenue.tax_rate_set",
                obj=tax_rate,
                after={"jurisdiction": jurisdiction, "rate": str(rate), "valid_from": valid_from.isoformat()},
            )
    except IntegrityError as exc:
        raise ValidationError(
            f"{jurisdiction} already has a rate from {valid_from}.", field="valid_from", code="duplicate"
        ) from exc
    return tax_rate


# --- VAT numbers -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VatNumber:
    number: str  # compact, with its prefix ("DE136695976")
    country: str  # ISO country of the number ("GR" for an EL number)


def vat_number_parse(value: str, *, field: str = "vat_number") -> VatNumber:
    """Syntax and checksum (python-stdnum) of an EU or UK VAT number; raises ValidationError saying what is wrong."""
    raw = (value or "").strip()
    compact = "".join(ch for ch in raw.upper() if ch.isalnum())
    prefix = compact[:2].upper()
    if prefix in ("GB", "XI"):
        module, label = gb_vat, "UK"
        compact = "GB" + gb_vat.compact(compact[2:])
    elif rules.vat_country(prefix).lower() in eu_vat.MEMBER_STATES and prefix != "GR":
        module, label = eu_vat, prefix
    else:
        raise ValidationError(
            "Enter an EU or UK VAT number starting with its country code, e.g. DE123456789.", field=field
        )
    try:
        module.validate(compact)
    except stdnum_errors.InvalidChecksum as exc:
        raise ValidationError(
            f"{compact} is not a valid {label} VAT number: its check digits are wrong.", field=field
        ) from exc
    except stdnum_errors.ValidationError as exc:
        raise ValidationError(
            f"{compact} is not a valid {label} VAT number: wrong length or format.", field=field
        ) from exc
    return VatNumber(number=compact, country="GB" if prefix == "XI" else rules.vat_country(prefix))


def vat_number_check(
    *, vat: VatNumber, now: datetime | None = None, client: Any = None
) -> VatNumberCheck | None:
    """Ask VIES about an EU number (when REVENUE_VIES_ENABLED), reusing an answer younger than
    REVENUE_VIES_CACHE_DAYS (30). Returns the check (valid, invalid, or pending while VIES is unreachable), or
    None when VIES is off or the number is not an EU one."""
    if not vies.vies_enabled() or vat.country not in rules.EU_MEMBER_STATES:
        return None
    now = now or timezone.now()
    fresh_for = timedelta(days=int(getattr(settings, "REVENUE_VIES_CACHE_DAYS", 30)))
    check = VatNumberCheck.objects.filter(vat_number=vat.number).first()
    if (
        check
        and check.state != VatNumberCheck.State.PENDING
        and check.checked_at
        and now - check.checked_at < fresh_for
    ):
        return check
    result = (client or vies.vies_client()).check(vat.number[:2], vat.number[2:])
    values: dict[str, Any] = {"country": vat.country, "last_error": result.error[:200]}
    if result.state == "unavailable":
        values["state"] = (
            check.state
            if check and check.state != VatNumberCheck.State.PENDING and check.checked_at
            else "pending"
        )
    else:
        values.update(
            state=result.state,
            name=result.name,
            address=result.address,
            consultation_number=result.consultation_number,
            checked_at=now,
        )
    with transaction.atomic():
        check, _ = VatNumberCheck.objects.select_for_update().get_or_create(
            vat_number=vat.number, defaults={"country": vat.country, "state": values["state"]}
        )
        for key, value in values.items():
            setattr(check, key, value)
        check.attempts += 1
        check.save()
    return check


# --- billing profiles --------------------------------------------------------------------------------------------


def billing_profile_for(*, buyer_id: int, organization_id: int | None) -> BillingProfile | None:
    if organization_id is not None:
        return BillingProfile.objects.filter(organization_id=organization_id).first()
    return BillingProfile.objects.filter(user_id=buyer_id).first()


PROFILE_FIELDS = (
    "legal_name",
    "address_line1",
    "address_line2",
    "postal_code",
    "city",
    "region",
    "country",
    "vat_number",
    "email",
)


def billing_profile_update(
    *, actor: Any, values: dict[str, str], organization_id: int | None = None
) -> BillingProfile:
    """Create or update the actor's (or an organisation's, for its billing staff: checked by the caller) billing
    details. The country and the VAT number are validated; the VAT number must belong to the country."""
    clean = {key: str(values.get(key, "") or "").strip() for key in PROFILE_FIELDS}
    clean["country"] = clean["country"].upper()
    clean["region"] = clean["region"].upper()
    if clean["country"] and clean["country"] not in COUNTRIES:
        raise ValidationError("Unknown country code (use ISO 3166, e.g. DE).", field="country")
    if clean["vat_number"]:
        vat = vat_number_parse(clean["vat_number"])
        if clean["country"] and vat.country != clean["country"]:
            raise ValidationError(
                f"This VAT number is from {vat.country}, the billing country is {clean['country']}.",
                field="vat_number",
            )
        clean["vat_number"] = vat.number
    if clean["country"] == "US" and clean["region"] and len(clean["region"]) != 2:
        raise ValidationError("Use the two-letter state code, e.g. CA.", field="region")
    owner = {"organization_id": organization_id} if organization_id else {"user_id": actor.pk}
    with transaction.atomic():
        profile, created = BillingProfile.objects.select_for_update().get_or_create(**owner, defaults=clean)
        before = None if created else {key: getattr(profile, key) for key in PROFILE_FIELDS}
        for key, value in clean.items():
            setattr(profile, key, value)
        profile.save()
        audit_record(
            actor=actor, action="revenue.billing_profile_update", obj=profile, before=before, after=clean
        )
    return profile


# --- the calculator ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Supply:
    jurisdiction: str
    rate: Decimal
    note: str = ""


def _no_tax() -> _Supply:
    return _Supply("", Decimal(0))


def _table(jurisdiction: str, on: date) -> _Supply:
    tax_rate = tax_rate_on(jurisdiction=jurisdiction, on=on)
    if tax_rate is None or not tax_rate.rate:
        return _no_tax()
    return _Supply(jurisdiction, tax_rate.rate)


def _supply(context: hooks.TaxContext, on: date) -> _Supply:
    profile = billing_profile_for(buyer_id=context.buyer_id, organization_id=context.organization_id)
    country = (context.billing_country or (profile.country if profile else "") or context.ip_country).upper()
    if country and country not in COUNTRIES:
        raise ValidationError(
            f'"{country}" is not a country code (ISO 3166, e.g. DE).', field="billing_country"
        )
    vat_input = context.vat_number or (profile.vat_number if profile else "")
    vat = vat_number_parse(vat_input) if vat_input else None
    if vat is not None and country and vat.country != country:
        raise ValidationError(
            f"This VAT number is from {vat.country}, the billing country is {country}.", field="vat_number"
        )
    if vat is not None:
        country = country or vat.country
    if not country:
        return _no_tax()
    issuer_country = rules.issuer()["country"]
    if country in rules.EU_MEMBER_STATES:
        if vat is not None and country != issuer_country:
            check = vat_number_check(vat=vat)
            if check is not None and check.state == VatNumberCheck.State.INVALID:
                raise ValidationError(
                    f"{vat.number} is not registered for VAT (VIES). Remove it to buy as a consumer.",
                    field="vat_number",
                    code="vat_number_not_registered",
                )
            return _Supply(country, Decimal(0), rules.REVERSE_CHARGE_EU)
        return _table(country, on)
    if country == "GB":
        if vat is not None and issuer_country != "GB":
            return _Supply("GB", Decimal(0), rules.REVERSE_CHARGE_GB)
        return _table("GB", on)
    if country == "US":
        nexus = rules.us_nexus_states()
        state = (profile.region if profile and profile.country == "US" else "").upper()
        if not nexus or not state or state not in nexus:
            return _no_tax()
        return _table(f"US-{state}", on)
    return _table(country, on)


def tax_calculate(lines: list[hooks.TaxInput], context: hooks.TaxContext) -> list[hooks.TaxLine]:
    """revenue's tax calculator (registered in RevenueConfig.ready): one place of supply per checkout, one rate."""
    supply = _supply(context, timezone.now().date())
    return [
        hooks.TaxLine(
            amount=int((Decimal(line.net_amount) * supply.rate).quantize(Decimal(1), rounding=ROUND_HALF_UP)),
            rate=supply.rate,
            jurisdiction=supply.jurisdiction,
            note=supply.note,
        )
        for line in lines
    ]

"""Exchange-rate providers: where `manage.py fx_update` (and the daily task revenue.update_fx_rates) get rates.

The setting REVENUE_FX_PROVIDER names the class by dotted path (default: the manual provider). A provider has a
`source` (stored on every rate it supplies) and `fetch()`, which returns one day's rates or raises ProviderError.

- EcbRateProvider ("ecb"): the European Central Bank's daily euro foreign exchange reference rates
  (eurofxref-daily.xml, published around 16:00 CET on TARGET working days): 1 EUR = rate X for ~30 currencies.
  Currencies the platform does not support are left out. The URL is REVENUE_FX_ECB_URL.
- ManualRateProvider ("manual"): rates are entered by finance staff (portal, API, admin, `fx_set_rate`); it has
  nothing to fetch, so `fetches` is False and `fx_update` only reports stale pairs.

Another provider: subclass RateProvider, set `source`, implement `fetch`, point REVENUE_FX_PROVIDER at it.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import httpx
from django.conf import settings
from django.utils.module_loading import import_string

from novacron.core.money import SUPPORTED_CURRENCIES

ECB_DAILY_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml"
MAX_RESPONSE_BYTES = 1_000_000
DEFAULT_PROVIDER = "revenue.fx_providers.ManualRateProvider"


class ProviderError(Exception):
    """The provider could not be reached or answered something unusable; nothing is stored."""


@dataclass(frozen=True)
class ProvidedRate:
    base: str
    quote: str
    rate: Decimal


@dataclass(frozen=True)
class RateBatch:
    """One day's rates from one source."""

    source: str
    as_of: dt.date
    rates: list[ProvidedRate]
    skipped: tuple[str, ...] = ()  # currencies the provider quoted that the platform does not support


class RateProvider:
    source = ""
    fetches = True  # False: rates are entered by people, there is nothing to fetch

    def fetch(self) -> RateBatch:
        raise NotImplementedError


class ManualRateProvider(RateProvider):
    """Rates entered by finance staff; `fetch` is never called (fetches = False)."""

    source = "manual"
    fetches = False

    def fetch(self) -> RateBatch:
        raise ProviderError("Manual rates are entered by finance staff; there is nothing to fetch.")


class EcbRateProvider(RateProvider):
    source = "ecb"

    def __init__(self, url: str | None = None, timeout: float = 10.0) -> None:
        self.url = url or getattr(settings, "REVENUE_FX_ECB_URL", "") or ECB_DAILY_URL
        self.timeout = timeout

    def fetch(self) -> RateBatch:
        try:
            response = httpx.get(self.url, timeout=self.timeout, headers={"Accept": "application/xml"})
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise ProviderError(f"The ECB could not be reached: {exc}") from exc
        if len(response.content) > MAX_RESPONSE_BYTES:
            raise ProviderError("The ECB answer is unexpectedly large.")
        return ecb_parse(response.content)


def _parse_xml(data: bytes) -> ET.Element:
    # Reference-rate files never carry a DTD; refusing one rules out entity expansion attacks.
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ProviderError("The rates document declares a DTD or entities; refused.")
    try:
        return ET.fromstring(data)  # noqa: S314
    except ET.ParseError as exc:
        raise ProviderError(f"The rates document is not valid XML: {exc}") from exc


def ecb_parse(data: bytes) -> RateBatch:
    """Parse eurofxref-daily.xml: <Cube><Cube time="YYYY-MM-DD"><Cube currency="USD" rate="1.0412"/>…"""
    root = _parse_xml(data)
    day = next((cube for cube in root.iter() if cube.tag.endswith("Cube") and cube.get("time")), None)
    if day is None:
        raise ProviderError("No dated Cube element in the ECB document.")
    try:
        as_of = dt.date.fromisoformat(day.get("time", ""))
    except ValueError as exc:
        raise ProviderError(f"Unreadable ECB date {day.get('time')!r}.") from exc
    rates, skipped = [], []
    for cube in day:
        currency, value = (cube.get("currency") or "").upper(), cube.get("rate") or ""
        if not currency:
            continue
        try:
            rate = Decimal(value)
        except InvalidOperation as exc:
            raise ProviderError(f"Unreadable ECB rate {value!r} for {currency}.") from exc
        if not rate.is_finite() or rate <= 0:
            raise ProviderError(f"Unusable ECB rate {value!r} for {currency}.")
        if currency not in SUPPORTED_CURRENCIES or currency == "EUR":
            skipped.append(currency)
            continue
        rates.append(ProvidedRate(base="EUR", quote=currency, rate=rate))
    if not rates:
        raise ProviderError("The ECB document holds no usable rates.")
    return RateBatch(source=EcbRateProvider.source, as_of=as_of, rates=rates, skipped=tuple(skipped))


def provider_get(path: str | None = None) -> RateProvider:
    """An instance of the provider class at `path` (default: REVENUE_FX_PROVIDER)."""
    path = path or getattr(settings, "REVENUE_FX_PROVIDER", "") or DEFAULT_PROVIDER
    try:
        cls = import_string(path)
    except ImportError as exc:
        raise ProviderError(f"No exchange-rate provider at {path!r}.") from exc
    if not (isinstance(cls, type) and issubclass(cls, RateProvider)):
        raise ProviderError(f"{path!r} is not a RateProvider subclass.")
    return cls()

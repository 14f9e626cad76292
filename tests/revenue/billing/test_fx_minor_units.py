"""Currencies: ISO 4217 minor units (JPY none, BHD three) through conversion, tiers, payout minimums and checkout;
every converted figure stores the rate it used."""

import datetime as dt
from datetime import UTC, datetime, timedelta

import pytest
from babel.numbers import get_currency_name

from novacron.core.money import SUPPORTED_CURRENCIES, CurrencyError, Money, minor_units
from revenue.models import Invoice, SellerTierChange, Tier
from revenue.services.checkout import checkout_create
from revenue.services.fx import convert, convert_with_rate, rate_set
from revenue.services.invoice_documents import invoice_pdf
from revenue.services.payouts import payout_minimum
from revenue.services.tiers import tiers_recompute
from tests.factories import UserFactory
from tests.revenue.billing.conftest import VISA, pdf_text
from tests.revenue.factories import LineSpec, ProductFactory, SellerFactory, create_paid_order

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
DAY = NOW.date()


def _ecb_fixing(day: dt.date = DAY) -> None:
    """Part of one ECB fixing: 1 EUR = rate X."""
    for quote, rate in (("USD", "1.1581"), ("JPY", "181.13"), ("BHD", "0.4366")):
        rate_set(base="EUR", quote=quote, rate=rate, as_of=day, source="ecb")


def test_the_platform_supports_50_plus_iso_currencies_with_their_minor_units():
    assert len(SUPPORTED_CURRENCIES) >= 50
    assert len(set(SUPPORTED_CURRENCIES)) == len(SUPPORTED_CURRENCIES)
    for code in SUPPORTED_CURRENCIES:
        assert get_currency_name(code, locale="en") != code  # a real ISO 4217 code CLDR knows
    expected = {"JPY": 0, "KRW": 0, "CLP": 0, "ISK": 0, "VND": 0, "BHD": 3, "KWD": 3, "JOD": 3, "OMR": 3,
                "TND": 3, "USD": 2, "EUR": 2, "RSD": 2, "HUF": 2}  # fmt: skip
    assert {code: minor_units(code) for code in expected} == expected
    assert Money.from_decimal("12.345", "BHD").amount == 12_345
    assert Money.from_decimal("1500", "JPY").amount == 1_500
    with pytest.raises(CurrencyError):
        Money.from_decimal("10.5", "JPY")
    assert Money(12_345, "BHD").format() == "BHD12.345"
    assert Money(1_500, "JPY").format() == "¥1,500"


@pytest.mark.django_db
def test_conversion_rounds_to_the_target_minor_unit_for_jpy_and_bhd():
    _ecb_fixing()
    assert convert(10_00, "EUR", "JPY", on=DAY) == 1_811  # ¥1811.3 → ¥1811
    assert convert(10_00, "EUR", "BHD", on=DAY) == 4_366  # BD 4.366
    assert convert(1_000, "JPY", "EUR", on=DAY) == 5_52  # €5.5209… → €5.52
    amount, rate = convert_with_rate(1_000, "JPY", "BHD", on=DAY)  # cross rate through EUR
    assert amount == 2_410  # BD 2.41042… → 2.410
    assert rate.as_dict()["via"] == "EUR"


@pytest.mark.django_db
def test_tiers_convert_bhd_and_jpy_revenue_and_record_every_rate():
    # given a seller who sold BD 40,000 and ¥2,000,000, and the day's ECB fixing (EUR based only)
    seller = SellerFactory()
    create_paid_order(lines=[LineSpec(seller, 40_000_000)], currency="BHD", paid_at=NOW - timedelta(days=20))
    create_paid_order(lines=[LineSpec(seller, 2_000_000)], currency="JPY", paid_at=NOW - timedelta(days=5))
    _ecb_fixing()

    # when tiers are recomputed
    assert tiers_recompute(now=NOW) == 1

    # then each currency is converted to US cents through EUR, and the tier change stores each rate used
    seller.refresh_from_db()
    assert seller.tier == Tier.SILVER
    change = SellerTierChange.objects.get(seller=seller)
    bhd, jpy = (change.computation["by_currency"][c] for c in ("BHD", "JPY"))
    assert (bhd["net"], bhd["usd_cents"]) == (40_000_000, 10_610_169)  # BD 40,000 × 2.6525… = $106,101.69
    assert (jpy["net"], jpy["usd_cents"]) == (2_000_000, 1_278_750)
    assert change.trailing_revenue_usd == 10_610_169 + 1_278_750
    for record in (bhd["rate"], jpy["rate"]):
        assert (record["via"], record["source"], record["as_of"]) == ("EUR", "ecb", "2026-11-25")
        assert len(record["legs"]) == 2


@pytest.mark.django_db
def test_the_payout_minimum_in_bhd_has_three_decimals_and_keeps_its_rate():
    seller = SellerFactory(payout_minimum_usd=25_00)
    _ecb_fixing()
    amount, rate = payout_minimum(seller=seller, currency="BHD", on=DAY)
    assert amount == 9_425  # $25 × 0.37699… = BD 9.425
    assert rate["via"] == "EUR"
    assert rate["quote"] == "BHD"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "case",
    [
        ("JPY", 1_500, "DE", 4_500, 855, "¥5,355"),  # 19% of ¥4,500, no decimals
        ("BHD", 12_345, "US", 37_035, 0, "BHD37.035"),  # three decimals, no US nexus
    ],
)
def test_checkout_and_invoice_in_currencies_without_two_decimals(
    local_gateways, django_capture_on_commit_callbacks, case
):
    currency, unit, country, subtotal, tax, printed = case
    product = ProductFactory(unit_amount=unit, currency=currency)
    with django_capture_on_commit_callbacks(execute=True):
        order = checkout_create(
            buyer=UserFactory(),
            items=[("revenue.product", str(product.public_id), 3)],
            currency=currency,
            payment_method=VISA,
            billing_country=country,
        )
    assert order.state == order.State.PAID
    assert (order.subtotal, order.tax_total, order.total) == (subtotal, tax, subtotal + tax)
    invoice = Invoice.objects.get(order=order)
    assert invoice.currency == currency
    assert printed in pdf_text(invoice_pdf(invoice)).replace("\xa0", " ")

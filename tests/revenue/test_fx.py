"""Exchange rates: the rate valid on a day, inverse rates, half-even conversion to the target's minor units."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from revenue.models import ExchangeRate
from revenue.services.fx import RateMissing, convert, convert_with_rate, rate_get, rate_set

pytestmark = pytest.mark.django_db

D = dt.date(2025, 3, 10)


def test_rate_valid_on_a_day_is_the_latest_on_or_before_it():
    rate_set(base="EUR", quote="USD", rate="1.10", as_of=D - dt.timedelta(days=10))
    rate_set(base="EUR", quote="USD", rate="1.08", as_of=D)
    rate_set(base="EUR", quote="USD", rate="1.20", as_of=D + dt.timedelta(days=1))

    assert rate_get("EUR", "USD", on=D).rate == Decimal("1.08")
    assert rate_get("EUR", "USD", on=D - dt.timedelta(days=1)).rate == Decimal("1.10")
    with pytest.raises(RateMissing):
        rate_get("EUR", "USD", on=D - dt.timedelta(days=11))  # never a rate from the future


def test_inverse_rate_is_used_when_no_direct_rate_exists_but_no_cross_rates():
    rate_set(base="EUR", quote="USD", rate="1.25", as_of=D)
    rate = rate_get("USD", "EUR", on=D)
    assert rate.rate == Decimal("0.8")
    assert rate.inverted
    rate_set(base="GBP", quote="USD", rate="1.30", as_of=D)
    with pytest.raises(RateMissing):
        rate_get("EUR", "GBP", on=D)


def test_convert_rounds_half_even_to_the_target_minor_units():
    rate_set(base="USD", quote="JPY", rate="150.5", as_of=D)
    rate_set(base="USD", quote="EUR", rate="0.5", as_of=D)
    rate_set(base="USD", quote="KWD", rate="0.3075", as_of=D)

    assert convert(1_00, "USD", "JPY", on=D) == 150  # 150.5 → 150 (even)
    assert convert(3_00, "USD", "JPY", on=D) == 452  # 451.5 → 452 (even)
    assert convert(1, "USD", "EUR", on=D) == 0  # 0.5 cent → 0
    assert convert(3, "USD", "EUR", on=D) == 2  # 1.5 cents → 2
    amount, rate = convert_with_rate(10_00, "USD", "KWD", on=D)
    assert amount == 3_075  # three minor digits
    assert rate.as_dict()["rate"] == "0.3075000000"
    assert convert(12_34, "USD", "USD", on=D) == 12_34


def test_fx_set_rate_command():
    call_command("fx_set_rate", "gbp", "usd", "1.2712", "--date", "2025-03-10")
    assert ExchangeRate.objects.get(base="GBP", quote="USD", as_of=D).rate == Decimal("1.2712")
    with pytest.raises(CommandError):
        call_command("fx_set_rate", "GBP", "USD", "-1")
    with pytest.raises(CommandError):
        call_command("fx_set_rate", "GBP", "XXX", "1")

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from novacron.core.money import SUPPORTED_CURRENCIES, CurrencyError, Money, minor_units


def test_minor_units_follow_iso_4217():
    assert minor_units("USD") == 2
    assert minor_units("JPY") == 0
    assert minor_units("BHD") == 3
    assert len(SUPPORTED_CURRENCIES) >= 50


def test_from_decimal_refuses_more_precision_than_the_currency_has():
    assert Money.from_decimal("12.34", "USD") == Money(1234, "USD")
    assert Money.from_decimal("500", "JPY") == Money(500, "JPY")
    with pytest.raises(CurrencyError):
        Money.from_decimal("1.5", "JPY")


def test_money_refuses_floats_and_mixed_currencies():
    with pytest.raises(TypeError):
        Money(1.5, "USD")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money.from_decimal(1.5, "USD")  # type: ignore[arg-type]
    with pytest.raises(CurrencyError):
        Money(1, "USD") + Money(1, "EUR")
    with pytest.raises(CurrencyError):
        Money(1, "XXX")


def test_formatting_uses_cldr():
    assert Money(123456, "USD").format("en_US") == "$1,234.56"
    assert Money(123456, "EUR").format("de_DE") == "1.234,56\xa0€"
    assert Money(1234, "JPY").format("en_US") == "¥1,234"


def test_multiply_rounds_half_even_to_the_minor_unit():
    assert Money(1005, "USD").multiply(Decimal("0.5")) == Money(502, "USD")
    assert Money(1015, "USD").multiply(Decimal("0.5")) == Money(508, "USD")


@given(
    amount=st.integers(min_value=-(10**12), max_value=10**12),
    weights=st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=8).filter(any),
)
def test_allocate_parts_always_sum_to_the_whole(amount, weights):
    parts = Money(amount, "EUR").allocate(weights)
    assert sum(p.amount for p in parts) == amount
    assert len(parts) == len(weights)
    # no part strays more than one minor unit from its exact share
    total = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        assert abs(Decimal(part.amount) - Decimal(amount) * weight / total) < 1


def test_allocate_seventy_thirty():
    developer, platform = Money(999, "USD").allocate([70, 30])
    assert (developer.amount, platform.amount) == (699, 300)

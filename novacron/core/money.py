"""Money: integer minor units plus an ISO 4217 code. Never a float.

Minor units per currency come from ISO 4217 (JPY has none, BHD has three); formatting uses babel's CLDR data.
Splits state their rounding rule and their parts always sum to the whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from functools import total_ordering

from babel.numbers import format_currency, get_currency_name

# ISO 4217 minor units that differ from the default of 2.
_MINOR_UNITS_EXCEPTIONS: dict[str, int] = {
    "BIF": 0,
    "CLP": 0,
    "DJF": 0,
    "GNF": 0,
    "ISK": 0,
    "JPY": 0,
    "KMF": 0,
    "KRW": 0,
    "PYG": 0,
    "RWF": 0,
    "UGX": 0,
    "UYI": 0,
    "VND": 0,
    "VUV": 0,
    "XAF": 0,
    "XOF": 0,
    "XPF": 0,
    "BHD": 3,
    "IQD": 3,
    "JOD": 3,
    "KWD": 3,
    "LYD": 3,
    "OMR": 3,
    "TND": 3,
    "CLF": 4,
    "UYW": 4,
}

# Currencies the platform accepts (ISO 4217 active codes; 50+ as the product requires).
SUPPORTED_CURRENCIES: tuple[str, ...] = (
    "AED",
    "ARS",
    "AUD",
    "BDT",
    "BGN",
    "BHD",
    "BRL",
    "CAD",
    "CHF",
    "CLP",
    "CNY",
    "COP",
    "CZK",
    "DKK",
    "EGP",
    "EUR",
    "GBP",
    "GHS",
    "HKD",
    "HUF",
    "IDR",
    "ILS",
    "INR",
    "ISK",
    "JOD",
    "JPY",
    "KES",
    "KRW",
    "KWD",
    "MAD",
    "MXN",
    "MYR",
    "NGN",
    "NOK",
    "NZD",
    "OMR",
    "PEN",
    "PHP",
    "PKR",
    "PLN",
    "QAR",
    "RON",
    "RSD",
    "SAR",
    "SEK",
    "SGD",
    "THB",
    "TND",
    "TRY",
    "TWD",
    "UAH",
    "USD",
    "VND",
    "ZAR",
)


class CurrencyError(ValueError):
    pass


def validate_currency(code: str) -> str:
    code = (code or "").upper()
    if code not in SUPPORTED_CURRENCIES:
        raise CurrencyError(f"Unsupported currency {code!r}; use an ISO 4217 code such as USD or EUR.")
    return code


def minor_units(currency: str) -> int:
    """Digits after the decimal point for an ISO 4217 currency."""
    return _MINOR_UNITS_EXCEPTIONS.get(currency.upper(), 2)


@total_ordering
@dataclass(frozen=True, slots=True)
class Money:
    amount: int  # minor units
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise TypeError("Money.amount is an integer number of minor units")
        object.__setattr__(self, "currency", validate_currency(self.currency))

    # --- construction ---------------------------------------------------------------------------
    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def from_decimal(cls, value: Decimal | str | int, currency: str) -> Money:
        """Parse a major-unit amount ("12.34" USD → 1234). Refuses more precision than the currency has."""
        if isinstance(value, float):
            raise TypeError("Money never comes from a float; pass a Decimal or a string")
        exponent = minor_units(currency)
        scaled = Decimal(value) * (Decimal(10) ** exponent)
        if scaled != scaled.to_integral_value():
            raise CurrencyError(
                f"{value} has more decimal places than {currency.upper()} allows ({exponent})."
            )
        return cls(int(scaled), currency)

    # --- views ------------------------------------------------------------------------------------
    @property
    def decimal(self) -> Decimal:
        return Decimal(self.amount).scaleb(-minor_units(self.currency))

    def format(self, locale: str = "en_US") -> str:
        return format_currency(self.decimal, self.currency, locale=locale.replace("-", "_"))

    def currency_name(self, locale: str = "en_US") -> str:
        return get_currency_name(self.currency, locale=locale.replace("-", "_"))

    def __str__(self) -> str:
        return self.format()

    # --- arithmetic (same currency only) ------------------------------------------------------------
    def _check(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyError(f"cannot combine {self.currency} with {other.currency}")
        return other

    def __add__(self, other: Money) -> Money:
        return Money(self.amount + self._check(other).amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.amount - self._check(other).amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._check(other).amount

    def __bool__(self) -> bool:
        return self.amount != 0

    def multiply(self, rate: Decimal, rounding: str = ROUND_HALF_EVEN) -> Money:
        """Multiply by a Decimal rate, rounding to the minor unit (banker's rounding by default)."""
        if isinstance(rate, float):
            raise TypeError("rates are Decimal, never float")
        return Money(
            int((Decimal(self.amount) * Decimal(rate)).to_integral_value(rounding=rounding)), self.currency
        )

    def allocate(self, weights: list[int] | list[Decimal]) -> list[Money]:
        """Split by weights with the largest-remainder method; the parts always sum to self.

        Ties in the remainder go to the earlier part, so the result is deterministic.
        """
        if not weights or any(w < 0 for w in weights):
            raise ValueError("weights must be non-empty and non-negative")
        total = sum(Decimal(w) for w in weights)
        if total == 0:
            raise ValueError("weights must not all be zero")
        sign = -1 if self.amount < 0 else 1
        whole = abs(self.amount)
        exact = [Decimal(whole) * Decimal(w) / total for w in weights]
        floors = [int(x) for x in exact]
        leftover = whole - sum(floors)
        order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
        for i in order[:leftover]:
            floors[i] += 1
        return [Money(sign * part, self.currency) for part in floors]

    def to_dict(self) -> dict[str, object]:
        return {"amount": self.amount, "currency": self.currency, "formatted": self.format()}

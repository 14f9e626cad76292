"""Render minor units for people: format_minor(1999, "EUR") == "19.99 EUR". No floats anywhere."""

from decimal import Decimal

# ISO 4217 minor units that differ from the default of 2 (the same table as the server's Money type).
_ZERO_DECIMALS = (
    "BIF",
    "CLP",
    "DJF",
    "GNF",
    "ISK",
    "JPY",
    "KMF",
    "KRW",
    "PYG",
    "RWF",
    "UGX",
    "UYI",
    "VND",
    "VUV",
)
_EXPONENTS = {
    **dict.fromkeys((*_ZERO_DECIMALS, "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
    "CLF": 4,
    "UYW": 4,
}


def minor_units(currency: str) -> int:
    return _EXPONENTS.get(currency.upper(), 2)


def to_major(amount: int, currency: str) -> Decimal:
    """1999 EUR → Decimal("19.99"); 500 JPY → Decimal("500")."""
    exponent = minor_units(currency)
    return Decimal(amount).scaleb(-exponent).quantize(Decimal(1).scaleb(-exponent))


def format_minor(amount: int, currency: str, *, grouping: bool = True) -> str:
    """1234567 USD → "12,345.67 USD"."""
    major = to_major(amount, currency)
    exponent = minor_units(currency)
    text = f"{major:,.{exponent}f}" if grouping else f"{major:.{exponent}f}"
    return f"{text} {currency.upper()}"

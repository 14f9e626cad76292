"""ISO 3166-1 alpha-2 country codes, with names from the CLDR data Babel ships (no extra dependency)."""

from functools import cache

from babel import Locale, UnknownLocaleError

# CLDR territories with two letters that are not ISO 3166-1 country codes (regions, reserved and private-use).
_NOT_ISO_3166 = frozenset(
    {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "XK", "ZZ"}
)

COUNTRY_CODES: frozenset[str] = frozenset(
    code
    for code in Locale("en").territories
    if len(code) == 2 and code.isalpha() and code not in _NOT_ISO_3166
)


def is_country_code(value: str) -> bool:
    return value in COUNTRY_CODES


@cache
def country_choices(language: str = "en") -> list[tuple[str, str]]:
    """(code, name) pairs sorted by name in `language` (a Django language code such as "pt-br")."""
    try:
        locale = Locale.parse(language.replace("-", "_"), sep="_")
    except (UnknownLocaleError, ValueError):
        locale = Locale("en")
    names = locale.territories
    return sorted(((code, names.get(code, code)) for code in COUNTRY_CODES), key=lambda pair: pair[1])

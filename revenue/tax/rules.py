"""Which jurisdiction taxes a sale of an electronically supplied service, and the legal mentions.

- EU: place of supply is the customer's member state (billing country; IP country when none was given). A
  business customer with a valid VAT number of another member state than the issuer's → reverse charge (0%,
  the customer accounts for the VAT). Same member state as the issuer → that state's VAT.
- GB: UK VAT; a UK business with a valid GB VAT number → reverse charge (the supplier is not UK-established).
- US: the state's rate, only in states listed in REVENUE_US_NEXUS_STATES (the platform has nexus there).
- Anywhere else: the country's rate if the table has one, else no tax.
"""

from __future__ import annotations

from django.conf import settings

EU_MEMBER_STATES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
)
# VAT numbers use EL for Greece; place of supply uses ISO GR.
VAT_PREFIX_TO_COUNTRY = {"EL": "GR"}

REVERSE_CHARGE_EU = (
    "Reverse charge: VAT to be accounted for by the customer (Article 196, Directive 2006/112/EC)."
)
REVERSE_CHARGE_GB = "Reverse charge: customer to account for VAT to HMRC (VAT Act 1994, section 8)."


def issuer() -> dict[str, str]:
    """The issuing entity printed on invoices (setting REVENUE_INVOICE_ISSUER overrides any key)."""
    defaults = {
        "code": "NC",
        "name": "NovaCron Community Ltd",
        "address": "1 Grand Canal Square\nDublin 2, D02 P820",
        "country": "IE",
        "vat_number": "IE6388047V",
        "email": "billing@novacron.example",
    }
    return {**defaults, **getattr(settings, "REVENUE_INVOICE_ISSUER", {})}


def us_nexus_states() -> frozenset[str]:
    return frozenset(s.strip().upper() for s in getattr(settings, "REVENUE_US_NEXUS_STATES", []) if s.strip())


def vat_country(vat_number: str) -> str:
    prefix = vat_number[:2].upper()
    return VAT_PREFIX_TO_COUNTRY.get(prefix, prefix)

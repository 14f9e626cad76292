"""Tax evidence taken from the request: the buyer's IP country, as a trusted proxy or CDN reports it in the header
named by REVENUE_IP_COUNTRY_HEADER (e.g. "CF-IPCountry" behind Cloudflare; empty = off). Only honour a header
your own proxy sets and overwrites: a client could otherwise send any country."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings

COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
NOT_A_COUNTRY = {"XX", "T1", "ZZ"}  # Cloudflare: unknown, Tor; ZZ: the CLDR "unknown region"


def ip_country_from_request(request: Any) -> str:
    """The two-letter country in the configured header, or "" (header off, missing or not a country code)."""
    header = (getattr(settings, "REVENUE_IP_COUNTRY_HEADER", "") or "").strip()
    if not header:
        return ""
    value = (request.headers.get(header) or "").strip().upper()
    if not COUNTRY_RE.match(value) or value in NOT_A_COUNTRY:
        return ""
    return value

"""VIES (the EU's VAT number validation service) behind a small interface, so tests and other transports can
stand in. The HTTP client speaks VIES's REST API: GET {base}/ms/{country}/vat/{number}."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

import httpx
from django.conf import settings

DEFAULT_URL = "https://ec.europa.eu/taxation_customs/vies/rest-api"
DEFAULT_TIMEOUT = 5.0


@dataclass(frozen=True)
class ViesResult:
    state: Literal["valid", "invalid", "unavailable"]
    name: str = ""
    address: str = ""
    consultation_number: str = ""
    error: str = ""


class ViesClient(Protocol):
    def check(self, country: str, number: str) -> ViesResult: ...


class HttpViesClient:
    """Answers "unavailable" (never raises) when VIES or the member state's service cannot be reached."""

    # VIES's userError values that mean "ask again later", not "invalid".
    UNAVAILABLE = {
        "MS_UNAVAILABLE",
        "TIMEOUT",
        "SERVICE_UNAVAILABLE",
        "MS_MAX_CONCURRENT_REQ",
        "GLOBAL_MAX_CONCURRENT_REQ",
        "SERVER_BUSY",
    }

    def __init__(self, base_url: str = DEFAULT_URL, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def check(self, country: str, number: str) -> ViesResult:
        url = f"{self.base_url}/ms/{country}/vat/{number}"
        try:
            response = httpx.get(url, timeout=self.timeout, headers={"Accept": "application/json"})
        except httpx.HTTPError as exc:
            return ViesResult(state="unavailable", error=f"{type(exc).__name__}: {exc}"[:200])
        if response.status_code >= 500:
            return ViesResult(state="unavailable", error=f"HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            return ViesResult(state="unavailable", error=f"HTTP {response.status_code}: not JSON")
        if not isinstance(body, dict):
            return ViesResult(state="unavailable", error="unexpected answer")
        user_error = str(body.get("userError") or "")
        if user_error in self.UNAVAILABLE or response.status_code >= 400:
            return ViesResult(state="unavailable", error=user_error or f"HTTP {response.status_code}")
        clean = {k: str(body.get(k) or "").strip() for k in ("name", "address", "requestIdentifier")}
        return ViesResult(
            state="valid" if body.get("isValid") is True else "invalid",
            name="" if clean["name"] == "---" else clean["name"][:200],
            address="" if clean["address"] == "---" else clean["address"],
            consultation_number=clean["requestIdentifier"][:60],
            error="" if body.get("isValid") else user_error,
        )


def vies_enabled() -> bool:
    return bool(getattr(settings, "REVENUE_VIES_ENABLED", False))


def vies_client() -> ViesClient:
    return HttpViesClient(
        base_url=getattr(settings, "REVENUE_VIES_URL", DEFAULT_URL),
        timeout=float(getattr(settings, "REVENUE_VIES_TIMEOUT", DEFAULT_TIMEOUT)),
    )

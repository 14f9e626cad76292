"""Open Badges 3.0 credentials as VC-JWTs signed with Ed25519 (EdDSA), and their offline verification.

Pure functions: no database, no network. Everything a verifier needs is the token, the issuer's published keys
(JWKs) and, for the status check, the issuer's status list credential (itself a VC-JWT signed by the same keys).

Format (Open Badges 3.0 §8.2 "VC-JWT"): the JWT payload *is* the credential, with the registered claims
`iss` = issuer.id, `jti` = id, `sub` = credentialSubject.id, `nbf` = validFrom, `exp` = validUntil; the JOSE header
is {"alg": "EdDSA", "typ": "vc+jwt", "kid": "<issuer id>#<key id>"}. JSON-LD contexts are pinned: the verifier
only accepts the context URLs we ship copies of (certification/contexts/), so nothing is fetched.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from jwt.algorithms import OKPAlgorithm

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
JWT_TYPE = "vc+jwt"
MEDIA_TYPE = "application/vc+jwt"
STATUS_LIST_BITS = 131_072  # 16 KiB, the minimum the Bitstring Status List spec requires for herd privacy

_DIR = Path(__file__).resolve().parent / "contexts"
CONTEXT_FILES = {VC_V2: "credentials-v2.jsonld", OB_V3: "ob-v3p0-3.0.3.jsonld"}
SCHEMA_FILES = {OB_SCHEMA: "ob-v3p0-achievementcredential-schema.json"}


@cache
def context_document(url: str) -> dict[str, Any]:
    """The pinned local copy of a JSON-LD context (KeyError for contexts we do not ship)."""
    return json.loads((_DIR / CONTEXT_FILES[url]).read_text(encoding="utf-8"))


@cache
def schema_document(url: str = OB_SCHEMA) -> dict[str, Any]:
    return json.loads((_DIR / SCHEMA_FILES[url]).read_text(encoding="utf-8"))


def context_digest(url: str) -> str:
    """sha256 of the shipped file, published next to it so anyone can compare their copy."""
    return hashlib.sha256((_DIR / CONTEXT_FILES[url]).read_bytes()).hexdigest()


# --- keys -----------------------------------------------------------------------------------------------------

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_ED25519_PUB_MULTICODEC = b"\xed\x01"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def base58btc(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rem = divmod(number, 58)
        out = _B58[rem] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def public_jwk(public_key: Ed25519PublicKey, kid: str) -> dict[str, str]:
    raw = public_key.public_bytes_raw()
    return {"kty": "OKP", "crv": "Ed25519", "x": _b64url(raw), "kid": kid, "alg": "EdDSA", "use": "sig"}


def public_multibase(jwk: dict[str, str]) -> str:
    """The Multikey form of an Ed25519 JWK: 'z' + base58btc(0xed01 || raw key)."""
    return "z" + base58btc(_ED25519_PUB_MULTICODEC + _b64url_decode(jwk["x"]))


def key_from_jwk(jwk: dict[str, Any]) -> Ed25519PublicKey:
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise ValueError("not an Ed25519 JWK")
    return OKPAlgorithm.from_jwk(json.dumps({"kty": "OKP", "crv": "Ed25519", "x": jwk["x"]}))


# --- issuing --------------------------------------------------------------------------------------------------


def isoformat(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def sign(payload: dict[str, Any], *, private_key: Ed25519PrivateKey, kid: str) -> str:
    """A VC-JWT: the credential with its registered claims, signed with EdDSA."""
    claims = dict(payload)
    claims["iss"] = payload["issuer"]["id"] if isinstance(payload["issuer"], dict) else payload["issuer"]
    claims["jti"] = payload["id"]
    subject = payload.get("credentialSubject", {})
    if subject.get("id"):
        claims["sub"] = subject["id"]
    claims["nbf"] = int(_parse_time(payload["validFrom"]).timestamp())
    if payload.get("validUntil"):
        claims["exp"] = int(_parse_time(payload["validUntil"]).timestamp())
    return jwt.encode(claims, private_key, algorithm="EdDSA", headers={"typ": JWT_TYPE, "kid": kid})


def enveloped(token: str) -> dict[str, Any]:
    """The VC Data Model 2.0 JSON wrapper of a VC-JWT (what the "credential JSON" download holds)."""
    return {"@context": [VC_V2], "id": f"data:{MEDIA_TYPE},{token}", "type": "EnvelopedVerifiableCredential"}


def unwrap(value: str | dict[str, Any]) -> str:
    """A VC-JWT from what a user pastes: the token itself, or an EnvelopedVerifiableCredential (JSON or dict)."""
    if isinstance(value, str):
        text = value.strip()
        if not text.startswith("{"):
            return text
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise ValueError("This is neither a VC-JWT nor JSON.") from exc
    if isinstance(value, dict):
        prefix = f"data:{MEDIA_TYPE},"
        if value.get("type") == "EnvelopedVerifiableCredential" and str(value.get("id", "")).startswith(
            prefix
        ):
            return str(value["id"])[len(prefix) :]
        if "proof" not in value:
            raise ValueError(
                "This JSON credential carries no proof. Paste the VC-JWT or the EnvelopedVerifiableCredential "
                "(the .json download), which contain the signature."
            )
    raise ValueError("Unsupported credential format: expected a VC-JWT (EdDSA).")


# --- status list ---------------------------------------------------------------------------------------------


def encode_status_list(indices: set[int] | list[int], size: int = STATUS_LIST_BITS) -> str:
    """Multibase (u = base64url, no padding) of the GZIP-compressed bitstring; bit 0 is the first byte's
    most significant bit, as the Bitstring Status List spec defines."""
    bits = bytearray(size // 8)
    for index in indices:
        if not 0 <= index < size:
            raise ValueError(f"status index {index} outside the list")
        bits[index // 8] |= 0x80 >> (index % 8)
    return "u" + _b64url(gzip.compress(bytes(bits), mtime=0))


def status_bit(encoded_list: str, index: int) -> bool:
    if not encoded_list.startswith("u"):
        raise ValueError("encodedList is not multibase base64url")
    bits = gzip.decompress(_b64url_decode(encoded_list[1:]))
    if len(bits) * 8 < STATUS_LIST_BITS:
        raise ValueError("status list shorter than 16 KiB")
    if not 0 <= index < len(bits) * 8:
        raise ValueError("status index outside the list")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


# --- verification --------------------------------------------------------------------------------------------

CHECKS = ("format", "issuer_key", "signature", "schema", "validity", "status")
CHECK_LABELS = {
    "format": "Credential format",
    "issuer_key": "Issuer key",
    "signature": "Signature",
    "schema": "Open Badges 3.0 structure",
    "validity": "Validity window",
    "status": "Revocation status",
}


@dataclass
class Check:
    name: str
    ok: bool | None  # None: not performed (an earlier check failed or the input was missing)
    message: str

    @property
    def label(self) -> str:
        return CHECK_LABELS[self.name]


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)
    credential: dict[str, Any] | None = None
    header: dict[str, Any] | None = None

    @property
    def valid(self) -> bool:
        return all(check.ok is True for check in self.checks) and len(self.checks) == len(CHECKS)

    @property
    def failed(self) -> list[Check]:
        return [check for check in self.checks if check.ok is False]

    def summary(self) -> str:
        if self.valid:
            return "Valid: every check passed."
        failed = self.failed
        if failed:
            return "Not valid: " + "; ".join(f"{c.label.lower()} — {c.message}" for c in failed)
        return "Not verified: " + "; ".join(c.message for c in self.checks if c.ok is None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "summary": self.summary(),
            "checks": [{**asdict(c), "label": c.label} for c in self.checks],
            "credential": self.credential,
        }


StatusFetcher = Callable[[str], str | None]  # status list credential URL -> its VC-JWT (None: unavailable)


def _skip(report: Report, after: str, reason: str) -> Report:
    for name in CHECKS[CHECKS.index(after) + 1 :]:
        report.checks.append(Check(name, None, reason))
    return report


def _verify_jwt(token: str, key: Ed25519PublicKey) -> dict[str, Any]:
    # Time claims are checked separately (the validity check reports them on their own).
    return jwt.decode(
        token,
        key,
        algorithms=["EdDSA"],
        options={"verify_exp": False, "verify_nbf": False, "verify_aud": False},
    )


def _schema_problems(payload: dict[str, Any]) -> list[str]:
    problems = []
    contexts = payload.get("@context") or []
    unknown = [c for c in contexts if isinstance(c, str) and c not in CONTEXT_FILES]
    if unknown:
        problems.append(f"unpinned JSON-LD context {unknown[0]} (only shipped contexts are accepted)")
    validator = jsonschema.Draft202012Validator(schema_document(), format_checker=jsonschema.FormatChecker())
    for error in sorted(validator.iter_errors(payload), key=lambda e: list(e.path)):
        where = "/".join(str(p) for p in error.path) or "credential"
        problems.append(f"{where}: {error.message}")
    issuer = payload.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    claims = {
        "iss": issuer_id,
        "jti": payload.get("id"),
        "sub": (payload.get("credentialSubject") or {}).get("id"),
    }
    for claim, expected in claims.items():
        if expected is not None and payload.get(claim) != expected:
            problems.append(f"JWT claim {claim} does not match the credential")
    for claim, member in (("nbf", "validFrom"), ("exp", "validUntil")):
        if payload.get(member):
            try:
                if int(_parse_time(payload[member]).timestamp()) != payload.get(claim):
                    problems.append(f"JWT claim {claim} does not match {member}")
            except (TypeError, ValueError):
                problems.append(f"{member} is not a date-time")
    return problems


def _check_status(
    payload: dict[str, Any], *, keys: dict[str, dict[str, Any]], issuer_id: str, fetch: StatusFetcher | None
) -> Check:
    entry = payload.get("credentialStatus")
    if not entry:
        return Check("status", True, "The credential has no status entry; it cannot be revoked.")
    if fetch is None:
        return Check("status", None, "The status list was not provided, so revocation was not checked.")
    list_url = entry.get("statusListCredential", "")
    list_token = fetch(list_url)
    if not list_token:
        return Check("status", None, f"The status list {list_url} could not be obtained.")
    try:
        header = jwt.get_unverified_header(list_token)
        jwk = keys.get(header.get("kid", ""))
        if jwk is None:
            return Check("status", False, "The status list is signed with a key the issuer does not publish.")
        status_list = _verify_jwt(list_token, key_from_jwk(jwk))
    except (jwt.InvalidTokenError, ValueError) as exc:
        return Check("status", False, f"The status list's signature is invalid ({exc}).")
    list_issuer = status_list.get("issuer")
    list_issuer = list_issuer.get("id") if isinstance(list_issuer, dict) else list_issuer
    subject = status_list.get("credentialSubject") or {}
    if list_issuer != issuer_id or status_list.get("id") != list_url:
        return Check("status", False, "The status list belongs to another issuer or URL.")
    if subject.get("statusPurpose") != entry.get("statusPurpose"):
        return Check("status", False, "The status list's purpose does not match the credential's entry.")
    try:
        flagged = status_bit(subject.get("encodedList", ""), int(entry.get("statusListIndex", "-1")))
    except (ValueError, OSError) as exc:
        return Check("status", False, f"The status list cannot be read ({exc}).")
    if flagged:
        return Check(
            "status", False, f"The issuer has revoked this credential ({entry.get('statusPurpose')})."
        )
    return Check("status", True, "Not revoked according to the issuer's signed status list.")


def verify(
    token: str,
    *,
    keys: dict[str, dict[str, Any]],
    issuer_id: str | None = None,
    now: datetime | None = None,
    fetch_status_list: StatusFetcher | None = None,
) -> Report:
    """Verify a VC-JWT against the issuer's published keys ({kid: jwk}; kid as in the JWT header).
    Each check is reported separately; a check that cannot run after an earlier failure is marked skipped."""
    now = now or datetime.now(tz=UTC)
    report = Report()
    try:
        header = jwt.get_unverified_header(token)
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError as exc:
        report.checks.append(Check("format", False, f"This is not a well-formed JWT ({exc})."))
        return _skip(report, "format", "Skipped: the credential could not be read.")
    report.header, report.credential = header, unverified
    if header.get("alg") != "EdDSA":
        report.checks.append(
            Check("format", False, f"Unsupported algorithm {header.get('alg')!r}; expected EdDSA.")
        )
        return _skip(report, "format", "Skipped: unsupported algorithm.")
    report.checks.append(Check("format", True, "A VC-JWT signed with EdDSA (Ed25519)."))

    kid = header.get("kid", "")
    claimed_issuer = unverified.get("iss", "")
    expected_issuer = issuer_id or claimed_issuer
    jwk = keys.get(kid)
    if jwk is None:
        report.checks.append(
            Check("issuer_key", False, f"The signing key {kid!r} is not one the issuer publishes.")
        )
        return _skip(report, "issuer_key", "Skipped: no trusted key.")
    if not kid.startswith(expected_issuer) or claimed_issuer != expected_issuer:
        report.checks.append(
            Check("issuer_key", False, f"The credential names another issuer ({claimed_issuer}).")
        )
        return _skip(report, "issuer_key", "Skipped: wrong issuer.")
    report.checks.append(
        Check("issuer_key", True, f"Signed with the issuer's published key {jwk.get('kid', kid)}.")
    )

    try:
        payload = _verify_jwt(token, key_from_jwk(jwk))
    except (jwt.InvalidTokenError, ValueError):
        report.checks.append(
            Check("signature", False, "The signature does not match the content: the credential was altered.")
        )
        return _skip(report, "signature", "Skipped: the content cannot be trusted.")
    report.checks.append(Check("signature", True, "The signature matches the content."))

    problems = _schema_problems(payload)
    report.checks.append(
        Check(
            "schema", not problems, "; ".join(problems) if problems else "A well-formed OpenBadgeCredential."
        )
    )

    try:
        valid_from = _parse_time(payload["validFrom"])
        valid_until = _parse_time(payload["validUntil"]) if payload.get("validUntil") else None
    except (KeyError, TypeError, ValueError):
        report.checks.append(Check("validity", False, "The validity dates are missing or malformed."))
    else:
        if now < valid_from:
            report.checks.append(Check("validity", False, f"Not valid before {isoformat(valid_from)}."))
        elif valid_until is not None and now >= valid_until:
            report.checks.append(Check("validity", False, f"Expired on {isoformat(valid_until)}."))
        else:
            until = f" until {isoformat(valid_until)}" if valid_until else ""
            report.checks.append(Check("validity", True, f"Valid from {isoformat(valid_from)}{until}."))

    report.checks.append(
        _check_status(payload, keys=keys, issuer_id=expected_issuer, fetch=fetch_status_list)
    )
    return report

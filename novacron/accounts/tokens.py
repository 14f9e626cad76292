"""Token format and hashing. Tokens are 256-bit random secrets, so a fast SHA-256 is the right hash
(a slow password hash buys nothing against a secret that cannot be guessed)."""

import hashlib
import secrets

from novacron.accounts.models import ApiToken

TOKEN_PREFIX = "nc_"  # noqa: S105 (a public marker, not a secret)


def hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def generate_token() -> tuple[str, str]:
    """Return (prefix, full token). The prefix is public and identifies the token in lists."""
    prefix = secrets.token_hex(4)
    return prefix, f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"


def find_token(raw: str) -> ApiToken | None:
    if not raw.startswith(TOKEN_PREFIX):
        return None
    return ApiToken.objects.select_related("user").filter(token_hash=hash_secret(raw)).first()

"""Rows the endpoints need: the bench user with a personal API token (scope `read`), then every seed function
registered in novacron.core.bench. Runs in the bench process after `django.setup()` and migrations."""

from __future__ import annotations

from typing import Any

BENCH_EMAIL = "bench@novacron.invalid"


def seed() -> dict[str, str]:
    """Return the values paths may use, including `token` (the raw Bearer token)."""
    from django.db import transaction

    from novacron.accounts.models import ApiToken, User
    from novacron.accounts.tokens import generate_token, hash_secret
    from novacron.core.bench import seeds

    with transaction.atomic():
        user = User.objects.create_user(email=BENCH_EMAIL, password=None, display_name="Bench user")
        prefix, raw = generate_token()
        ApiToken.objects.create(
            user=user, name="bench/http", prefix=prefix, token_hash=hash_secret(raw), scopes=["read"]
        )
    values: dict[str, Any] = {"user_id": str(user.public_id)}
    for function in seeds():
        values.update(function(user) or {})
    values["token"] = raw
    return {key: str(value) for key, value in values.items()}

"""Personal API tokens: create (the secret is returned once, only its hash is stored) and revoke."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from novacron.accounts.models import ApiToken, User
from novacron.accounts.scopes import SCOPES
from novacron.accounts.services._shared import staff_can
from novacron.accounts.tokens import generate_token, hash_secret
from novacron.core.exceptions import Conflict, PermissionDenied, ValidationError
from novacron.core.services.audit import audit_record

MAX_ACTIVE_TOKENS = 50
NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length


def _scope_covered(scope: str, held: set[str]) -> bool:
    """Whether a token holding `held` may hand out `scope` (write implies read, global implies area)."""
    if scope in held:
        return True
    area, _, level = scope.partition(":")
    if not level:  # "read" is covered by "write"; "write" only by itself
        return scope == "read" and "write" in held
    if level == "read":
        return bool({"read", "write", f"{area}:write"} & held)
    return "write" in held


def _clean_scopes(scopes: list[str]) -> list[str]:
    if not isinstance(scopes, list | tuple | set) or not scopes:
        raise ValidationError("Choose at least one scope.", field="scopes")
    unknown = sorted({str(scope) for scope in scopes} - SCOPES.keys())
    if unknown:
        raise ValidationError(
            f"Unknown scope(s): {', '.join(unknown)}. Valid scopes: {', '.join(SCOPES)}.", field="scopes"
        )
    return sorted(set(scopes))


def api_token_create(
    *,
    user: User,
    name: str,
    scopes: list[str],
    expires_at: datetime | None = None,
    granting_scopes: list[str] | None = None,
    now: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Create a token for `user` and return it with the raw secret, which is never stored or shown again.

    `granting_scopes` are the scopes of the API token making this request, if any: a token can only create
    tokens with scopes it holds itself, so a leaked narrow token cannot mint a broader one.
    """
    now = now or timezone.now()
    name = (name or "").strip()
    if not name:
        raise ValidationError("Give the token a name so you can recognise it later.", field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(f"Use at most {NAME_MAX_LENGTH} characters.", field="name")
    scopes = _clean_scopes(scopes)
    if granting_scopes is not None:
        held = set(granting_scopes)
        wider = [scope for scope in scopes if not _scope_covered(scope, held)]
        if wider:
            raise PermissionDenied(
                f"This API token cannot create a token with scope(s) it does not hold: {', '.join(wider)}.",
                field="scopes",
            )
    if expires_at is not None:
        if timezone.is_naive(expires_at):
            raise ValidationError("Give the expiry with a time zone.", field="expires_at")
        if expires_at <= now:
            raise ValidationError("The expiry must be in the future.", field="expires_at")

    with transaction.atomic():
        # Lock the user row before counting so two concurrent creates cannot both pass the limit.
        User.objects.select_for_update().filter(pk=user.pk).first()
        active = (
            ApiToken.objects.filter(user=user, revoked_at__isnull=True).exclude(expires_at__lte=now).count()
        )
        if active >= MAX_ACTIVE_TOKENS:
            raise Conflict(
                f"You already have {MAX_ACTIVE_TOKENS} active tokens; revoke one you no longer use.",
                code="token_limit_reached",
            )
        prefix, raw = generate_token()
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=prefix,
            token_hash=hash_secret(raw),
            scopes=scopes,
            expires_at=expires_at,
        )
        audit_record(
            actor=user,
            action="api_token.created",
            obj=token,
            after={
                "name": name,
                "prefix": prefix,
                "scopes": scopes,
                "expires_at": expires_at.isoformat() if expires_at else None,
            },
        )
    return token, raw


def api_token_revoke(*, actor: User, token: ApiToken, now: datetime | None = None) -> ApiToken:
    """Revoke a token. Its owner may, and staff with `accounts.change_apitoken` (the admin action).
    Revoking a revoked token changes nothing and writes no audit row."""
    if token.user_id != actor.pk and not staff_can(actor, "accounts.change_apitoken"):
        raise PermissionDenied("You can only revoke your own API tokens.")
    now = now or timezone.now()
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            return token
        token.revoked_at = now
        token.save(update_fields=["revoked_at", "updated_at"])
        audit_record(
            actor=actor,
            action="api_token.revoked",
            obj=token,
            before={"revoked_at": None},
            after={"revoked_at": now.isoformat(), "user": str(token.user.public_id)},
        )
    return token

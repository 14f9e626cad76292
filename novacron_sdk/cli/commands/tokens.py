"""tokens list | create | revoke."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, time

from novacron_sdk.cli.context import Context
from novacron_sdk.cli.errors import UsageError
from novacron_sdk.cli.output import print_fields, print_table, when
from novacron_sdk.cli.registry import CommandGroup, arg

LIMIT = arg("--limit", type=int, default=100, metavar="N", help="show at most N (default 100)")

tokens = CommandGroup("tokens", "Your personal API tokens.")


@tokens.command("list", "List your API tokens, active first.", LIMIT, examples=("novacron tokens list",))
def tokens_list(ctx: Context, args: argparse.Namespace) -> int:
    """List your personal API tokens (the secrets are never shown again; the prefix identifies a token)."""
    items = ctx.client().accounts.tokens(limit=args.limit).all()
    if ctx.json:
        ctx.print_json([dict(item.raw) for item in items])
        return 0
    print_table(
        ("PREFIX", "NAME", "SCOPES", "STATE", "CREATED", "EXPIRES", "LAST USED", "ID"),
        [
            (
                f"nc_{t.prefix}_…",
                t.name,
                ",".join(t.scopes),
                t.state,
                when(t.created_at),
                when(t.expires_at),
                when(t.last_used_at),
                t.public_id,
            )
            for t in items
        ],
        ctx.stdout,
        empty="No API tokens.",
    )
    return 0


def _expiry(value: str) -> datetime:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError as exc:
            raise UsageError(f"--expires: {value!r} is not a date (YYYY-MM-DD) or an ISO 8601 time") from exc
        return moment if moment.tzinfo else moment.astimezone()
    return datetime.combine(day, time.max.replace(microsecond=0), tzinfo=UTC)


@tokens.command(
    "create",
    "Create an API token; its secret is shown once.",
    arg("name", help="a name to recognise it by, e.g. 'CI deploys'"),
    arg(
        "--scope",
        dest="scopes",
        action="append",
        metavar="SCOPE",
        help="read, write, or <area>:read|write (repeat; default: read)",
    ),
    arg("--expires", metavar="DATE", help="expiry date (YYYY-MM-DD, end of day UTC) or ISO 8601 time"),
    examples=(
        'novacron tokens create "CI reports" --scope revenue:read --expires 2026-12-31',
        'novacron tokens create "laptop" --scope read --scope write',
    ),
)
def tokens_create(ctx: Context, args: argparse.Namespace) -> int:
    """Create a personal API token. A token can only create tokens with scopes it holds itself. The secret is
    printed once: store it now."""
    expires_at = _expiry(args.expires) if args.expires else None
    created = ctx.client().accounts.create_token(
        name=args.name, scopes=args.scopes or ["read"], expires_at=expires_at
    )
    if ctx.json:
        ctx.print_json(dict(created.raw))
        return 0
    print_fields(
        [
            ("Token", created.token),
            ("Name", created.name),
            ("Scopes", ", ".join(created.scopes)),
            ("Expires", when(created.expires_at)),
            ("ID", created.public_id),
        ],
        ctx.stdout,
    )
    ctx.stderr.write("This is the only time the token is shown: store it now.\n")
    return 0


@tokens.command(
    "revoke",
    "Revoke an API token by its id.",
    arg("id", help="the token's id (see `novacron tokens list`)"),
    examples=("novacron tokens revoke 0b7c5d1e-…",),
)
def tokens_revoke(ctx: Context, args: argparse.Namespace) -> int:
    """Revoke one of your API tokens; it stops working at once. Revoking a revoked token succeeds."""
    ctx.client().accounts.revoke_token(args.id)
    if ctx.json:
        ctx.print_json({"revoked": args.id})
    else:
        ctx.print(f"Revoked token {args.id}.")
    return 0


COMMANDS = [tokens]

"""orgs list | show | members."""

from __future__ import annotations

import argparse

from novacron_sdk.cli.context import Context
from novacron_sdk.cli.output import print_fields, print_table, when
from novacron_sdk.cli.registry import CommandGroup, arg

LIMIT = arg("--limit", type=int, default=100, metavar="N", help="show at most N (default 100)")

orgs = CommandGroup("orgs", "The organisations you belong to.")


@orgs.command(
    "list", "List your organisations and your role in each.", LIMIT, examples=("novacron orgs list",)
)
def orgs_list(ctx: Context, args: argparse.Namespace) -> int:
    """List the organisations you are a member of."""
    items = ctx.client().accounts.organizations(limit=args.limit).all()
    if ctx.json:
        ctx.print_json([dict(item.raw) for item in items])
        return 0
    print_table(
        ("SLUG", "NAME", "KIND", "MY ROLE", "MEMBERS", "COUNTRY"),
        [(o.slug, o.name, o.kind, o.my_role, o.member_count, o.country or "-") for o in items],
        ctx.stdout,
        align="<<<<><",
        empty="You belong to no organisation.",
    )
    return 0


@orgs.command(
    "show", "Show one organisation.", arg("ref", help="slug or id"), examples=("novacron orgs show acme",)
)
def orgs_show(ctx: Context, args: argparse.Namespace) -> int:
    """Show an organisation you belong to, by slug or id."""
    org = ctx.client().accounts.organization(args.ref)
    if ctx.json:
        ctx.print_json(dict(org.raw))
        return 0
    print_fields(
        [
            ("Name", org.name),
            ("Slug", org.slug),
            ("Kind", org.kind),
            ("My role", org.my_role),
            ("Members", org.member_count),
            ("Country", org.country or "-"),
            ("Website", org.website or "-"),
            ("Created", when(org.created_at)),
            ("ID", org.public_id),
        ],
        ctx.stdout,
    )
    return 0


@orgs.command(
    "members",
    "List an organisation's members.",
    arg("ref", help="slug or id"),
    LIMIT,
    examples=("novacron orgs members acme",),
)
def orgs_members(ctx: Context, args: argparse.Namespace) -> int:
    """List the members of an organisation you belong to, with their roles."""
    items = ctx.client().accounts.members(args.ref, limit=args.limit).all()
    if ctx.json:
        ctx.print_json([dict(item.raw) for item in items])
        return 0
    print_table(
        ("EMAIL", "NAME", "ROLE", "JOINED"),
        [(m.email, m.display_name or "-", m.role, when(m.joined_at)) for m in items],
        ctx.stdout,
        empty="No members.",
    )
    return 0


COMMANDS = [orgs]

"""purchases list | show (orders you placed)."""

from __future__ import annotations

import argparse

from novacron_sdk.cli.context import Context
from novacron_sdk.cli.output import money, print_fields, print_table, shorten, when
from novacron_sdk.cli.registry import CommandGroup, arg

purchases = CommandGroup("purchases", "Orders you placed.")


@purchases.command(
    "list",
    "Your purchases, newest first.",
    arg("--limit", type=int, default=50, metavar="N", help="show at most N (default 50)"),
    examples=("novacron purchases list",),
)
def purchases_list(ctx: Context, args: argparse.Namespace) -> int:
    """Orders you placed, newest first."""
    items = ctx.client().revenue.purchases(limit=args.limit).all()
    if ctx.json:
        ctx.print_json([dict(item.raw) for item in items])
        return 0
    print_table(
        ("DATE", "ITEMS", "TOTAL", "REFUNDED", "STATE", "ID"),
        [
            (
                when(o.created_at),
                shorten(", ".join(line.description for line in o.lines), 40),
                money(o.total, o.currency),
                money(o.refunded_total, o.currency) if o.refunded_total else "-",
                o.state,
                o.public_id,
            )
            for o in items
        ],
        ctx.stdout,
        align="<<>><<",
        empty="No purchases yet.",
    )
    return 0


@purchases.command(
    "show",
    "One of your purchases.",
    arg("id", help="the order id"),
    examples=("novacron purchases show 6f1…",),
)
def purchases_show(ctx: Context, args: argparse.Namespace) -> int:
    """One of your purchases with its lines."""
    order = ctx.client().revenue.purchase(args.id)
    if ctx.json:
        ctx.print_json(dict(order.raw))
        return 0
    print_fields(
        [
            ("Order", order.public_id),
            ("State", order.state),
            ("Placed", when(order.created_at)),
            ("Paid", when(order.paid_at)),
            ("Subtotal", money(order.subtotal, order.currency)),
            ("Tax", money(order.tax_total, order.currency)),
            ("Total", money(order.total, order.currency)),
            ("Refunded", money(order.refunded_total, order.currency)),
        ],
        ctx.stdout,
    )
    ctx.print()
    print_table(
        ("ITEM", "SELLER", "QTY", "UNIT", "TAX"),
        [
            (
                shorten(line.description, 40),
                line.seller,
                line.quantity,
                money(line.unit_amount, order.currency),
                money(line.tax_amount, order.currency),
            )
            for line in order.lines
        ],
        ctx.stdout,
        align="<<>>>",
    )
    return 0


COMMANDS = [purchases]

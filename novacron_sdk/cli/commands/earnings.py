"""earnings balances | statement | payouts | tier (the revenue API; tokens need revenue:read or read)."""

from __future__ import annotations

import argparse
from datetime import date, timedelta

from novacron_sdk.cli.context import Context
from novacron_sdk.cli.errors import UsageError
from novacron_sdk.cli.output import money, print_fields, print_table, shorten, when
from novacron_sdk.cli.registry import CommandGroup, arg
from novacron_sdk.money import format_minor

SELLER = arg("--seller", metavar="ID", help="a seller id (yours or an organisation's); default: your own")

earnings = CommandGroup("earnings", "Your earnings as a seller: balances, statement, payouts, tier.")


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from exc


@earnings.command(
    "balances", "Your balances per seller and currency.", SELLER, examples=("novacron earnings balances",)
)
def earnings_balances(ctx: Context, args: argparse.Namespace) -> int:
    """Balances per seller (yours and your organisations') and currency: pending (in escrow), available for
    payout, reserve, in transit, paid to date, and net."""
    result = ctx.client().revenue.balances(seller=args.seller)
    if ctx.json:
        ctx.print_json(dict(result.raw))
        return 0
    rows = [
        (
            s.seller.display_name,
            b.currency,
            money(b.pending, b.currency),
            money(b.available, b.currency),
            money(b.reserve, b.currency),
            money(b.in_transit, b.currency),
            money(b.receivable, b.currency),
            money(b.paid_to_date, b.currency),
            money(b.net, b.currency),
        )
        for s in result.sellers
        for b in s.balances
    ]
    empty = "No earnings yet." if not result.sellers else "No balances yet (nothing sold)."
    print_table(
        ("SELLER", "CUR", "PENDING", "AVAILABLE", "RESERVE", "IN TRANSIT", "OWED", "PAID", "NET"),
        rows,
        ctx.stdout,
        align="<<>>>>>>>",
        empty=empty,
    )
    return 0


@earnings.command(
    "statement",
    "Your earnings statement for a period (JSON, table or CSV).",
    arg("--from", dest="start", type=_date, metavar="YYYY-MM-DD", help="first day (default: 90 days ago)"),
    arg("--to", dest="end", type=_date, metavar="YYYY-MM-DD", help="last day, inclusive (default: today)"),
    arg("--currency", metavar="CODE", help="only this currency (ISO 4217)"),
    SELLER,
    arg("--csv", action="store_true", help="print the statement as CSV (amounts in major units)"),
    examples=(
        "novacron earnings statement --from 2026-01-01 --to 2026-03-31",
        "novacron earnings statement --from 2026-01-01 --csv > q1.csv",
    ),
)
def earnings_statement(ctx: Context, args: argparse.Namespace) -> int:
    """Every ledger entry that changed your balances in the period, oldest first, with the running balance
    per currency. Days are in your account's time zone."""
    if args.csv and ctx.json:
        raise UsageError("choose one of --csv and --json")
    client = ctx.client()
    query = {"start": args.start, "end": args.end, "currency": args.currency, "seller": args.seller}
    if args.csv:
        ctx.stdout.write(client.revenue.statement_csv(**query))
        return 0
    statement = client.revenue.statement(**query)
    if ctx.json:
        ctx.print_json(dict(statement.raw))
        return 0
    print_fields(
        [
            ("Seller", f"{statement.seller.display_name} ({statement.seller.tier})"),
            ("Period", f"{statement.start.date()} – {(statement.end - timedelta(days=1)).date()}"),
            ("Opening", _totals(statement.opening)),
            ("Closing", _totals(statement.closing)),
        ],
        ctx.stdout,
    )
    ctx.print()
    print_table(
        ("DATE", "KIND", "DESCRIPTION", "AMOUNT", "BALANCE"),
        [
            (
                when(row.effective_at),
                row.kind,
                shorten(row.description, 48),
                money(row.amount, row.currency),
                money(row.running_balance, row.currency),
            )
            for row in statement.rows
        ],
        ctx.stdout,
        align="<<<>>",
        empty="No entries in this period.",
    )
    return 0


def _totals(amounts: dict[str, int]) -> str:
    return ", ".join(format_minor(amount, currency) for currency, amount in sorted(amounts.items())) or "-"


@earnings.command(
    "payouts",
    "Payouts to you and your organisations, newest first.",
    SELLER,
    arg("--limit", type=int, default=50, metavar="N", help="show at most N (default 50)"),
    examples=("novacron earnings payouts", "novacron earnings payouts --json | jq '.[0]'"),
)
def earnings_payouts(ctx: Context, args: argparse.Namespace) -> int:
    """Payouts to you and your organisations, newest first."""
    items = ctx.client().revenue.payouts(seller=args.seller, limit=args.limit).all()
    if ctx.json:
        ctx.print_json([dict(item.raw) for item in items])
        return 0
    print_table(
        ("CREATED", "AMOUNT", "STATE", "METHOD", "PAID", "ID"),
        [
            (when(p.created_at), money(p.amount, p.currency), p.state, p.method, when(p.paid_at), p.public_id)
            for p in items
        ],
        ctx.stdout,
        align="<><<<<",
        empty="No payouts yet.",
    )
    return 0


@earnings.command(
    "tier", "Your seller tier and progress to the next.", SELLER, examples=("novacron earnings tier",)
)
def earnings_tier(ctx: Context, args: argparse.Namespace) -> int:
    """Your tier, revenue share, trailing-12-month revenue (USD) and what is left to reach the next tier."""
    tier = ctx.client().revenue.tier(seller=args.seller)
    if ctx.json:
        ctx.print_json(dict(tier.raw))
        return 0
    fields = [
        ("Seller", tier.seller.display_name),
        ("Tier", tier.tier),
        ("Your share", f"{tier.developer_rate * 100:.1f} %"),
        ("Last 12 months", money(tier.trailing_revenue_usd, "USD")),
    ]
    if tier.next_tier:
        fields += [
            ("Next tier", f"{tier.next_tier} at {money(tier.next_threshold_usd, 'USD')}"),
            ("Still to earn", f"{money(tier.distance_usd, 'USD')} ({tier.progress_percent} % there)"),
        ]
    else:
        fields.append(("Next tier", "- (top tier)"))
    if tier.currencies_without_rate:
        fields.append(("Not counted", ", ".join(tier.currencies_without_rate) + " (no exchange rate)"))
    print_fields(fields, ctx.stdout)
    return 0


COMMANDS = [earnings]

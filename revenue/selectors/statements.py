"""Earnings statements: the entries that touched a seller's balances in a period, with running balances, and
their CSV form.

Sign convention: a seller's *net position* in a currency (what the platform holds for them) is minus the sum of
the postings on all their accounts (every seller account is a platform liability except receivable, an asset);
an entry moving money between two of their own accounts (an escrow release) changes it by zero."""

from __future__ import annotations

import csv
import io
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Sum
from django.utils import timezone

from novacron.core.money import Money
from revenue.models import (
    Posting,
    Seller,
)
from revenue.models.ledger import SELLER_KINDS
from revenue.selectors.sellers import BALANCE_FIELDS

# --- earnings statement --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementRow:
    """One journal entry's effect on a seller in one currency. `changes` maps each seller account kind
    (pending, available, ...) to its change in the account's normal direction; `amount` is the change of the
    seller's net position and `running_balance` the position after it."""

    effective_at: datetime
    entry_id: uuid.UUID
    kind: str
    kind_label: str
    description: str
    reference_type: str
    reference_id: str
    currency: str
    amount: int
    running_balance: int
    changes: dict[str, int]

    @property
    def amount_money(self) -> Money:
        return Money(self.amount, self.currency)

    @property
    def running_balance_money(self) -> Money:
        return Money(self.running_balance, self.currency)

    @property
    def movements(self) -> list[tuple[str, Money]]:
        """Non-zero changes per balance, for people: [("Pending", −€840.00), ("Available", €840.00)]."""
        return [
            (STATEMENT_LABELS[name], Money(self.changes[name], self.currency))
            for name in STATEMENT_COLUMNS
            if self.changes.get(name)
        ]


@dataclass(frozen=True)
class Statement:
    seller_id: int
    start: datetime
    end: datetime
    currency: str | None
    opening: dict[str, int]  # net position per currency at `start`
    closing: dict[str, int]  # net position per currency at `end`
    rows: list[StatementRow] = field(default_factory=list)


STATEMENT_COLUMNS = ("pending", "available", "reserve", "receivable", "in_transit")
STATEMENT_LABELS = {
    "pending": "Pending",
    "available": "Available",
    "reserve": "Reserve",
    "receivable": "Owed to the platform",
    "in_transit": "In transit",
}


def earnings_statement(
    *, seller: Seller, start: datetime, end: datetime, currency: str | None = None
) -> Statement:
    """Entries touching the seller's accounts with `start <= effective_at < end`, oldest first, each with its
    running net position per currency (opening balance = all postings before `start`). Two queries."""
    postings = Posting.objects.filter(account__seller=seller, account__kind__in=list(SELLER_KINDS))
    if currency:
        postings = postings.filter(currency=currency)
    opening: dict[str, int] = {
        row["currency"]: -(row["total"] or 0)
        for row in postings.filter(entry__effective_at__lt=start)
        .values("currency")
        .annotate(total=Sum("amount"))
        .order_by("currency")
    }
    in_period = (
        postings.filter(entry__effective_at__gte=start, entry__effective_at__lt=end)
        .select_related("entry", "account")
        .order_by("entry__effective_at", "entry_id", "id")
    )
    running = dict(opening)
    rows: list[StatementRow] = []
    grouped: dict[tuple[int, str], list[Posting]] = {}
    for posting in in_period:
        grouped.setdefault((posting.entry_id, posting.currency), []).append(posting)
    for (_entry_id, row_currency), entry_postings in grouped.items():
        entry = entry_postings[0].entry
        changes: dict[str, int] = defaultdict(int)
        for posting in entry_postings:
            changes[BALANCE_FIELDS[posting.account.kind]] += posting.account.signed(posting.amount)
        amount = -sum(posting.amount for posting in entry_postings)
        running[row_currency] = running.get(row_currency, 0) + amount
        rows.append(
            StatementRow(
                effective_at=entry.effective_at,
                entry_id=entry.public_id,
                kind=entry.kind,
                kind_label=entry.get_kind_display(),
                description=entry.description,
                reference_type=entry.reference_type,
                reference_id=entry.reference_id,
                currency=row_currency,
                amount=amount,
                running_balance=running[row_currency],
                changes=dict(changes),
            )
        )
    return Statement(
        seller_id=seller.pk,
        start=start,
        end=end,
        currency=currency,
        opening=opening,
        closing=running,
        rows=rows,
    )


_CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
STATEMENT_CSV_HEADER = [
    "effective_at",
    "entry_id",
    "kind",
    "description",
    "reference_type",
    "reference_id",
    "currency",
    "amount",
    *STATEMENT_COLUMNS,
    "balance",
]


def _csv_text(value: str) -> str:
    """Text cells that a spreadsheet would run as a formula get a leading apostrophe (CSV injection)."""
    return f"'{value}" if value.startswith(_CSV_FORMULA_PREFIXES) else value


def _major(amount: int, currency: str) -> str:
    return str(Money(amount, currency).decimal)


def statement_csv_rows(statement: Statement) -> Iterator[list[str]]:
    """The statement as CSV rows: a header, one opening-balance row per currency, the entries, one closing row
    per currency. Amounts in major units with a dot ("12.34"); times ISO 8601 in the current timezone."""
    yield list(STATEMENT_CSV_HEADER)
    start = timezone.localtime(statement.start).isoformat(timespec="seconds")
    end = timezone.localtime(statement.end).isoformat(timespec="seconds")
    blank = [""] * len(STATEMENT_COLUMNS)
    currencies = sorted(set(statement.opening) | set(statement.closing))
    for currency in currencies:
        balance = _major(statement.opening.get(currency, 0), currency)
        yield [start, "", "opening_balance", "Opening balance", "", "", currency, "", *blank, balance]
    for row in statement.rows:
        yield [
            timezone.localtime(row.effective_at).isoformat(timespec="seconds"),
            str(row.entry_id),
            row.kind,
            _csv_text(row.description),
            _csv_text(row.reference_type),
            _csv_text(row.reference_id),
            row.currency,
            _major(row.amount, row.currency),
            *(_major(row.changes[c], row.currency) if c in row.changes else "" for c in STATEMENT_COLUMNS),
            _major(row.running_balance, row.currency),
        ]
    for currency in currencies:
        balance = _major(statement.closing.get(currency, 0), currency)
        yield [end, "", "closing_balance", "Closing balance", "", "", currency, "", *blank, balance]


def statement_csv_lines(statement: Statement) -> Iterator[str]:
    """`statement_csv_rows` encoded as CSV text, one line at a time (for a streaming response)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in statement_csv_rows(statement):
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)

"""Posting to the double-entry ledger: the one place balances change.

Every entry is balanced per currency. Accounts that must not go negative (the seller accounts, the only ones
with a running balance) are locked in primary-key order when an entry decreases them, their pending increases
folded in, and only then checked, so concurrent entries never deadlock and such an account never goes
negative. Increases are inserted without a lock, and the platform's accounts keep no running balance (see
RUNNING_BALANCE in revenue.models.ledger), so sales never wait on each other.

On PostgreSQL an entry is posted by one call of the `revenue_entry_post_json` SQL function (migration 0010: the
idempotency check, the locks and check, the entry, its postings and the balance updates in one round trip, the
entry passed as one JSON parameter); elsewhere by the ORM. Both do the same thing and the tests run both.
`entry_post` returns the entry; `entry_post_id` (hot paths whose caller discards the entry: a sale) only its id.
"""

import json
import threading
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models import F
from django.db.models.signals import post_migrate
from django.utils import timezone

from revenue.exceptions import InsufficientFunds, UnbalancedEntry
from revenue.models import Account, AccountKind, BalanceIncrease, JournalEntry, Posting, Seller


@dataclass(frozen=True)
class Line:
    account: Account
    amount: int  # minor units, debit positive, credit negative


# Accounts by natural key. Accounts are never deleted, so an id stays valid once its row is committed; only
# committed rows are cached (on_commit), and a flush or migrate (tests) empties the cache.
_accounts: dict[tuple[str, str, str, str, str], Account] = {}


def forget_accounts(**_kwargs: Any) -> None:
    _accounts.clear()


post_migrate.connect(forget_accounts, dispatch_uid="revenue.ledger.forget_accounts")


def account_for(
    *,
    kind: AccountKind | str,
    currency: str,
    seller: Seller | None = None,
    gateway: str = "",
    jurisdiction: str = "",
) -> Account:
    """The account with this natural key, created on first use (safe under concurrency). Its `balance` may be
    stale: read balances under lock (`escrow.accounts_lock`) or with `Account.objects.with_balance()`."""
    owner_key = f"seller:{seller.pk}" if seller is not None else "platform"
    natural = (str(kind), currency, owner_key, gateway, jurisdiction)
    cached = _accounts.get(natural)
    if cached is not None:
        return cached
    key = {
        "kind": kind,
        "currency": currency,
        "owner_key": owner_key,
        "gateway": gateway,
        "jurisdiction": jurisdiction,
    }
    account = Account.objects.filter(**key).first()
    if account is None:
        try:
            with transaction.atomic():
                account = Account.objects.create(seller=seller, **key)
        except IntegrityError:
            account = Account.objects.get(**key)
    transaction.on_commit(lambda: _accounts.setdefault(natural, account))
    return account


def accounts_lock(accounts: Iterable[Account]) -> dict[int, Account]:
    """Lock accounts in primary-key order (FOR NO KEY UPDATE, like the balance UPDATE itself: it does not block
    the KEY SHARE locks that other transactions' postings take at commit for their foreign-key check), fold
    their pending increases into `balance`, and return the fresh rows by pk: their `balance` is exact until
    the transaction ends."""
    pks = sorted({account.pk for account in accounts})
    locked = {
        account.pk: account
        for account in Account.objects.select_for_update(no_key=True).filter(pk__in=pks).order_by("pk")
    }
    running = [pk for pk, account in locked.items() if account.keeps_running_balance]
    rows = list(
        BalanceIncrease.objects.filter(account_id__in=running).values_list("pk", "account_id", "amount")
    )
    if rows:
        totals: dict[int, int] = defaultdict(int)
        for _pk, account_id, amount in rows:
            totals[account_id] += amount
        BalanceIncrease.objects.filter(pk__in=[row[0] for row in rows]).delete()
        for account_id, total in totals.items():
            Account.objects.filter(pk=account_id).update(balance=F("balance") + total)
            locked[account_id].balance += total
    return locked


def _check_balanced(lines: Sequence[Line]) -> None:
    if not lines:
        raise UnbalancedEntry("A journal entry needs at least one posting.")
    totals: dict[str, int] = defaultdict(int)
    for line in lines:
        if isinstance(line.amount, bool) or not isinstance(line.amount, int):
            raise UnbalancedEntry("Posting amounts are integer minor units.")
        totals[line.account.currency] += line.amount
    unbalanced = {currency: total for currency, total in totals.items() if total != 0}
    if unbalanced:
        raise UnbalancedEntry(f"Entry does not balance: {unbalanced}")


@dataclass
class _Prepared:
    fields: dict[str, Any]  # the JournalEntry's fields; the instance is built once the entry is written
    lines: list[Line]
    deltas: dict[int, int]  # running-balance account pk → change of its balance, in pk order

    def as_json(self) -> dict[str, Any]:
        """The entry as revenue_entry_post_json reads it."""
        f = self.fields
        return {
            "now": f["created_at"].isoformat(),
            "public_id": str(f["public_id"]),
            "kind": f["kind"],
            "description": f["description"],
            "reference_type": f["reference_type"],
            "reference_id": f["reference_id"],
            "idempotency_key": f["idempotency_key"],
            "metadata": f["metadata"],
            "reverses": f["reverses_id"],
            "created_by": f["created_by_id"],
            "effective_at": f["effective_at"].isoformat(),
            "postings": [(line.account.pk, line.amount, line.account.currency) for line in self.lines],
            "decreases": [(pk, delta) for pk, delta in self.deltas.items() if delta < 0],
            "increases": [(pk, delta) for pk, delta in self.deltas.items() if delta > 0],
        }

    def entry(self, pk: int) -> JournalEntry:
        entry = JournalEntry(pk=pk, **self.fields)
        entry._state.adding = False
        entry._state.db = DEFAULT_DB_ALIAS
        return entry


def _prepare(
    *,
    now: datetime,
    kind: JournalEntry.Kind | str,
    lines: Iterable[Line],
    description: str = "",
    reference_type: str = "",
    reference_id: str = "",
    idempotency_key: str | None = None,
    metadata: dict[str, Any] | None = None,
    reverses: JournalEntry | None = None,
    actor: Any = None,
    effective_at: datetime | None = None,
) -> _Prepared:
    lines = [line for line in lines if line.amount != 0]
    _check_balanced(lines)
    deltas: dict[int, int] = defaultdict(int)
    for line in lines:
        if line.account.keeps_running_balance:
            deltas[line.account.pk] += line.account.signed(line.amount)
    fields = {
        "public_id": uuid.uuid4(),
        "created_at": now,
        "updated_at": now,
        "kind": str(kind),
        "description": description[:255],
        "reference_type": reference_type,
        "reference_id": reference_id,
        "idempotency_key": idempotency_key or None,
        "metadata": metadata or {},
        "reverses_id": reverses.pk if reverses is not None else None,
        "created_by_id": actor.pk if getattr(actor, "is_authenticated", False) else None,
        "effective_at": effective_at or now,
    }
    return _Prepared(fields, lines, {pk: deltas[pk] for pk in sorted(deltas)})


def entry_post(**spec: Any) -> JournalEntry:
    """Post one balanced entry (keyword arguments: kind, lines, description, reference_type, reference_id,
    idempotency_key, metadata, reverses, actor, effective_at). With an idempotency key, posting the same key
    again returns the first entry. Raises InsufficientFunds, having written nothing, if an account that must
    not go negative would. On PostgreSQL this is one statement, atomic by itself (and the whole transaction when
    the caller has none)."""
    prepared = _prepare(now=timezone.now(), **spec)
    if connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
        return _post_orm(prepared)[0]
    entry_id, created = _post_sql(prepared)
    return prepared.entry(entry_id) if created else JournalEntry.objects.get(pk=entry_id)


def entry_post_id(**spec: Any) -> tuple[int, bool]:
    """`entry_post` for a caller that needs no model instance (a sale, on every purchase): the same posting,
    checks, idempotency and errors, but it returns (the entry's id, created) as `get_or_create` does — created is
    False on a replay of the idempotency key, whose first entry's id is returned — and builds no instance on
    PostgreSQL."""
    prepared = _prepare(now=timezone.now(), **spec)
    if connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
        entry, created = _post_orm(prepared)
        return entry.pk, created
    return _post_sql(prepared)


def _insufficient(account_id: int, balance: int, delta: int) -> InsufficientFunds:
    account = Account.objects.filter(pk=account_id).first()
    return InsufficientFunds(
        f"{account or account_id} would go negative ({balance} + {delta}).", code="insufficient_funds"
    )


def _post_orm(prepared: _Prepared) -> tuple[JournalEntry, bool]:
    fields, lines, deltas = prepared.fields, prepared.lines, prepared.deltas
    decreases = {pk: delta for pk, delta in deltas.items() if delta < 0}
    with transaction.atomic():
        if fields["idempotency_key"]:
            existing = JournalEntry.objects.filter(idempotency_key=fields["idempotency_key"]).first()
            if existing is not None:
                return existing, False
        locked = accounts_lock(Account(pk=pk) for pk in decreases)
        for pk, delta in decreases.items():
            if locked[pk].balance + delta < 0:
                raise _insufficient(pk, locked[pk].balance, delta)
        entry = JournalEntry(**fields)
        entry.save(force_insert=True)
        Posting.objects.bulk_create(
            Posting(entry=entry, account=line.account, amount=line.amount, currency=line.account.currency)
            for line in lines
        )
        for pk, delta in decreases.items():
            Account.objects.filter(pk=pk).update(balance=F("balance") + delta)
        BalanceIncrease.objects.bulk_create(
            BalanceIncrease(account_id=pk, amount=delta) for pk, delta in deltas.items() if delta > 0
        )
        return entry, True


_POST_SQL = "SELECT out_entry_id, out_status, out_balance, out_delta FROM revenue_entry_post_json(%s::jsonb)"


def _post_sql(prepared: _Prepared) -> tuple[int, bool]:
    """One call of revenue_entry_post_json (migration 0010) with the entry as one JSON parameter: (its id, True)
    when posted, (the first entry's id, False) on a replay of its idempotency key."""
    entry_id, status, balance, delta = _call_post_function(json.dumps(prepared.as_json()))
    if status == "insufficient":
        raise _insufficient(entry_id, balance, delta)
    return entry_id, status == "posted"


class _PostCursor(threading.local):
    """This thread's cursor for the posting function, on the psycopg connection it was opened on."""

    cursor: psycopg.Cursor | None = None


_post_cursor = _PostCursor()


def _call_post_function(payload: str) -> tuple[Any, ...]:
    """Run the posting function on the default connection, in its current transaction (or as a transaction of
    its own in autocommit, when the caller has none): atomicity is the same either way.

    Where Django logs queries (DEBUG, tests counting queries) or wraps them (`connection.execute_wrapper`), it
    goes through a Django cursor like any query. Otherwise it skips Django's cursor wrapper, a new cursor per call
    and client-side quoting of the JSON text (together about a quarter of a sale's Python work, round trip
    aside): it makes the checks a Django cursor makes (health check, thread sharing, no query in a broken atomic
    block) and maps errors to django.db's exceptions as a Django cursor does, then executes with server-side
    binding (psycopg prepares the statement from its fifth call on a connection, see `prepare_threshold`) on
    this thread's psycopg cursor for the psycopg connection Django holds (a new one when Django reconnected)."""
    db = connections[DEFAULT_DB_ALIAS]
    if db.queries_logged or db.execute_wrappers:
        with db.cursor() as cursor:
            cursor.execute(_POST_SQL, [payload])
            return cursor.fetchone()
    db.close_if_health_check_failed()
    db.ensure_connection()
    db.validate_thread_sharing()
    db.validate_no_broken_transaction()
    with db.wrap_database_errors:
        cursor = _post_cursor.cursor
        if cursor is None or cursor.closed or cursor.connection is not db.connection:
            cursor = _post_cursor.cursor = psycopg.Cursor(db.connection)
        cursor.execute(_POST_SQL, (payload,))
        return cursor.fetchone()


def entry_reverse(*, entry: JournalEntry, description: str = "", actor: Any = None) -> JournalEntry:
    """A new entry with every posting of `entry` negated (entries are never edited)."""
    lines = [Line(posting.account, -posting.amount) for posting in entry.postings.select_related("account")]
    return entry_post(
        kind=JournalEntry.Kind.REVERSAL,
        lines=lines,
        description=description or f"Reversal of {entry.public_id}",
        reference_type=entry.reference_type,
        reference_id=entry.reference_id,
        idempotency_key=f"reversal:{entry.pk}",
        reverses=entry,
        actor=actor,
    )


def postings_are_immutable() -> bool:
    """True where the database itself refuses UPDATE/DELETE of postings (PostgreSQL trigger)."""
    return connection.vendor == "postgresql"

"""Posting to the double-entry ledger: the one place balances change.

Every entry is balanced per currency. Accounts that must not go negative (the seller accounts, the only ones
with a running balance) are locked in primary-key order when an entry decreases them, their pending increases
folded in, and only then checked, so concurrent entries never deadlock and such an account never goes
negative. Increases are inserted without a lock, and the platform's accounts keep no running balance (see
RUNNING_BALANCE in revenue.models.ledger), so sales never wait on each other.

On PostgreSQL an entry is posted by one call of the `revenue_entry_post` SQL function (migration 0006: the
idempotency check, the locks and check, the entry, its postings and the balance updates in one round trip);
elsewhere by the ORM. Both do the same thing and the tests run both.
"""

import json
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
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
    entry: JournalEntry
    lines: list[Line]
    deltas: dict[int, int]  # running-balance account pk → change of its balance, in pk order


def _prepare(
    *,
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
    entry = JournalEntry(
        kind=kind,
        description=description[:255],
        reference_type=reference_type,
        reference_id=reference_id,
        idempotency_key=idempotency_key or None,
        metadata=metadata or {},
        reverses=reverses,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        effective_at=effective_at or timezone.now(),
    )
    return _Prepared(entry, lines, {pk: deltas[pk] for pk in sorted(deltas)})


def entry_post(**spec: Any) -> JournalEntry:
    """Post one balanced entry (keyword arguments: kind, lines, description, reference_type, reference_id,
    idempotency_key, metadata, reverses, actor, effective_at). With an idempotency key, posting the same key
    again returns the first entry. Raises InsufficientFunds, having written nothing, if an account that must
    not go negative would."""
    return entries_post(spec)[0]


def entries_post(*specs: dict[str, Any]) -> list[JournalEntry]:
    """Post several entries (each as for `entry_post`), in order, all or none. On PostgreSQL, entries that
    decrease no running balance (so none can be refused) go in one statement, which is atomic by itself (and
    is the whole transaction when the caller has none); the others one by one in a transaction."""
    prepared = [_prepare(**spec) for spec in specs]
    if connection.vendor == "postgresql" and all(d >= 0 for p in prepared for d in p.deltas.values()):
        return _post_sql(prepared)
    post = _post_orm if connection.vendor != "postgresql" else (lambda p: _post_sql([p])[0])
    with transaction.atomic():
        return [post(p) for p in prepared]


def _insufficient(account_id: int, balance: int, delta: int) -> InsufficientFunds:
    account = Account.objects.filter(pk=account_id).first()
    return InsufficientFunds(
        f"{account or account_id} would go negative ({balance} + {delta}).", code="insufficient_funds"
    )


def _post_orm(prepared: _Prepared) -> JournalEntry:
    entry, lines, deltas = prepared.entry, prepared.lines, prepared.deltas
    decreases = {pk: delta for pk, delta in deltas.items() if delta < 0}
    with transaction.atomic():
        if entry.idempotency_key:
            existing = JournalEntry.objects.filter(idempotency_key=entry.idempotency_key).first()
            if existing is not None:
                return existing
        locked = accounts_lock(Account(pk=pk) for pk in decreases)
        for pk, delta in decreases.items():
            if locked[pk].balance + delta < 0:
                raise _insufficient(pk, locked[pk].balance, delta)
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
        return entry


_POST_CALL = (
    "SELECT %s, out_entry_id, out_status, out_balance, out_delta FROM revenue_entry_post("
    "%s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s, %s, %s, %s, %s, %s, %s)"
)


def _post_sql(batch: list[_Prepared]) -> list[JournalEntry]:
    """One statement calling revenue_entry_post per entry (in order: a UNION ALL runs its branches in turn)."""
    params: list[Any] = []
    now = timezone.now()
    for n, (entry, lines, deltas) in enumerate((p.entry, p.lines, p.deltas) for p in batch):
        entry.public_id = uuid.uuid4()
        entry.created_at = entry.updated_at = now
        params += [
            n,
            entry.public_id,
            entry.created_at,
            entry.kind,
            entry.description,
            entry.reference_type,
            entry.reference_id,
            entry.idempotency_key,
            json.dumps(entry.metadata),
            entry.reverses_id,
            entry.created_by_id,
            entry.effective_at,
            [line.account.pk for line in lines],
            [line.amount for line in lines],
            [line.account.currency for line in lines],
            list(deltas),
            list(deltas.values()),
        ]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join([_POST_CALL] * len(batch)), params)
        rows = sorted(cursor.fetchall())
    posted = []
    for (_n, entry_id, status, balance, delta), prepared in zip(rows, batch, strict=True):
        if status == "exists":
            posted.append(JournalEntry.objects.get(pk=entry_id))
            continue
        if status == "insufficient":  # only single-entry batches can be refused (see entries_post)
            raise _insufficient(entry_id, balance, delta)
        entry = prepared.entry
        entry.pk = entry_id
        entry._state.adding = False
        entry._state.db = connection.alias
        posted.append(entry)
    return posted


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

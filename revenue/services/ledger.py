"""Posting to the double-entry ledger: the one place balances change.

Every entry is balanced per currency. Accounts are locked in primary-key order (select_for_update) and only
then checked, so concurrent entries never deadlock and an account that must not go negative never does.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from revenue.exceptions import InsufficientFunds, UnbalancedEntry
from revenue.models import Account, AccountKind, JournalEntry, Posting, Seller


@dataclass(frozen=True)
class Line:
    account: Account
    amount: int  # minor units, debit positive, credit negative


def account_for(
    *,
    kind: AccountKind | str,
    currency: str,
    seller: Seller | None = None,
    gateway: str = "",
    jurisdiction: str = "",
) -> Account:
    """The account with this natural key, created on first use (safe under concurrency)."""
    owner_key = f"seller:{seller.pk}" if seller is not None else "platform"
    key = {
        "kind": kind,
        "currency": currency,
        "owner_key": owner_key,
        "gateway": gateway,
        "jurisdiction": jurisdiction,
    }
    account = Account.objects.filter(**key).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return Account.objects.create(seller=seller, **key)
    except IntegrityError:
        return Account.objects.get(**key)


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


def entry_post(
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
) -> JournalEntry:
    """Post one balanced entry. With an idempotency key, posting the same key again returns the first entry."""
    lines = [line for line in lines if line.amount != 0]
    _check_balanced(lines)
    with transaction.atomic():
        if idempotency_key:
            existing = JournalEntry.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing

        deltas: dict[int, int] = defaultdict(int)
        for line in lines:
            deltas[line.account.pk] += line.account.signed(line.amount)
        locked = Account.objects.select_for_update().filter(pk__in=sorted(deltas)).order_by("pk")
        for account in locked:
            if account.must_not_go_negative and account.balance + deltas[account.pk] < 0:
                raise InsufficientFunds(
                    f"{account} would go negative ({account.balance} + {deltas[account.pk]}).",
                    code="insufficient_funds",
                )

        entry = JournalEntry.objects.create(
            kind=kind,
            description=description[:255],
            reference_type=reference_type,
            reference_id=reference_id,
            idempotency_key=idempotency_key,
            metadata=metadata or {},
            reverses=reverses,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            effective_at=effective_at or timezone.now(),
        )
        Posting.objects.bulk_create(
            Posting(entry=entry, account=line.account, amount=line.amount, currency=line.account.currency)
            for line in lines
        )
        for account_pk in sorted(deltas):
            if deltas[account_pk]:
                Account.objects.filter(pk=account_pk).update(balance=F("balance") + deltas[account_pk])
        return entry


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

"""Escrow: a seller's share of a sale stays in `seller_pending` for the hold (Seller.escrow_hold_days, else
REVENUE_ESCROW_HOLD_DAYS), then `escrow_release_due` moves what is left of it to `seller_available`. Lines of
item types registered with `hooks.register_owner_released_item_type` (service milestones) are not released by
time: their owning service releases each one with `escrow_release_line` when the buyer accepts the work.

This module also decides where a seller's money is taken from, or given back to, when a sale is refunded or
disputed (`SellerPurse`):

- a line not yet released: its share is still in pending, so it is taken from (or returned to) pending;
- a released line: taken from available up to its balance, then from the reserve, the rest booked as the seller's
  receivable (a debt later payouts net off); given back to the receivable first (paying the debt down), the rest
  to available.

Rolling reserve: a seller with `reserve_percent` keeps that share of each release (rounded down, in the seller's
favour) in `seller_reserve` for `reserve_days`; `reserve_release_due` then moves what is left of it (the reserve
may have paid refunds or disputes meanwhile) to available. Payouts draw only on available.

Lock order, shared by every money service so that concurrent work never deadlocks:
payment → order → order lines (pk order) → refund / dispute / payout row → ledger accounts (pk order).
Accounts are created (`account_for`) before any row is locked, because creating one waits on a concurrent
creator of the same account.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from revenue import hooks
from revenue.exceptions import InsufficientFunds
from revenue.models import Account, AccountKind, JournalEntry, OrderLine, Seller
from revenue.services.ledger import Line, account_for, accounts_lock, entry_post

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SellerAccounts:
    pending: Account
    available: Account
    receivable: Account
    reserve: Account

    def all(self) -> list[Account]:
        return [self.pending, self.available, self.receivable, self.reserve]


def seller_accounts(*, seller: Seller, currency: str) -> SellerAccounts:
    """The seller's pending, available, receivable and reserve accounts in `currency` (created on first use).
    Call before locking any row (see the module's lock order)."""
    return SellerAccounts(
        pending=account_for(kind=AccountKind.SELLER_PENDING, currency=currency, seller=seller),
        available=account_for(kind=AccountKind.SELLER_AVAILABLE, currency=currency, seller=seller),
        receivable=account_for(kind=AccountKind.SELLER_RECEIVABLE, currency=currency, seller=seller),
        reserve=account_for(kind=AccountKind.SELLER_RESERVE, currency=currency, seller=seller),
    )


class SellerPurse:
    """Builds the seller-side postings of one entry from balances read under lock, keeping a running balance
    so several lines of one seller in one entry never take more from available than it holds."""

    def __init__(self, locked: dict[int, Account]) -> None:
        self._balance = {pk: account.balance for pk, account in locked.items()}

    def _require(self, account: Account) -> int:
        if account.pk not in self._balance:
            raise RuntimeError(f"{account} was not locked before building the entry")
        return self._balance[account.pk]

    def take(self, accounts: SellerAccounts, amount: int, *, released: bool) -> list[Line]:
        """Debit `amount` of the seller's share (refund, dispute opened)."""
        if amount <= 0:
            return []
        if not released:
            self._balance[accounts.pending.pk] = self._require(accounts.pending) - amount
            return [Line(accounts.pending, amount)]
        from_available = min(amount, max(self._require(accounts.available), 0))
        from_reserve = min(amount - from_available, max(self._require(accounts.reserve), 0))
        into_receivable = amount - from_available - from_reserve
        self._require(accounts.receivable)
        self._balance[accounts.available.pk] -= from_available
        self._balance[accounts.reserve.pk] -= from_reserve
        self._balance[accounts.receivable.pk] += into_receivable
        return [
            Line(accounts.available, from_available),
            Line(accounts.reserve, from_reserve),
            Line(accounts.receivable, into_receivable),
        ]

    def give(self, accounts: SellerAccounts, amount: int, *, released: bool) -> list[Line]:
        """Credit `amount` back to the seller (dispute won, refund refused by the gateway)."""
        if amount <= 0:
            return []
        if not released:
            self._balance[accounts.pending.pk] = self._require(accounts.pending) + amount
            return [Line(accounts.pending, -amount)]
        to_receivable = min(amount, max(self._require(accounts.receivable), 0))
        to_available = amount - to_receivable
        self._require(accounts.available)
        self._balance[accounts.receivable.pk] -= to_receivable
        self._balance[accounts.available.pk] += to_available
        return [Line(accounts.receivable, -to_receivable), Line(accounts.available, -to_available)]


def merge_lines(lines: Iterable[Line]) -> list[Line]:
    """One posting per account (amounts summed, zeros dropped), in account-pk order."""
    totals: dict[int, int] = {}
    accounts: dict[int, Account] = {}
    for line in lines:
        totals[line.account.pk] = totals.get(line.account.pk, 0) + line.amount
        accounts[line.account.pk] = line.account
    return [Line(accounts[pk], totals[pk]) for pk in sorted(totals) if totals[pk]]


def hold_days(seller: Seller) -> int:
    if seller.escrow_hold_days is not None:
        return seller.escrow_hold_days
    return settings.REVENUE_ESCROW_HOLD_DAYS


def _due_lines(now: datetime) -> list[int]:
    default = settings.REVENUE_ESCROW_HOLD_DAYS
    due = Q(seller__escrow_hold_days__isnull=True, order__paid_at__lte=now - timedelta(days=default))
    custom = (
        Seller.objects.filter(escrow_hold_days__isnull=False)
        .order_by()
        .values_list("escrow_hold_days", flat=True)
        .distinct()
    )
    for days in custom:
        due |= Q(seller__escrow_hold_days=days, order__paid_at__lte=now - timedelta(days=days))
    return list(
        OrderLine.objects.filter(released_at__isnull=True, order__paid_at__isnull=False)
        .exclude(seller__kind=Seller.Kind.PLATFORM)
        .exclude(item_type__in=hooks.owner_released_item_types())
        .filter(due)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def escrow_release_line(*, line: OrderLine, now: datetime | None = None) -> bool:
    """Release one line: move (seller_amount − refunded_seller − clawed_seller) from pending to available.
    One entry per line under the key release:<line id>; True if this call released it."""
    now = now or timezone.now()
    line = OrderLine.objects.select_related("seller", "order").get(pk=line.pk)
    if line.released_at is not None or line.seller.kind == Seller.Kind.PLATFORM:
        return False
    accounts = seller_accounts(seller=line.seller, currency=line.order.currency)
    with transaction.atomic():
        locked_line = OrderLine.objects.select_for_update().get(pk=line.pk)
        if locked_line.released_at is not None:
            return False
        amount = locked_line.seller_amount - locked_line.refunded_seller - locked_line.clawed_seller
        reserve = reserve_part(line.seller, amount)
        if amount > 0:
            accounts_lock([accounts.pending, accounts.available, accounts.reserve])
            entry_post(
                kind=JournalEntry.Kind.RELEASE,
                lines=merge_lines(
                    [
                        Line(accounts.pending, amount),
                        Line(accounts.available, -(amount - reserve)),
                        Line(accounts.reserve, -reserve),
                    ]
                ),
                description=f"Escrow release, order {line.order.public_id} line {line.pk}",
                reference_type="order_line",
                reference_id=str(line.pk),
                idempotency_key=f"release:{line.pk}",
                metadata={"order": str(line.order.public_id), "line": line.pk, "reserved": reserve},
                effective_at=now,
            )
        locked_line.released_amount = max(amount, 0)
        locked_line.reserved_amount = reserve
        locked_line.released_at = now
        locked_line.save(update_fields=["released_amount", "reserved_amount", "released_at"])
    return True


def reserve_part(seller: Seller, amount: int) -> int:
    """The reserve kept from a release of `amount`: reserve_percent of it, rounded down (0 for no reserve)."""
    if amount <= 0 or not seller.reserve_percent:
        return 0
    return int(Decimal(amount) * seller.reserve_percent / 100)


def _reserve_due_lines(now: datetime) -> list[int]:
    due = Q()
    # Every seller's days (not only those reserving now: a reserve taken before a change still ends).
    for days in Seller.objects.order_by().values_list("reserve_days", flat=True).distinct():
        due |= Q(seller__reserve_days=days, released_at__lte=now - timedelta(days=days))
    if not due:
        return []
    return list(
        OrderLine.objects.filter(due, reserved_amount__gt=0, reserve_released_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def reserve_release_line(*, line: OrderLine, now: datetime | None = None) -> int:
    """Move what is left of a line's reserve (the reserve may have paid refunds or disputes since) to available,
    once (key reserve-release:<line id>). Returns the amount moved."""
    now = now or timezone.now()
    line = OrderLine.objects.select_related("seller", "order").get(pk=line.pk)
    accounts = seller_accounts(seller=line.seller, currency=line.order.currency)
    with transaction.atomic():
        locked_line = OrderLine.objects.select_for_update().get(pk=line.pk)
        if locked_line.reserve_released_at is not None or locked_line.reserved_amount <= 0:
            return 0
        locked = accounts_lock([accounts.available, accounts.reserve])
        amount = min(locked_line.reserved_amount, max(locked[accounts.reserve.pk].balance, 0))
        if amount > 0:
            entry_post(
                kind=JournalEntry.Kind.RESERVE_RELEASE,
                lines=[Line(accounts.reserve, amount), Line(accounts.available, -amount)],
                description=f"Reserve release, order {line.order.public_id} line {line.pk}",
                reference_type="order_line",
                reference_id=str(line.pk),
                idempotency_key=f"reserve-release:{line.pk}",
                metadata={
                    "order": str(line.order.public_id),
                    "line": line.pk,
                    "reserved": locked_line.reserved_amount,
                },
                effective_at=now,
            )
        locked_line.reserve_released_at = now
        locked_line.save(update_fields=["reserve_released_at"])
    return amount


def reserve_release_due(*, now: datetime | None = None) -> int:
    """Release every reserve held its seller's reserve_days. Safe to run twice. Returns how many lines."""
    now = now or timezone.now()
    released = 0
    for line_id in _reserve_due_lines(now):
        reserve_release_line(line=OrderLine(pk=line_id), now=now)
        released += 1
    return released


def escrow_release_due(*, now: datetime | None = None) -> int:
    """Release every line whose sale (order.paid_at) is older than its seller's hold. Each line is its own
    transaction; safe to run twice and concurrently. Returns how many lines this run released."""
    now = now or timezone.now()
    released = 0
    for line_id in _due_lines(now):
        try:
            if escrow_release_line(line=OrderLine(pk=line_id), now=now):
                released += 1
        except InsufficientFunds:
            # The sale was never posted (or the ledger disagrees with the line): leave it for ledger_verify.
            logger.exception("escrow release of order line %s refused by the ledger", line_id)
    if released:
        logger.info("escrow released %s order lines", released)
    return released

"""Finance reads: ledger explorer (accounts, postings, entries), disputes by deadline, payouts, overview."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from revenue.models import (
    Account,
    Dispute,
    JournalEntry,
    Order,
    Payout,
    Posting,
    Refund,
)

# --- finance: payouts ------------------------------------------------------------------------------------


def payouts_for_finance(*, states: Iterable[str] | None = None) -> QuerySet[Payout]:
    payouts = Payout.objects.select_related("seller", "payout_account").order_by("-created_at", "-id")
    if states:
        payouts = payouts.filter(state__in=list(states))
    return payouts


# --- finance: ledger explorer --------------------------------------------------------------------------------


def ledger_accounts(
    *, kind: str = "", currency: str = "", owner: str = "", nonzero: bool = False
) -> QuerySet[Account]:
    """Accounts with their balance (`current_balance`) and posting count. `owner` is "platform", a seller's public id, or
    text matched against the seller's display name."""
    accounts = (
        Account.objects.with_balance().select_related("seller").annotate(posting_count=Count("postings"))
    )
    if kind:
        accounts = accounts.filter(kind=kind)
    if currency:
        accounts = accounts.filter(currency=currency.upper())
    if owner:
        if owner == "platform":
            accounts = accounts.filter(owner_key="platform")
        else:
            try:
                accounts = accounts.filter(seller__public_id=uuid.UUID(owner))
            except ValueError:
                accounts = accounts.filter(seller__display_name__icontains=owner)
    if nonzero:
        accounts = accounts.exclude(current_balance=0)
    return accounts.order_by("owner_key", "kind", "currency", "gateway", "jurisdiction")


def ledger_account(*, pk: int) -> Account | None:
    return Account.objects.with_balance().select_related("seller").filter(pk=pk).first()


def account_postings(*, account: Account) -> QuerySet[Posting]:
    """The account's postings, newest first, with their entries."""
    return (
        Posting.objects.filter(account=account)
        .select_related("entry")
        .order_by("-entry__effective_at", "-entry_id", "-id")
    )


def ledger_entries(*, kind: str = "", reference_id: str = "") -> QuerySet[JournalEntry]:
    entries = JournalEntry.objects.annotate(posting_count=Count("postings")).order_by("-effective_at", "-id")
    if kind:
        entries = entries.filter(kind=kind)
    if reference_id:
        entries = entries.filter(reference_id=reference_id)
    return entries


def ledger_entry(*, public_id: uuid.UUID | str) -> JournalEntry | None:
    """An entry with its postings and their accounts (and sellers), the entry it reverses and its reversals."""
    try:
        return (
            JournalEntry.objects.select_related("reverses", "created_by")
            .prefetch_related(
                Prefetch(
                    "postings",
                    queryset=Posting.objects.select_related("account", "account__seller").order_by("id"),
                ),
                "reversals",
            )
            .filter(public_id=public_id)
            .first()
        )
    except (ValueError, TypeError):  # pragma: no cover - not a UUID
        return None


# --- finance: disputes ---------------------------------------------------------------------------------------


def refunds_to_send(*, gateways: Iterable[str]) -> QuerySet[Refund]:
    """Refunds finance pays by hand (bank transfers) that are still pending, oldest first."""
    return (
        Refund.objects.filter(state=Refund.State.PENDING, payment__gateway__in=list(gateways))
        .select_related("payment__order__buyer")
        .order_by("created_at", "pk")
    )


def disputes_for_finance(*, state: str = "") -> QuerySet[Dispute]:
    """Disputes with their payment and order; open ones first by evidence deadline."""
    disputes = Dispute.objects.select_related("payment", "payment__order", "payment__order__buyer")
    if state:
        disputes = disputes.filter(state=state)
    return disputes.order_by(
        F("closed_at").asc(nulls_first=True),  # open disputes first
        F("evidence_due_by").asc(nulls_last=True),
        "-created_at",
    )


def dispute_detail(*, public_id: uuid.UUID | str) -> Dispute | None:
    try:
        return (
            Dispute.objects.select_related(
                "payment", "payment__order", "payment__order__buyer", "opened_entry", "closed_entry"
            )
            .filter(public_id=public_id)
            .first()
        )
    except (ValueError, TypeError):  # pragma: no cover
        return None


@dataclass(frozen=True)
class FinanceOverview:
    open_disputes: int
    disputes_due_soon: int
    awaiting_transfer: int
    payouts_in_transit: int
    payouts_failed: int


def finance_overview(*, now: datetime | None = None) -> FinanceOverview:
    now = now or timezone.now()
    open_states = [Dispute.State.NEEDS_RESPONSE, Dispute.State.UNDER_REVIEW]
    disputes = Dispute.objects.filter(state__in=open_states).aggregate(
        total=Count("id"), soon=Count("id", filter=Q(evidence_due_by__lte=now + timedelta(days=3)))
    )
    payouts = Payout.objects.aggregate(
        in_transit=Count("id", filter=Q(state=Payout.State.IN_TRANSIT)),
        failed=Count("id", filter=Q(state=Payout.State.FAILED)),
    )
    return FinanceOverview(
        open_disputes=disputes["total"],
        disputes_due_soon=disputes["soon"],
        awaiting_transfer=Order.objects.filter(state=Order.State.AWAITING_TRANSFER).count(),
        payouts_in_transit=payouts["in_transit"],
        payouts_failed=payouts["failed"],
    )

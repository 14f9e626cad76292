"""Ledger verification (`python manage.py ledger_verify`, and the invariant tests after every step).

Checks, each reported with how many items it examined:

- entries_balanced: every journal entry has postings and they sum to zero per currency;
- posting_currency: every posting is in its account's currency;
- cached_balances: for accounts that keep a running balance (seller accounts), Account.balance plus its
  unfolded increases equals the sum of its postings in the account's normal direction; 0 for the others;
- non_negative: no account that must not go negative (seller pending, available, reserve, receivable,
  in transit) is negative;
- gateway_events: every gateway event was applied once (its (gateway, event id) is unique, processed_at set);
- line_legs: no order line leg holds less than nothing (refunded + disputed ≤ the leg, all ≥ 0);
- payment_totals: Payment.refunded_amount = the refunds not failed = Order.refunded_total = the lines'
  refunded legs; Payment.disputed_amount = the open and lost disputes = the lines' disputed legs + the
  unallocated dispute excess; refunds and disputes never above the captured amount;
- seller_balances: per seller and currency, pending = what the unreleased lines still owe the seller, and
  pending + available + reserve + in transit − receivable + payouts paid = every posted line's seller part
  less what refunds and disputes took back, plus platform grants; in transit = the payouts in transit;
- clearing: gateway clearing per gateway and currency = captured − fees − refunded − disputed of the posted
  payments; payout clearing = − the payouts paid; DISPUTES_HELD = the open disputes' held part;
  DISPUTE_LOSSES = the lost disputes' held part.

Lines, payments and sellers only count once their sale is posted (an entry with key sale:<payment id>).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, Sum

from revenue.models import (
    Account,
    AccountKind,
    BalanceIncrease,
    Dispute,
    GatewayEvent,
    JournalEntry,
    OrderLine,
    Payment,
    Payout,
    Posting,
    Refund,
    Seller,
)
from revenue.models.ledger import NON_NEGATIVE

OPEN_DISPUTES = (Dispute.State.NEEDS_RESPONSE, Dispute.State.UNDER_REVIEW)


@dataclass(frozen=True)
class Violation:
    check: str
    message: str

    def __str__(self) -> str:
        return f"[{self.check}] {self.message}"


@dataclass
class VerifyReport:
    examined: dict[str, int] = field(default_factory=dict)
    violations: list[Violation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations

    def add(self, check: str, message: str) -> None:
        self.violations.append(Violation(check, message))

    def summary(self) -> list[str]:
        failing = defaultdict(int)
        for violation in self.violations:
            failing[violation.check] += 1
        return [
            f"{name:<18} {count:>8} checked  {'OK' if not failing[name] else f'{failing[name]} violation(s)'}"
            for name, count in self.examined.items()
        ]


def _posted_payment_ids() -> set[int]:
    keys = JournalEntry.objects.filter(kind=JournalEntry.Kind.SALE, idempotency_key__startswith="sale:")
    ids = set()
    for key in keys.values_list("idempotency_key", flat=True):
        suffix = key.split(":", 1)[1]
        if suffix.isdigit():
            ids.add(int(suffix))
    return ids


def _check_entries(report: VerifyReport) -> None:
    report.examined["entries_balanced"] = JournalEntry.objects.count()
    unbalanced = (
        Posting.objects.values("entry_id", "currency")
        .annotate(total=Sum("amount"))
        .exclude(total=0)
        .order_by()
    )
    for row in unbalanced:
        report.add("entries_balanced", f"entry {row['entry_id']} is off by {row['total']} {row['currency']}")
    for entry_id in JournalEntry.objects.filter(postings__isnull=True).values_list("pk", flat=True):
        report.add("entries_balanced", f"entry {entry_id} has no postings")
    report.examined["posting_currency"] = Posting.objects.count()
    for row in Posting.objects.exclude(currency=F("account__currency")).values(
        "pk", "currency", "account_id"
    ):
        report.add(
            "posting_currency", f"posting {row['pk']} in {row['currency']} on account {row['account_id']}"
        )


def _check_accounts(report: VerifyReport) -> dict[int, Account]:
    """Accounts by pk, each with `current_balance` set from its postings (normal direction)."""
    totals = dict(
        Posting.objects.values("account_id").annotate(total=Sum("amount")).values_list("account_id", "total")
    )
    increases = dict(
        BalanceIncrease.objects.values("account_id")
        .annotate(total=Sum("amount"))
        .values_list("account_id", "total")
    )
    accounts = {account.pk: account for account in Account.objects.all()}
    report.examined["cached_balances"] = len(accounts)
    report.examined["non_negative"] = sum(1 for a in accounts.values() if a.kind in NON_NEGATIVE)
    for account in accounts.values():
        expected = account.signed(totals.get(account.pk, 0))
        running = account.balance + increases.get(account.pk, 0)
        if not account.keeps_running_balance and running != 0:
            report.add(
                "cached_balances",
                f"account {account.pk} ({account}) caches {running} but keeps no running balance",
            )
        elif account.keeps_running_balance and running != expected:
            report.add(
                "cached_balances",
                f"account {account.pk} ({account}) caches {running}, its postings give {expected}",
            )
        account.current_balance = expected
        if account.kind in NON_NEGATIVE and min(account.balance, running, expected) < 0:
            report.add("non_negative", f"account {account.pk} ({account}) is negative: {expected}")
    return accounts


def _check_gateway_events(report: VerifyReport) -> None:
    report.examined["gateway_events"] = GatewayEvent.objects.count()
    duplicates = (
        GatewayEvent.objects.values("gateway", "event_id").annotate(n=Count("pk")).filter(n__gt=1).order_by()
    )
    for row in duplicates:
        report.add("gateway_events", f"{row['gateway']} event {row['event_id']} stored {row['n']} times")
    for row in GatewayEvent.objects.filter(processed_at__isnull=True).values("gateway", "event_id", "type"):
        report.add(
            "gateway_events", f"{row['gateway']} event {row['event_id']} ({row['type']}) was never applied"
        )


def _posted_payments(posted: set[int]) -> list[dict]:
    fields = ("pk", "public_id", "order_id", "order__refunded_total", "gateway", "currency", "amount")
    fields += ("fee_amount", "refunded_amount", "disputed_amount")
    return [row for row in Payment.objects.values(*fields).order_by("pk").iterator() if row["pk"] in posted]


def _check_lines_and_payments(report: VerifyReport, payments: list[dict]) -> None:
    bad_legs = OrderLine.objects.filter(
        Q(refunded_seller__lt=0)
        | Q(refunded_platform__lt=0)
        | Q(refunded_tax__lt=0)
        | Q(clawed_seller__lt=0)
        | Q(disputed_platform__lt=0)
        | Q(disputed_tax__lt=0)
        | Q(seller_amount__lt=F("refunded_seller") + F("clawed_seller"))
        | Q(platform_amount__lt=F("refunded_platform") + F("disputed_platform"))
        | Q(tax_amount__lt=F("refunded_tax") + F("disputed_tax"))
    )
    report.examined["line_legs"] = OrderLine.objects.count()
    for line_id in bad_legs.values_list("pk", flat=True):
        report.add("line_legs", f"order line {line_id} gives back more than one of its legs holds")

    refunds: dict[int, int] = defaultdict(int)
    for row in (
        Refund.objects.exclude(state=Refund.State.FAILED)
        .values("payment_id")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        refunds[row["payment_id"]] = row["total"]
    disputes: dict[int, int] = defaultdict(int)
    unallocated: dict[int, int] = defaultdict(int)
    for dispute in Dispute.objects.exclude(state=Dispute.State.WON).only(
        "payment_id", "amount", "allocation"
    ):
        disputes[dispute.payment_id] += dispute.amount
        unallocated[dispute.payment_id] += int((dispute.allocation or {}).get("unallocated", 0))
    lines = {
        row["order_id"]: row
        for row in OrderLine.objects.values("order_id")
        .annotate(
            refunded=Sum(F("refunded_seller") + F("refunded_platform") + F("refunded_tax")),
            disputed=Sum(F("clawed_seller") + F("disputed_platform") + F("disputed_tax")),
        )
        .order_by()
    }
    report.examined["payment_totals"] = len(payments)
    for payment in payments:
        pk, label = payment["pk"], f"payment {payment['public_id']}"
        refunded, disputed = payment["refunded_amount"], payment["disputed_amount"]
        line_row = lines.get(payment["order_id"], {"refunded": 0, "disputed": 0})
        if refunded != refunds[pk]:
            report.add(
                "payment_totals", f"{label}: refunded_amount {refunded} ≠ refunds not failed {refunds[pk]}"
            )
        if payment["order__refunded_total"] != refunded:
            report.add(
                "payment_totals",
                f"{label}: order refunded_total {payment['order__refunded_total']} ≠ {refunded}",
            )
        if (line_row["refunded"] or 0) != refunded:
            report.add("payment_totals", f"{label}: lines refunded {line_row['refunded']} ≠ {refunded}")
        if disputed != disputes[pk]:
            report.add(
                "payment_totals", f"{label}: disputed_amount {disputed} ≠ open/lost disputes {disputes[pk]}"
            )
        if (line_row["disputed"] or 0) + unallocated[pk] != disputed:
            report.add(
                "payment_totals",
                f"{label}: lines disputed {line_row['disputed']} + unallocated {unallocated[pk]} ≠ {disputed}",
            )
        if not (0 <= refunded <= payment["amount"] and 0 <= disputed <= payment["amount"]):
            report.add("payment_totals", f"{label}: refunded or disputed outside 0..{payment['amount']}")


def _check_sellers(report: VerifyReport, accounts: dict[int, Account], payments: list[dict]) -> None:
    posted_orders = {payment["order_id"] for payment in payments}
    owed: dict[tuple[int, str], int] = defaultdict(int)
    pending_owed: dict[tuple[int, str], int] = defaultdict(int)
    left = F("seller_amount") - F("refunded_seller") - F("clawed_seller")
    rows = (
        OrderLine.objects.exclude(seller__kind=Seller.Kind.PLATFORM)
        .values("order_id", "seller_id", "order__currency")
        .annotate(left=Sum(left), pending=Sum(left, filter=Q(released_at__isnull=True)))
        .order_by()
    )
    for row in rows.iterator():
        if row["order_id"] not in posted_orders:
            continue
        key = (row["seller_id"], row["order__currency"])
        owed[key] += row["left"] or 0
        pending_owed[key] += row["pending"] or 0
    # Grants are owed to the seller without a sale (credited to available).
    grants = (
        Posting.objects.filter(
            Q(entry__kind=JournalEntry.Kind.GRANT) | Q(entry__reverses__kind=JournalEntry.Kind.GRANT),
            account__seller__isnull=False,
        )
        .values("account__seller_id", "currency")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in grants:
        owed[(row["account__seller_id"], row["currency"])] -= row["total"]
    paid: dict[tuple[int, str], int] = defaultdict(int)
    transit: dict[tuple[int, str], int] = defaultdict(int)
    for row in (
        Payout.objects.values("seller_id", "currency", "state")
        .annotate(total=Sum(F("amount") - F("reversed_amount")))
        .order_by()
    ):
        if row["state"] == Payout.State.PAID:
            paid[(row["seller_id"], row["currency"])] += row["total"]
        elif row["state"] == Payout.State.IN_TRANSIT:
            transit[(row["seller_id"], row["currency"])] += row["total"]
    position: dict[tuple[int, str], int] = defaultdict(int)
    pending: dict[tuple[int, str], int] = defaultdict(int)
    in_transit: dict[tuple[int, str], int] = defaultdict(int)
    for account in accounts.values():
        if account.seller_id is None:
            continue
        key = (account.seller_id, account.currency)
        sign = -1 if account.kind == AccountKind.SELLER_RECEIVABLE else 1
        position[key] += sign * account.current_balance
        if account.kind == AccountKind.SELLER_PENDING:
            pending[key] += account.current_balance
        elif account.kind == AccountKind.SELLER_IN_TRANSIT:
            in_transit[key] += account.current_balance
    keys = set(owed) | set(position) | set(paid) | set(transit)
    report.examined["seller_balances"] = len(keys)
    for key in sorted(keys):
        seller, currency = key
        if position[key] + paid[key] != owed[key]:
            report.add(
                "seller_balances",
                f"seller {seller} {currency}: balances {position[key]} + paid {paid[key]} ≠ owed {owed[key]}",
            )
        if pending[key] != pending_owed[key]:
            report.add(
                "seller_balances",
                f"seller {seller} {currency}: pending {pending[key]} ≠ unreleased lines {pending_owed[key]}",
            )
        if in_transit[key] != transit[key]:
            report.add(
                "seller_balances",
                f"seller {seller} {currency}: in transit {in_transit[key]} ≠ payouts in transit {transit[key]}",
            )


def _check_clearing(report: VerifyReport, accounts: dict[int, Account], payments: list[dict]) -> None:
    expected: dict[tuple[str, str, str], int] = defaultdict(int)
    for payment in payments:
        key = (AccountKind.GATEWAY_CLEARING, payment["gateway"], payment["currency"])
        expected[key] += (
            payment["amount"]
            - payment["fee_amount"]
            - payment["refunded_amount"]
            - payment["disputed_amount"]
        )
    paid = (
        Payout.objects.filter(state=Payout.State.PAID)
        .values("gateway", "currency")
        .annotate(total=Sum(F("amount") - F("reversed_amount")))
    )
    for row in paid.order_by():
        expected[(AccountKind.PAYOUT_CLEARING, row["gateway"], row["currency"])] -= row["total"]
    for dispute in Dispute.objects.exclude(state=Dispute.State.WON).only("state", "currency", "allocation"):
        held = int((dispute.allocation or {}).get("held", 0))
        kind = AccountKind.DISPUTES_HELD if dispute.state in OPEN_DISPUTES else AccountKind.DISPUTE_LOSSES
        expected[(kind, "", dispute.currency)] += held
    actual: dict[tuple[str, str, str], int] = defaultdict(int)
    checked_kinds = {
        AccountKind.GATEWAY_CLEARING,
        AccountKind.PAYOUT_CLEARING,
        AccountKind.DISPUTES_HELD,
        AccountKind.DISPUTE_LOSSES,
    }
    for account in accounts.values():
        if account.kind in checked_kinds and account.seller_id is None:
            actual[(account.kind, account.gateway, account.currency)] += account.current_balance
    keys = {key for key in set(expected) | set(actual) if expected[key] or actual[key]}
    report.examined["clearing"] = len(keys)
    for key in sorted(keys):
        if expected[key] != actual[key]:
            kind, gateway, currency = key
            report.add(
                "clearing",
                f"{kind} {gateway or '-'} {currency}: balance {actual[key]} ≠ expected {expected[key]}",
            )


def ledger_verify() -> VerifyReport:
    """Run every check (read-only) and return the report."""
    report = VerifyReport()
    _check_entries(report)
    accounts = _check_accounts(report)
    _check_gateway_events(report)
    payments = _posted_payments(_posted_payment_ids())
    _check_lines_and_payments(report, payments)
    _check_sellers(report, accounts, payments)
    _check_clearing(report, accounts, payments)
    return report

"""Double-entry ledger. Postings are append-only (on PostgreSQL a trigger refuses UPDATE and DELETE);
corrections are new, reversing entries. Amounts are integer minor units; debit is positive, credit negative,
and every entry sums to zero per currency."""

from django.conf import settings
from django.db import models
from django.db.models import Case, F, OuterRef, Subquery, Sum, When
from django.db.models.functions import Coalesce

from novacron.core.models import PublicModel


class AccountKind(models.TextChoices):
    # per seller
    SELLER_PENDING = "seller_pending", "Seller: pending (in escrow)"
    SELLER_AVAILABLE = "seller_available", "Seller: available for payout"
    SELLER_RESERVE = "seller_reserve", "Seller: reserve"
    SELLER_RECEIVABLE = "seller_receivable", "Seller: receivable (owed to the platform)"
    SELLER_IN_TRANSIT = "seller_in_transit", "Seller: payout in transit"
    # platform
    PLATFORM_REVENUE = "platform_revenue", "Platform revenue"
    GATEWAY_FEES = "gateway_fees", "Gateway fees"
    TAX_PAYABLE = "tax_payable", "Tax payable"
    DISPUTES_HELD = "disputes_held", "Disputed funds held by the gateway"
    DISPUTE_LOSSES = "dispute_losses", "Dispute losses"
    PLATFORM_GRANTS = "platform_grants", "Platform grants (community funding)"
    # external clearing, per gateway
    GATEWAY_CLEARING = "gateway_clearing", "Gateway clearing"
    PAYOUT_CLEARING = "payout_clearing", "Payout clearing"


# Asset and expense accounts carry a debit balance; liabilities and revenue a credit balance.
DEBIT_NORMAL = frozenset(
    {
        AccountKind.SELLER_RECEIVABLE,
        AccountKind.GATEWAY_FEES,
        AccountKind.DISPUTES_HELD,
        AccountKind.DISPUTE_LOSSES,
        AccountKind.PLATFORM_GRANTS,
        AccountKind.GATEWAY_CLEARING,
        AccountKind.PAYOUT_CLEARING,
    }
)
# Money the platform owes a seller can never be below zero: what would be negative goes to receivable.
NON_NEGATIVE = frozenset(
    {
        AccountKind.SELLER_PENDING,
        AccountKind.SELLER_AVAILABLE,
        AccountKind.SELLER_RESERVE,
        AccountKind.SELLER_IN_TRANSIT,
        AccountKind.SELLER_RECEIVABLE,
    }
)
SELLER_KINDS = frozenset(k for k in AccountKind if k.value.startswith("seller_"))
# Only accounts with a non-negative check keep a running balance: the check needs it under a row lock. The
# platform's accounts (revenue, clearing, fees, tax) are touched by every sale; keeping theirs would serialise
# all sales on a few hot rows, so their balance is the sum of their postings, computed when read.
# A running balance is `Account.balance` plus its unfolded `BalanceIncrease` rows: an increase can never break
# the non-negative check, so it is inserted without locking the account (sales of one seller don't queue);
# whatever decreases the account locks it, folds the increases into `balance`, then checks.
RUNNING_BALANCE = NON_NEGATIVE


class AccountQuerySet(models.QuerySet):
    def with_balance(self) -> "AccountQuerySet":
        """Annotate `current_balance` (normal direction): the running balance where one is kept, else the sum
        of the account's postings."""
        summed = Coalesce(
            Subquery(
                Posting.objects.filter(account=OuterRef("pk"))
                .order_by()
                .values("account")
                .annotate(total=Sum("amount"))
                .values("total")
            ),
            0,
        )
        increases = Coalesce(
            Subquery(
                BalanceIncrease.objects.filter(account=OuterRef("pk"))
                .order_by()
                .values("account")
                .annotate(total=Sum("amount"))
                .values("total")
            ),
            0,
        )
        return self.annotate(
            current_balance=Case(
                When(kind__in=list(RUNNING_BALANCE), then=F("balance") + increases),
                When(kind__in=list(DEBIT_NORMAL), then=summed),
                default=-summed,
                output_field=models.BigIntegerField(),
            )
        )


class Account(models.Model):
    kind = models.CharField(max_length=30, choices=AccountKind.choices)
    currency = models.CharField(max_length=3)
    seller = models.ForeignKey(
        "revenue.Seller", null=True, blank=True, on_delete=models.PROTECT, related_name="accounts"
    )
    gateway = models.CharField(max_length=30, blank=True)
    jurisdiction = models.CharField(max_length=20, blank=True)
    owner_key = models.CharField(max_length=40, help_text="seller:<id> or platform; part of the natural key")
    balance = models.BigIntegerField(
        default=0,
        help_text="Running balance in the account's normal direction (plus its unfolded increases), kept only "
        "for accounts that must not go negative (seller accounts); 0 for the others, whose balance is summed "
        "from postings. Read balances with Account.objects.with_balance().",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["owner_key", "kind", "currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "currency", "owner_key", "gateway", "jurisdiction"],
                name="account_natural_key",
            ),
        ]

    def __str__(self) -> str:
        parts = [self.get_kind_display(), self.currency]
        if self.seller_id:
            parts.append(str(self.seller))
        parts += [p for p in (self.gateway, self.jurisdiction) if p]
        return " · ".join(parts)

    @property
    def is_debit_normal(self) -> bool:
        return self.kind in DEBIT_NORMAL

    @property
    def must_not_go_negative(self) -> bool:
        return self.kind in NON_NEGATIVE

    @property
    def keeps_running_balance(self) -> bool:
        return self.kind in RUNNING_BALANCE

    def signed(self, amount: int) -> int:
        """Effect of a posting (debit positive) on this account's normal-direction balance."""
        return amount if self.is_debit_normal else -amount


class JournalEntry(PublicModel):
    class Kind(models.TextChoices):
        SALE = "sale", "Sale"
        GATEWAY_FEE = "gateway_fee", "Gateway fee"
        RELEASE = "release", "Escrow release"
        RESERVE_RELEASE = "reserve_release", "Reserve released"
        REFUND = "refund", "Refund"
        DISPUTE_OPENED = "dispute_opened", "Dispute opened"
        DISPUTE_WON = "dispute_won", "Dispute won"
        DISPUTE_LOST = "dispute_lost", "Dispute lost"
        PAYOUT = "payout", "Payout initiated"
        PAYOUT_PAID = "payout_paid", "Payout paid"
        PAYOUT_FAILED = "payout_failed", "Payout failed"
        RECEIVABLE_OFFSET = "receivable_offset", "Receivable netted off"
        BANK_TRANSFER = "bank_transfer", "Bank transfer received"
        ADJUSTMENT = "adjustment", "Manual adjustment"
        GRANT = "grant", "Platform grant"
        REVERSAL = "reversal", "Reversal"

    # Every index costs each posted entry an insert, so only lookups that need one have it: by key, public id,
    # reference (an order's entries) and date; reversals and creators are rare, so their indexes are partial.
    created_at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    description = models.CharField(max_length=255, blank=True)
    reference_type = models.CharField(max_length=40, blank=True)
    reference_id = models.CharField(max_length=64, blank=True, db_index=True)
    idempotency_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    reverses = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversals", db_index=False
    )
    metadata = models.JSONField(default=dict, blank=True)
    effective_at = models.DateTimeField(db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    class Meta:
        ordering = ["-effective_at", "-id"]
        verbose_name_plural = "journal entries"
        indexes = [
            models.Index(
                fields=["reverses"], name="entry_reverses_idx", condition=models.Q(reverses__isnull=False)
            ),
            models.Index(
                fields=["created_by"],
                name="entry_created_by_idx",
                condition=models.Q(created_by__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.public_id}"


class Posting(models.Model):
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="postings")
    # No index of its own: posting_account_entry_idx (account, entry) serves every lookup by account.
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings", db_index=False)
    amount = models.BigIntegerField(help_text="Minor units; debit positive, credit negative")
    currency = models.CharField(max_length=3)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=~models.Q(amount=0), name="posting_amount_nonzero")]
        # An account's postings in entry order: statements, and the entries a payout covers (its key).
        indexes = [models.Index(fields=["account", "entry"], name="posting_account_entry_idx")]

    def __str__(self) -> str:
        return f"{self.account}: {self.amount}"


class BalanceIncrease(models.Model):
    """An increase of a running balance not yet folded into `Account.balance` (see RUNNING_BALANCE). Inserted
    with the posting; deleted and added to the balance by whoever next locks the account."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="increases")
    amount = models.BigIntegerField()

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="increase_positive")]

    def __str__(self) -> str:
        return f"{self.account_id}: +{self.amount}"

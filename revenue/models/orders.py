from django.conf import settings
from django.db import models

from novacron.core.models import PublicModel


class Order(PublicModel):
    """What a buyer (a user, optionally on behalf of an organisation) pays for in one checkout."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        REQUIRES_ACTION = "requires_action", "Requires action (3-D Secure)"
        AWAITING_TRANSFER = "awaiting_transfer", "Awaiting bank transfer"
        PAID = "paid", "Paid"
        FAILED = "failed", "Failed"
        CANCELED = "canceled", "Canceled"

    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    organization = models.ForeignKey(
        "accounts.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    currency = models.CharField(max_length=3)
    subtotal = models.BigIntegerField(help_text="Net (ex-tax) total in minor units")
    tax_total = models.BigIntegerField(default=0)
    total = models.BigIntegerField()
    refunded_total = models.BigIntegerField(default=0)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING, db_index=True)
    gateway = models.CharField(max_length=30)
    tax_evidence = models.JSONField(
        default=dict, blank=True, help_text="billing/IP/card country as seen at sale"
    )
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total=models.F("subtotal") + models.F("tax_total")),
                name="order_total_sums",
            ),
            models.CheckConstraint(
                condition=models.Q(refunded_total__gte=0, refunded_total__lte=models.F("total")),
                name="order_refund_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"Order {self.public_id}"


class OrderLine(models.Model):
    """One priced item from one seller; its split is fixed at sale time and refunds follow it pro rata."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    seller = models.ForeignKey("revenue.Seller", on_delete=models.PROTECT, related_name="order_lines")
    item_type = models.CharField(
        max_length=60, help_text='Registered by the selling app, e.g. "marketplace.app"'
    )
    item_id = models.CharField(max_length=64)
    description = models.CharField(max_length=255)
    quantity = models.PositiveIntegerField(default=1)
    unit_amount = models.BigIntegerField()
    net_amount = models.BigIntegerField()
    tax_amount = models.BigIntegerField(default=0)
    tax_rate = models.DecimalField(max_digits=7, decimal_places=4, default=0)
    tax_jurisdiction = models.CharField(max_length=20, blank=True)
    seller_amount = models.BigIntegerField(help_text="Seller's share of the net amount")
    platform_amount = models.BigIntegerField(help_text="Platform's share of the net amount")
    share_rate = models.DecimalField(
        max_digits=6, decimal_places=4, help_text="Seller's share of net, e.g. 0.7000"
    )
    tier = models.CharField(max_length=20)
    metadata = models.JSONField(default=dict, blank=True)
    # Running totals kept by the refund, dispute and escrow services (ledger_verify cross-checks them).
    refunded_seller = models.BigIntegerField(default=0)
    refunded_platform = models.BigIntegerField(default=0)
    refunded_tax = models.BigIntegerField(default=0)
    clawed_seller = models.BigIntegerField(
        default=0, help_text="Seller part taken back for disputes (open or lost; a won dispute returns it)"
    )
    disputed_platform = models.BigIntegerField(
        default=0, help_text="Platform part held for disputes (open or lost; a won dispute returns it)"
    )
    disputed_tax = models.BigIntegerField(
        default=0, help_text="Tax part held for disputes (open or lost; a won dispute returns it)"
    )
    released_amount = models.BigIntegerField(default=0)
    released_at = models.DateTimeField(null=True, blank=True, db_index=True)
    reserved_amount = models.BigIntegerField(default=0, help_text="Part of the release held in the reserve")
    reserve_released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(net_amount=models.F("seller_amount") + models.F("platform_amount")),
                name="line_split_sums",
            ),
            models.CheckConstraint(
                condition=models.Q(net_amount__gte=0, tax_amount__gte=0), name="line_amounts_nonneg"
            ),
            # Every leg of a line: what was refunded plus what is held for disputes never exceeds the leg.
            models.CheckConstraint(
                condition=models.Q(
                    refunded_seller__gte=0,
                    clawed_seller__gte=0,
                    refunded_seller__lte=models.F("seller_amount") - models.F("clawed_seller"),
                ),
                name="line_seller_leg_within",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    refunded_platform__gte=0,
                    disputed_platform__gte=0,
                    refunded_platform__lte=models.F("platform_amount") - models.F("disputed_platform"),
                ),
                name="line_platform_leg_within",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    refunded_tax__gte=0,
                    disputed_tax__gte=0,
                    refunded_tax__lte=models.F("tax_amount") - models.F("disputed_tax"),
                ),
                name="line_tax_leg_within",
            ),
        ]

    def __str__(self) -> str:
        return self.description


class Payment(PublicModel):
    class State(models.TextChoices):
        REQUIRES_ACTION = "requires_action", "Requires action"
        PROCESSING = "processing", "Processing"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELED = "canceled", "Canceled"

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    gateway = models.CharField(max_length=30)
    gateway_reference = models.CharField(max_length=120, blank=True)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    state = models.CharField(max_length=20, choices=State.choices, db_index=True)
    fee_amount = models.BigIntegerField(default=0)
    refunded_amount = models.BigIntegerField(default=0)
    disputed_amount = models.BigIntegerField(default=0)
    card_country = models.CharField(max_length=2, blank=True)
    next_action = models.JSONField(default=dict, blank=True)
    failure_code = models.CharField(max_length=60, blank=True)
    failure_message = models.CharField(max_length=255, blank=True)
    captured_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["gateway", "gateway_reference"],
                condition=~models.Q(gateway_reference=""),
                name="payment_gateway_ref_uniq",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    refunded_amount__gte=0,
                    disputed_amount__gte=0,
                    refunded_amount__lte=models.F("amount"),
                    disputed_amount__lte=models.F("amount"),
                ),
                name="payment_refunds_disputes_within",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.gateway} {self.gateway_reference or self.public_id}"


class Refund(PublicModel):
    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    reason = models.CharField(max_length=255, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    gateway_reference = models.CharField(max_length=120, blank=True)
    entry = models.OneToOneField(
        "revenue.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="refund"
    )
    reversal_entry = models.OneToOneField(
        "revenue.JournalEntry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="refund_reversed",
        help_text="Posted when the gateway refused the refund: the money goes back where it is owed",
    )
    idempotency_key = models.CharField(
        max_length=200,
        null=True,
        blank=True,
        unique=True,
        help_text="Caller's key; a replay returns this refund",
    )
    failure_message = models.CharField(max_length=255, blank=True)
    submitted_at = models.DateTimeField(
        null=True, blank=True, help_text="When the gateway accepted the refund request"
    )
    settled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_amount_positive")
        ]

    def __str__(self) -> str:
        return f"Refund {self.public_id}"


class Dispute(PublicModel):
    class State(models.TextChoices):
        NEEDS_RESPONSE = "needs_response", "Needs response"
        UNDER_REVIEW = "under_review", "Under review"
        WON = "won", "Won"
        LOST = "lost", "Lost"

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="disputes")
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    reason = models.CharField(max_length=60, blank=True)
    state = models.CharField(
        max_length=20, choices=State.choices, default=State.NEEDS_RESPONSE, db_index=True
    )
    gateway_reference = models.CharField(max_length=120, blank=True)
    evidence_due_by = models.DateTimeField(null=True, blank=True)
    evidence_notes = models.TextField(blank=True)
    evidence_submitted_at = models.DateTimeField(
        null=True, blank=True, help_text="When the gateway accepted the evidence (no more can be added after)"
    )
    opened_entry = models.OneToOneField(
        "revenue.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="dispute_opened"
    )
    closed_entry = models.OneToOneField(
        "revenue.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="dispute_closed"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    allocation = models.JSONField(
        default=dict,
        blank=True,
        help_text="How the disputed amount was split over the sale's legs when it opened (closing reverses it)",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="dispute_amount_positive"),
            models.UniqueConstraint(
                fields=["gateway_reference"],
                condition=~models.Q(gateway_reference=""),
                name="dispute_gateway_ref_uniq",
            ),
        ]

    @property
    def is_open(self) -> bool:
        return self.state in {self.State.NEEDS_RESPONSE, self.State.UNDER_REVIEW}

    def __str__(self) -> str:
        return f"Dispute {self.public_id}"

from django.db import models

from novacron.core.models import PublicModel


class PayoutAccount(PublicModel):
    """Where a seller's money goes: a Stripe Connect account, or bank details for a manual transfer."""

    class Method(models.TextChoices):
        STRIPE_CONNECT = "stripe_connect", "Stripe Connect"
        BANK_TRANSFER = "bank_transfer", "Manual bank transfer"

    seller = models.ForeignKey("revenue.Seller", on_delete=models.PROTECT, related_name="payout_accounts")
    currency = models.CharField(max_length=3)
    method = models.CharField(max_length=20, choices=Method.choices)
    stripe_account_id = models.CharField(max_length=60, blank=True)
    account_holder = models.CharField(max_length=200, blank=True)
    iban = models.CharField(max_length=34, blank=True)
    bic = models.CharField(max_length=11, blank=True)
    account_number = models.CharField(max_length=34, blank=True)
    routing_number = models.CharField(max_length=20, blank=True)
    bank_country = models.CharField(max_length=2, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["seller", "currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["seller", "currency"],
                condition=models.Q(is_active=True),
                name="one_active_payout_account",
            )
        ]

    def __str__(self) -> str:
        return f"{self.seller} {self.currency} via {self.get_method_display()}"


class Payout(PublicModel):
    class State(models.TextChoices):
        IN_TRANSIT = "in_transit", "In transit"
        PAID = "paid", "Paid"
        FAILED = "failed", "Failed"

    seller = models.ForeignKey("revenue.Seller", on_delete=models.PROTECT, related_name="payouts")
    payout_account = models.ForeignKey(PayoutAccount, on_delete=models.PROTECT, related_name="payouts")
    currency = models.CharField(max_length=3)
    amount = models.BigIntegerField()
    state = models.CharField(max_length=20, choices=State.choices, default=State.IN_TRANSIT, db_index=True)
    idempotency_key = models.CharField(
        max_length=200, unique=True, help_text="payout:<seller>:<currency>:<last journal entry id covered>"
    )
    gateway = models.CharField(max_length=30, blank=True, help_text="Gateway that carries the transfer")
    scheduled_for = models.DateField(
        null=True, blank=True, db_index=True, help_text="The payout run (day) that created it"
    )
    gateway_reference = models.CharField(max_length=120, blank=True)
    submitted_at = models.DateTimeField(
        null=True, blank=True, help_text="When the gateway accepted the transfer request"
    )
    failure_message = models.CharField(max_length=255, blank=True)
    reversed_amount = models.BigIntegerField(
        default=0, help_text="Part of a paid payout the gateway reversed (returned to available)"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payout_amount_positive")
        ]

    def __str__(self) -> str:
        return f"Payout {self.public_id}"

"""Installations (the licence), purchases that paid for them, seat assignments and usage records.

An installation belongs to a user or to an organisation (exactly one). At most one live (active or trial)
installation per app and holder, enforced by partial unique constraints. `Purchase` has one row per revenue
order line, which makes `on_paid`/`on_refunded` idempotent.
"""

from django.conf import settings
from django.db import models

from novacron.core.models import PublicModel

LIVE_STATES = ("active", "trial")


class Installation(PublicModel):
    class Status(models.TextChoices):
        TRIAL = "trial", "Trial"
        ACTIVE = "active", "Active"
        EXPIRED = "expired", "Expired"
        UNINSTALLED = "uninstalled", "Uninstalled"
        REVOKED = "revoked", "Revoked (refunded)"

    app = models.ForeignKey("marketplace.App", on_delete=models.PROTECT, related_name="installations")
    plan = models.ForeignKey("marketplace.Plan", on_delete=models.PROTECT, related_name="installations")
    version = models.ForeignKey(
        "marketplace.AppVersion", on_delete=models.PROTECT, related_name="installations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="marketplace_installations",
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="marketplace_installations",
    )
    installed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, db_index=True)
    granted_scopes = models.JSONField(default=list, blank=True)
    seats = models.PositiveIntegerField(default=1)
    trial_ends_at = models.DateTimeField(null=True, blank=True)
    current_period_end = models.DateTimeField(null=True, blank=True, help_text="Empty: perpetual")
    price_amount = models.PositiveBigIntegerField(default=0, help_text="Unit price this customer paid")
    price_currency = models.CharField(max_length=3, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    subscription_id = models.UUIDField(
        null=True,
        blank=True,
        db_index=True,
        help_text="revenue subscription that pays for it (recurring plans)",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False, organization__isnull=True)
                | models.Q(user__isnull=True, organization__isnull=False),
                name="mkt_install_one_holder",
            ),
            models.UniqueConstraint(
                fields=["app", "user"],
                condition=models.Q(status__in=LIVE_STATES, user__isnull=False),
                name="mkt_install_live_user_once",
            ),
            models.UniqueConstraint(
                fields=["app", "organization"],
                condition=models.Q(status__in=LIVE_STATES, organization__isnull=False),
                name="mkt_install_live_org_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.app} for {self.organization or self.user}"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATES


class Purchase(models.Model):
    """One paid revenue order line for an installation (the idempotency key of fulfilment and refunds)."""

    class State(models.TextChoices):
        PAID = "paid", "Paid"
        REFUNDED = "refunded", "Refunded"

    order_id = models.UUIDField(db_index=True)
    order_line_id = models.PositiveBigIntegerField(unique=True)
    installation = models.ForeignKey(Installation, on_delete=models.PROTECT, related_name="purchases")
    plan = models.ForeignKey("marketplace.Plan", on_delete=models.PROTECT, related_name="purchases")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(default=1)
    net_amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PAID)
    created_at = models.DateTimeField(auto_now_add=True)
    refunded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Order {self.order_id} line {self.order_line_id}"


class SeatAssignment(models.Model):
    installation = models.ForeignKey(Installation, on_delete=models.CASCADE, related_name="seat_assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assigned_at"]
        constraints = [models.UniqueConstraint(fields=["installation", "user"], name="mkt_seat_once")]

    def __str__(self) -> str:
        return f"{self.user} on {self.installation}"


class UsageRecord(models.Model):
    """Units an app reports for a usage-based installation; `idempotency_key` de-duplicates retries."""

    installation = models.ForeignKey(Installation, on_delete=models.CASCADE, related_name="usage_records")
    quantity = models.PositiveIntegerField()
    occurred_at = models.DateTimeField()
    idempotency_key = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at"]
        constraints = [
            models.UniqueConstraint(fields=["installation", "idempotency_key"], name="mkt_usage_once"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} units"

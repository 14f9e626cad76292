"""Subscriptions: plans (per seat, monthly or annual, optional free trial), subscriptions and their lifecycle,
the charges that bill each period (through checkout), dunning attempts and retention offers.

Lifecycle (services/subscriptions.py holds the allowed transitions):

    incomplete ──first payment──▶ active ◀──renewal paid── past_due ──grace over──▶ canceled (involuntary)
    trialing ──trial ends, paid──▶ active ──period end, cancel_at_period_end──▶ canceled
    active ──pause offer accepted, at period end──▶ paused ──resume──▶ active
"""

from django.conf import settings
from django.db import models

from novacron.core.models import PublicModel, TimestampedModel


class Plan(PublicModel):
    """A recurring price per seat. `key` names what the plan sells ("revenue.plan:<slug>" for revenue's own,
    "marketplace.plan:<id>" for an app's plan created through the facade)."""

    class Interval(models.TextChoices):
        MONTH = "month", "Monthly"
        YEAR = "year", "Annual"

    key = models.CharField(max_length=100, unique=True)
    seller = models.ForeignKey("revenue.Seller", on_delete=models.PROTECT, related_name="plans")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    interval = models.CharField(max_length=5, choices=Interval.choices, default=Interval.MONTH)
    unit_amount = models.BigIntegerField(help_text="Price per seat per period, minor units, before tax")
    currency = models.CharField(max_length=3)
    trial_days = models.PositiveIntegerField(default=0)
    max_seats = models.PositiveIntegerField(default=1000)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name", "interval"]
        constraints = [
            models.CheckConstraint(condition=models.Q(unit_amount__gte=0), name="plan_price_nonneg"),
            models.CheckConstraint(condition=models.Q(max_seats__gte=1), name="plan_max_seats_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_interval_display()})"


class Subscription(PublicModel):
    class State(models.TextChoices):
        INCOMPLETE = "incomplete", "Incomplete (first payment pending)"
        TRIALING = "trialing", "Trialing"
        ACTIVE = "active", "Active"
        PAST_DUE = "past_due", "Past due"
        PAUSED = "paused", "Paused"
        CANCELED = "canceled", "Canceled"

    class EndReason(models.TextChoices):
        NONE = "", "—"
        BUYER = "buyer", "Canceled by the buyer"
        PAYMENT_FAILED = "payment_failed", "Payment failed (involuntary)"
        STAFF = "staff", "Canceled by staff"
        INCOMPLETE = "incomplete_expired", "First payment never completed"

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="revenue_subscriptions"
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revenue_subscriptions",
    )
    seats = models.PositiveIntegerField(default=1)
    state = models.CharField(max_length=12, choices=State.choices, db_index=True)
    gateway = models.CharField(max_length=30)
    payment_method = models.CharField(max_length=100, help_text="The gateway's token for the stored method")
    payment_method_label = models.CharField(max_length=60, blank=True)
    billing_country = models.CharField(max_length=2, blank=True)
    anchor = models.DateTimeField(help_text="Periods end on this day of the month (clamped to short months)")
    current_period_start = models.DateTimeField()
    current_period_end = models.DateTimeField(db_index=True)
    trial_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    pending_plan = models.ForeignKey(
        Plan,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Downgrade at renewal",
    )
    pending_seats = models.PositiveIntegerField(null=True, blank=True, help_text="Seat decrease at renewal")
    kept_unit_amount = models.BigIntegerField(
        null=True,
        blank=True,
        help_text="Seat price kept after a price rise (see plan_upsert keep_price_days)",
    )
    kept_until = models.DateTimeField(null=True, blank=True, help_text="Periods starting before this keep it")
    discount_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    discount_periods_left = models.PositiveIntegerField(default=0)
    pause_periods = models.PositiveIntegerField(
        default=0, help_text="Periods to pause at the next period end"
    )
    resume_at = models.DateTimeField(null=True, blank=True)
    past_due_since = models.DateTimeField(null=True, blank=True)
    canceled_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True, default="")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "current_period_end"], name="sub_state_period_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(seats__gte=1), name="sub_seats_positive"),
            models.CheckConstraint(
                condition=models.Q(current_period_end__gt=models.F("current_period_start")),
                name="sub_period_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(discount_percent__gte=0, discount_percent__lt=100),
                name="sub_discount_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan.name} × {self.seats} ({self.state})"


class SubscriptionCharge(PublicModel):
    """What one period (or one upgrade's proration) costs; sold through checkout as item "revenue.subscription"
    (item id = this charge's public id). `key` makes billing idempotent: one charge per subscription and period."""

    class Kind(models.TextChoices):
        INITIAL = "initial", "First period"
        RENEWAL = "renewal", "Renewal"
        PRORATION = "proration", "Upgrade (prorated)"
        USAGE = "usage", "Final metered usage"

    class State(models.TextChoices):
        OPEN = "open", "Open"
        PAID = "paid", "Paid"
        UNCOLLECTIBLE = "uncollectible", "Uncollectible"
        VOID = "void", "Void"

    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="charges")
    key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    seats = models.PositiveIntegerField()
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    unit_amount = models.BigIntegerField(help_text="Per seat after any retention discount (renewals)")
    discount_amount = models.BigIntegerField(default=0, help_text="Retention discount taken off, all seats")
    usage_amount = models.BigIntegerField(
        default=0, help_text="Metered usage of the period before, billed in arrears (included in amount)"
    )
    amount = models.BigIntegerField(help_text="Net charged, minor units")
    currency = models.CharField(max_length=3)
    description = models.CharField(max_length=255)
    state = models.CharField(max_length=14, choices=State.choices, default=State.OPEN, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    first_failed_at = models.DateTimeField(null=True, blank=True)
    next_retry_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_failure_code = models.CharField(max_length=60, blank=True)
    order = models.ForeignKey(
        "revenue.Order",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Paid by",
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    recovered = models.BooleanField(default=False, help_text="Paid after at least one failed attempt")
    change = models.JSONField(default=dict, blank=True, help_text="Proration: the plan and seats it pays for")

    class Meta:
        ordering = ["-period_start", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0, discount_amount__gte=0, usage_amount__gte=0),
                name="subcharge_amounts_nonneg",
            ),
        ]

    def __str__(self) -> str:
        return self.description


class DunningAttempt(TimestampedModel):
    """One try at collecting a charge (the first at renewal, then on the retry schedule). An attempt whose order
    was paid after another order had already paid the charge (3-D Secure confirmed twice) is "refunded": its
    order is refunded in full (`refund`) so the period is never paid twice."""

    class Outcome(models.TextChoices):
        PROCESSING = "processing", "Processing"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        REFUNDED = "refunded", "Paid twice, refunded"

    charge = models.ForeignKey(SubscriptionCharge, on_delete=models.PROTECT, related_name="dunning_attempts")
    number = models.PositiveIntegerField()
    attempted_at = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PROCESSING)
    order = models.ForeignKey(
        "revenue.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    failure_code = models.CharField(max_length=60, blank=True)
    failure_message = models.CharField(max_length=255, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    refund = models.ForeignKey(
        "revenue.Refund",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The full refund of this attempt's order when the charge had already been paid",
    )

    class Meta:
        ordering = ["charge_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["charge", "number"], name="dunning_attempt_number_uniq"),
        ]

    def __str__(self) -> str:
        return f"Attempt {self.number} ({self.outcome})"


class RetentionOffer(TimestampedModel):
    """An offer made when a buyer asked to cancel, and what they chose (the outcome is kept for reporting)."""

    class Kind(models.TextChoices):
        DISCOUNT = "discount", "Discount"
        PAUSE = "pause", "Pause"

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined (canceled)"

    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="retention_offers")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    percent_off = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    periods = models.PositiveIntegerField(help_text="Discounted or paused periods")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason = models.CharField(max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} offer {self.outcome}"

"""Plans: how an app is priced. Amounts are integer minor units in the plan's currency.

- free: nothing to pay; install directly.
- one_time: `amount` once, a perpetual licence.
- subscription: `amount` per `interval` (month or year), renewed by revenue's subscriptions.
- per_seat: `amount` per seat per `interval`; the buyer chooses the number of seats.
- usage: metered; `unit_amount` per reported unit, at most `monthly_cap` a month, billed in arrears each month on
  the card stored when subscribing (a revenue subscription with no fixed price).
Any paid model may offer `trial_days` of free use first (once per customer and app).
"""

from django.conf import settings
from django.db import models

from novacron.core.models import PublicModel


class Plan(PublicModel):
    class Model(models.TextChoices):
        FREE = "free", "Free"
        ONE_TIME = "one_time", "One-time purchase"
        SUBSCRIPTION = "subscription", "Subscription"
        PER_SEAT = "per_seat", "Per seat"
        USAGE = "usage", "Usage-based"

    class Interval(models.TextChoices):
        NONE = "", "—"
        MONTH = "month", "Monthly"
        YEAR = "year", "Annual"

    app = models.ForeignKey("marketplace.App", on_delete=models.CASCADE, related_name="plans")
    name = models.CharField(max_length=60)
    model = models.CharField(max_length=20, choices=Model.choices)
    interval = models.CharField(max_length=10, choices=Interval.choices, blank=True, default="")
    amount = models.PositiveBigIntegerField(default=0, help_text="Minor units (per seat for per-seat plans)")
    unit_amount = models.PositiveBigIntegerField(default=0, help_text="Usage plans: minor units per unit")
    monthly_cap = models.PositiveBigIntegerField(default=0, help_text="Usage plans: most charged a month")
    currency = models.CharField(max_length=3, default="USD")
    trial_days = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["app", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(model__in=["subscription", "per_seat"]) | ~models.Q(interval=""),
                name="mkt_plan_recurring_interval",
            ),
            models.CheckConstraint(
                condition=~models.Q(model="free") | models.Q(amount=0, trial_days=0),
                name="mkt_plan_free_is_free",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.app.name} — {self.name}"

    @property
    def is_paid(self) -> bool:
        """Needs a payment method: everything but free plans (usage-based ones bill the month's usage)."""
        return self.model != self.Model.FREE


class PriceChange(models.Model):
    """Every change of a plan's price. Drives the two rules: at most one change per 30 days, and customers
    who held the plan before a change keep `old_amount` for 90 days after it."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="price_changes")
    old_amount = models.PositiveBigIntegerField()
    new_amount = models.PositiveBigIntegerField()
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-changed_at", "-id"]
        get_latest_by = "changed_at"

    def __str__(self) -> str:
        return f"{self.plan}: {self.old_amount} → {self.new_amount}"

"""Coupons (percentage or fixed amount off, limited in time and number of redemptions) and their redemptions."""

from django.conf import settings
from django.db import models

from novacron.core.models import PublicModel


class Coupon(PublicModel):
    class Kind(models.TextChoices):
        PERCENT = "percent", "Percentage off"
        FIXED = "fixed", "Fixed amount off"

    class Duration(models.TextChoices):
        # For one-off checkouts a coupon always applies once; subscriptions read the duration for renewals.
        ONCE = "once", "Once"
        REPEATING = "repeating", "For a number of months"
        FOREVER = "forever", "Forever"

    code = models.CharField(max_length=40, unique=True, help_text="Upper case; what buyers type")
    name = models.CharField(max_length=120, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    percent_off = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    amount_off = models.BigIntegerField(null=True, blank=True, help_text="Minor units of `currency`")
    currency = models.CharField(max_length=3, blank=True, help_text="Fixed coupons only")
    duration = models.CharField(max_length=10, choices=Duration.choices, default=Duration.ONCE)
    duration_in_months = models.PositiveIntegerField(null=True, blank=True)
    seller = models.ForeignKey(
        "revenue.Seller",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="coupons",
        help_text="Only this seller's items (empty: every item)",
    )
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    max_redemptions = models.PositiveIntegerField(null=True, blank=True, help_text="In all (empty: no limit)")
    max_per_buyer = models.PositiveIntegerField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="percent", percent_off__gt=0, percent_off__lte=100, amount_off__isnull=True)
                    | models.Q(kind="fixed", amount_off__gt=0, percent_off__isnull=True)
                ),
                name="coupon_kind_value",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class CouponRedemption(models.Model):
    """One use of a coupon by one order. Created under the coupon's row lock in the checkout's transaction; an order
    that fails or is canceled no longer counts against the limits."""

    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, related_name="redemptions")
    order = models.OneToOneField("revenue.Order", on_delete=models.PROTECT, related_name="coupon_redemption")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    discount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.coupon} on {self.order_id}"

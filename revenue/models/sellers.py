from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from novacron.core.models import PublicModel


class Tier(models.TextChoices):
    STANDARD = "standard", "Standard"
    SILVER = "silver", "Silver"
    GOLD = "gold", "Gold"
    PLATINUM = "platinum", "Platinum"


class PayoutInterval(models.TextChoices):
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"


class Seller(PublicModel):
    """Anyone who receives a share of a sale: a developer, a partner firm, an organiser, or the platform."""

    class Kind(models.TextChoices):
        DEVELOPER = "developer", "Developer"
        PARTNER = "partner", "Partner"
        ORGANISER = "organiser", "Organiser"
        PLATFORM = "platform", "Platform"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    display_name = models.CharField(max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="seller_profiles",
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="seller_profiles",
    )
    tier = models.CharField(max_length=20, choices=Tier.choices, default=Tier.STANDARD)
    escrow_hold_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Days a sale stays pending; empty uses REVENUE_ESCROW_HOLD_DAYS"
    )
    payout_interval = models.CharField(
        max_length=10, choices=PayoutInterval.choices, default=PayoutInterval.WEEKLY
    )
    payout_minimum_usd = models.PositiveIntegerField(
        default=2500, help_text="Minimum payout in US cents, converted to the payout currency"
    )
    payouts_paused = models.BooleanField(default=False)
    reserve_percent = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(50)],
        help_text="Rolling reserve: this share of each released sale is held in reserve (0 = none)",
    )
    reserve_days = models.PositiveSmallIntegerField(
        default=90, help_text="Days a reserved amount is held after its sale was released"
    )

    class Meta:
        ordering = ["display_name"]
        constraints = [
            models.CheckConstraint(
                name="seller_has_one_owner",
                condition=(
                    models.Q(kind="platform", user__isnull=True, organization__isnull=True)
                    | models.Q(~models.Q(kind="platform"), user__isnull=False, organization__isnull=True)
                    | models.Q(~models.Q(kind="platform"), user__isnull=True, organization__isnull=False)
                ),
            ),
            models.UniqueConstraint(
                fields=["kind"], condition=models.Q(kind="platform"), name="one_platform_seller"
            ),
            models.UniqueConstraint(
                fields=["kind", "user"], condition=models.Q(user__isnull=False), name="seller_user_kind_uniq"
            ),
            models.UniqueConstraint(
                fields=["kind", "organization"],
                condition=models.Q(organization__isnull=False),
                name="seller_org_kind_uniq",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name


class SellerTierChange(models.Model):
    """Tier history: one row each time the daily recomputation moves a seller to another tier."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="tier_changes")
    computed_at = models.DateTimeField(db_index=True)
    previous_tier = models.CharField(max_length=20, choices=Tier.choices)
    tier = models.CharField(max_length=20, choices=Tier.choices)
    trailing_revenue_usd = models.BigIntegerField(help_text="Trailing-12-month net revenue in US cents")
    developer_rate = models.DecimalField(max_digits=6, decimal_places=4)
    benefits = models.JSONField(default=dict)
    computation = models.JSONField(
        default=dict,
        blank=True,
        help_text="Window, net revenue per currency and the exchange rate used for each (rate, as_of)",
    )

    class Meta:
        ordering = ["-computed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.seller}: {self.previous_tier} → {self.tier}"

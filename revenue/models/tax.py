"""Tax: the dated rate table, buyers' billing profiles (address, state, VAT number) and VAT number checks."""

from django.conf import settings
from django.db import models

from novacron.core.models import PublicModel, TimestampedModel


class TaxRate(TimestampedModel):
    """One rate of one jurisdiction from a date on. The rate in force on a day is the row with the latest
    `valid_from` on or before it, so a rate change is a new row (history is never edited)."""

    class Kind(models.TextChoices):
        VAT = "vat", "VAT"
        GST = "gst", "GST"
        SALES_TAX = "sales_tax", "Sales tax"

    jurisdiction = models.CharField(
        max_length=10, help_text='ISO 3166 country ("DE", "GB") or country-region ("US-CA")'
    )
    country = models.CharField(max_length=2)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.VAT)
    rate = models.DecimalField(max_digits=7, decimal_places=4, help_text="e.g. 0.1900 for 19%")
    valid_from = models.DateField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["jurisdiction", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "valid_from"], name="taxrate_jurisdiction_from_uniq"
            ),
            models.CheckConstraint(condition=models.Q(rate__gte=0, rate__lt=1), name="taxrate_rate_range"),
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction} {self.rate:%} from {self.valid_from}"


class BillingProfile(TimestampedModel):
    """Who an invoice is made out to: a user's own profile, or an organisation's (kept by its billing staff)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="billing_profile",
    )
    organization = models.OneToOneField(
        "accounts.Organization",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="billing_profile",
    )
    legal_name = models.CharField(max_length=200, blank=True)
    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=3, blank=True, help_text='State or province code, e.g. "CA"')
    country = models.CharField(max_length=2, blank=True)
    vat_number = models.CharField(max_length=20, blank=True, help_text="Normalised, with its country prefix")
    email = models.EmailField(blank=True, help_text="Where invoices go (default: the account's email)")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=True, organization__isnull=False)
                | models.Q(user__isnull=False, organization__isnull=True),
                name="billingprofile_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.legal_name or f"Billing profile {self.pk}"


class VatNumberCheck(PublicModel):
    """The last VIES answer for one VAT number (a cache, and the state that holds invoices while VIES is down)."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending (VIES unreachable)"
        VALID = "valid", "Valid"
        INVALID = "invalid", "Invalid"

    vat_number = models.CharField(max_length=20, unique=True)
    country = models.CharField(max_length=2)
    state = models.CharField(max_length=10, choices=State.choices, db_index=True)
    name = models.CharField(max_length=200, blank=True)
    address = models.TextField(blank=True)
    consultation_number = models.CharField(max_length=60, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.vat_number} ({self.state})"

"""Invoices and credit notes (one model, two series) with their lines, and the gap-free number counters."""

from django.conf import settings
from django.db import models

from novacron.core.models import PublicModel


class InvoiceCounter(models.Model):
    """The last number used in one series (issuing entity prefix, document kind, year). Finalisation locks this
    row (select_for_update) and increments it in the same transaction, so numbers are gap-free and unique."""

    series = models.CharField(max_length=20, help_text='e.g. "NC" for invoices, "NC-CN" for credit notes')
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["series", "year"], name="invoicecounter_series_year_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.series}-{self.year}: {self.last_number}"


class Invoice(PublicModel):
    class Kind(models.TextChoices):
        INVOICE = "invoice", "Invoice"
        CREDIT_NOTE = "credit_note", "Credit note"

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        FINALISED = "finalised", "Finalised (unpaid)"
        PAID = "paid", "Paid"
        VOID = "void", "Void"

    class Hold(models.TextChoices):
        NONE = "", "None"
        VAT_CHECK_PENDING = "vat_check_pending", "VAT number check pending (VIES unreachable)"
        VAT_NUMBER_INVALID = "vat_number_invalid", "VIES says the VAT number is invalid: finance to review"
        INVOICE_NOT_FINAL = "invoice_not_final", "Its invoice is not finalised yet"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.INVOICE)
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT, db_index=True)
    hold = models.CharField(max_length=30, choices=Hold.choices, blank=True, default="")
    series = models.CharField(max_length=20)
    year = models.PositiveIntegerField(null=True, blank=True)
    sequence = models.PositiveIntegerField(null=True, blank=True)
    number = models.CharField(max_length=40, null=True, blank=True, unique=True)
    order = models.ForeignKey("revenue.Order", on_delete=models.PROTECT, related_name="invoices")
    invoice = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_notes",
        help_text="The invoice a credit note corrects",
    )
    refund = models.OneToOneField(
        "revenue.Refund", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_note"
    )
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="invoices")
    organization = models.ForeignKey(
        "accounts.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    currency = models.CharField(max_length=3)
    subtotal = models.BigIntegerField()
    tax_total = models.BigIntegerField()
    total = models.BigIntegerField()
    issuer = models.JSONField(default=dict, help_text="Seller details as printed (the issuing entity)")
    customer = models.JSONField(default=dict, help_text="Buyer details as printed")
    evidence = models.JSONField(
        default=dict,
        blank=True,
        help_text="Place-of-supply evidence: billing, IP and card country, VAT check",
    )
    reverse_charge = models.BooleanField(default=False)
    tax_notes = models.JSONField(default=list, blank=True)
    payment_reference = models.CharField(max_length=120, blank=True)
    coupon_code = models.CharField(max_length=40, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True, db_index=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=255, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total=models.F("subtotal") + models.F("tax_total")),
                name="invoice_total_sums",
            ),
            # A number exactly when finalised (void keeps its number); drafts have none.
            models.CheckConstraint(
                condition=models.Q(state="draft", number__isnull=True)
                | (~models.Q(state="draft") & models.Q(number__isnull=False)),
                name="invoice_number_iff_final",
            ),
            models.UniqueConstraint(
                fields=["series", "year", "sequence"],
                condition=models.Q(sequence__isnull=False),
                name="invoice_series_sequence_uniq",
            ),
            models.UniqueConstraint(
                fields=["order"], condition=models.Q(kind="invoice"), name="invoice_one_per_order"
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"Draft {self.get_kind_display().lower()} {self.public_id}"


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        "revenue.OrderLine", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(max_length=255)
    quantity = models.PositiveIntegerField(default=1)
    unit_amount = models.BigIntegerField()
    discount_amount = models.BigIntegerField(default=0, help_text="Coupon discount taken off this line")
    net_amount = models.BigIntegerField(help_text="After the discount")
    tax_rate = models.DecimalField(max_digits=7, decimal_places=4, default=0)
    tax_amount = models.BigIntegerField(default=0)
    tax_jurisdiction = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(net_amount__gte=0, tax_amount__gte=0), name="invoiceline_amounts_nonneg"
            )
        ]

    def __str__(self) -> str:
        return self.description

"""Serializers of the billing endpoints: invoices and credit notes, billing profile, tax rates, tax report."""

from __future__ import annotations

from rest_framework import serializers

from revenue.models import BillingProfile, Coupon, Invoice, InvoiceLine, Seller, TaxRate


class InvoiceLineOutput(serializers.ModelSerializer):
    class Meta:
        model = InvoiceLine
        fields = [
            "description",
            "quantity",
            "unit_amount",
            "discount_amount",
            "net_amount",
            "tax_rate",
            "tax_amount",
            "tax_jurisdiction",
        ]


class InvoiceOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    order = serializers.UUIDField(source="order.public_id", read_only=True)
    credits_invoice = serializers.CharField(
        source="invoice.number", read_only=True, allow_null=True, default=None, help_text="Credit notes only"
    )
    # Plain strings (not enums) keep the schema free of name clashes with other "state"/"kind" enums.
    kind = serializers.CharField(read_only=True, help_text="invoice or credit_note")
    state = serializers.CharField(read_only=True, help_text="draft, finalised (unpaid), paid or void")
    hold = serializers.CharField(
        read_only=True, help_text='Why a draft is held: "", vat_check_pending, vat_number_invalid'
    )
    lines = InvoiceLineOutput(many=True, read_only=True)
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Invoice
        fields = [
            "id",
            "kind",
            "number",
            "state",
            "hold",
            "order",
            "credits_invoice",
            "currency",
            "subtotal",
            "tax_total",
            "total",
            "reverse_charge",
            "tax_notes",
            "issuer",
            "customer",
            "payment_reference",
            "coupon_code",
            "issued_at",
            "paid_at",
            "voided_at",
            "void_reason",
            "lines",
            "pdf_url",
        ]

    def get_pdf_url(self, invoice: Invoice) -> str | None:
        if invoice.state == Invoice.State.DRAFT:
            return None
        return f"/api/v1/revenue/invoices/{invoice.public_id}/pdf/"


class FinanceInvoiceOutput(InvoiceOutput):
    class Meta(InvoiceOutput.Meta):
        fields = [*InvoiceOutput.Meta.fields, "evidence"]


class InvoiceQuery(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Invoice.Kind.choices, required=False)


class FinanceInvoiceQuery(InvoiceQuery):
    q = serializers.CharField(
        max_length=100, required=False, help_text="Number, buyer email, name or VAT number"
    )
    state = serializers.ChoiceField(choices=Invoice.State.choices, required=False)


class InvoiceVoidInput(serializers.Serializer):
    reason = serializers.CharField(max_length=255)


class InvoiceReleaseInput(serializers.Serializer):
    note = serializers.CharField(max_length=255, help_text="How finance verified the VAT number")


class BillingProfileIO(serializers.ModelSerializer):
    class Meta:
        model = BillingProfile
        fields = [
            "legal_name",
            "address_line1",
            "address_line2",
            "postal_code",
            "city",
            "region",
            "country",
            "vat_number",
            "email",
        ]
        extra_kwargs = {name: {"required": False} for name in fields}


class TaxRateIO(serializers.ModelSerializer):
    kind = serializers.CharField(max_length=20, default="vat", help_text="vat, gst or sales_tax")

    class Meta:
        model = TaxRate
        fields = ["jurisdiction", "country", "kind", "rate", "valid_from", "note"]
        read_only_fields = ["country"]
        extra_kwargs = {"jurisdiction": {"validators": []}, "valid_from": {"validators": []}}
        validators: list = []


class TaxRateQuery(serializers.Serializer):
    jurisdiction = serializers.CharField(max_length=10, required=False)


class TaxReportQuery(serializers.Serializer):
    period = serializers.CharField(max_length=7, help_text="2026, 2026-Q3 or 2026-07")
    jurisdiction = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")


class TaxReportRowOutput(serializers.Serializer):
    jurisdiction = serializers.CharField()
    scheme = serializers.ChoiceField(choices=["standard", "reverse_charge", "no_tax"])
    rate = serializers.DecimalField(max_digits=7, decimal_places=4)
    currency = serializers.CharField()
    invoices = serializers.IntegerField()
    credit_notes = serializers.IntegerField()
    sales_net = serializers.IntegerField()
    sales_tax = serializers.IntegerField()
    credited_net = serializers.IntegerField()
    credited_tax = serializers.IntegerField()
    net_taxable = serializers.IntegerField()
    tax_due = serializers.IntegerField()


class TaxReportOutput(serializers.Serializer):
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    rows = TaxReportRowOutput(many=True)


class CouponIO(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    kind = serializers.CharField(max_length=10, help_text="percent or fixed")
    duration = serializers.CharField(
        max_length=10, required=False, default="once", help_text="once, repeating or forever (subscriptions)"
    )
    seller = serializers.SlugRelatedField(
        slug_field="public_id",
        queryset=Seller.objects.all(),
        required=False,
        allow_null=True,
        help_text="Only this seller's items (its public id)",
    )
    redemptions = serializers.SerializerMethodField()

    class Meta:
        model = Coupon
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "percent_off",
            "amount_off",
            "currency",
            "duration",
            "duration_in_months",
            "seller",
            "valid_from",
            "valid_until",
            "max_redemptions",
            "max_per_buyer",
            "is_active",
            "redemptions",
        ]
        read_only_fields = ["is_active"]
        extra_kwargs = {"code": {"validators": []}}

    def get_redemptions(self, coupon: Coupon) -> int:
        used = getattr(coupon, "used", None)  # annotated by `selectors.billing.coupons_with_usage` in lists
        if used is not None:
            return used
        return coupon.redemptions.exclude(order__state__in=("failed", "canceled")).count()

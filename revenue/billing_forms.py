"""Portal forms of billing: billing details, the tax report period, voiding and releasing invoices."""

from django import forms
from django.utils.translation import gettext_lazy as _

from revenue.forms import money_from_major
from revenue.models import BillingProfile, Coupon, Invoice


class BillingProfileForm(forms.ModelForm):
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
        labels = {
            "legal_name": _("Name on invoices (person or company)"),
            "region": _("State / region"),
            "country": _("Country (ISO code, e.g. DE)"),
            "vat_number": _("VAT number (businesses)"),
            "email": _("Invoice email"),
        }


class TaxReportForm(forms.Form):
    period = forms.RegexField(
        regex=r"^\d{4}(-(\d{2}|[Qq][1-4]))?$",
        max_length=7,
        label=_("Period"),
        help_text=_("A year (2026), a quarter (2026-Q3) or a month (2026-07)."),
        error_messages={"invalid": _("Use 2026, 2026-Q3 or 2026-07.")},
    )
    jurisdiction = forms.CharField(max_length=10, required=False, label=_("Jurisdiction (optional, e.g. DE)"))


class InvoiceSearchForm(forms.Form):
    q = forms.CharField(max_length=100, required=False, label=_("Number, buyer, name or VAT number"))
    state = forms.ChoiceField(choices=[("", _("Any state")), *Invoice.State.choices], required=False)
    kind = forms.ChoiceField(
        choices=[("", _("Invoices and credit notes")), *Invoice.Kind.choices], required=False
    )


class InvoiceVoidForm(forms.Form):
    reason = forms.CharField(max_length=255, label=_("Why is it void?"))


class InvoiceReleaseForm(forms.Form):
    note = forms.CharField(max_length=255, label=_("How was the VAT number verified?"))


class CouponForm(forms.Form):
    code = forms.CharField(max_length=40, label=_("Code"))
    name = forms.CharField(max_length=120, required=False, label=_("Name (shown to finance)"))
    kind = forms.ChoiceField(choices=Coupon.Kind.choices, label=_("Kind"))
    percent_off = forms.DecimalField(
        max_digits=5, decimal_places=2, required=False, label=_("Percentage off (percentage coupons)")
    )
    amount_off = forms.DecimalField(
        max_digits=12, decimal_places=2, required=False, label=_("Amount off (fixed coupons, e.g. 10.00)")
    )
    currency = forms.CharField(max_length=3, required=False, label=_("Currency (fixed coupons)"))
    duration = forms.ChoiceField(choices=Coupon.Duration.choices, label=_("Duration (subscriptions)"))
    duration_in_months = forms.IntegerField(min_value=1, required=False, label=_("Months (repeating)"))
    valid_until = forms.DateTimeField(required=False, label=_("Valid until (YYYY-MM-DD HH:MM, UTC)"))
    max_redemptions = forms.IntegerField(min_value=1, required=False, label=_("Redemptions in all"))
    max_per_buyer = forms.IntegerField(min_value=1, required=False, label=_("Redemptions per buyer"))

    def clean(self) -> dict:
        data = super().clean()
        if data.get("kind") == Coupon.Kind.FIXED and data.get("amount_off") is not None:
            currency = (data.get("currency") or "").upper()
            try:
                data["amount_off"] = money_from_major(data["amount_off"], currency)
            except forms.ValidationError as exc:
                self.add_error("amount_off", exc)
            except (ValueError, KeyError):
                self.add_error("currency", _("A supported currency code, e.g. EUR."))
        else:
            data["amount_off"] = None
        return data

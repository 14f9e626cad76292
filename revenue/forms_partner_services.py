"""Portal forms of the services marketplace. They parse and validate input; the services do the work (a service's
DomainError is put back on the form with `revenue.forms.add_domain_error`). Amounts are typed in major units."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import forms

from revenue.forms import CURRENCY_CHOICES, PaymentForm, money_from_major
from revenue.models import Pricing, ServiceCategory, ServiceDispute
from revenue.services.partner_quotes import MilestoneSpec

QUOTE_ROWS = 6
CATEGORY_CHOICES = [("", "All categories"), *ServiceCategory.choices]


class DirectoryForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100)
    category = forms.ChoiceField(choices=CATEGORY_CHOICES, required=False)
    country = forms.CharField(
        required=False, max_length=2, help_text="Partner's country, two letters (e.g. DE)"
    )


class RequestQuoteForm(forms.Form):
    message = forms.CharField(
        label="What do you need?",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Scope, timeline and anything the partner should know.",
    )
    organization = forms.TypedChoiceField(label="Buy for", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, organizations=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [("", "Myself")] + [(o.id, o.name) for o in organizations]
        if not organizations:
            self.fields["organization"].widget = forms.HiddenInput()


class PartnerApplyForm(forms.Form):
    display_name = forms.CharField(label="Partner name", max_length=200)
    country = forms.CharField(max_length=2, min_length=2, help_text="Two-letter country code, e.g. DE.")
    headline = forms.CharField(max_length=200, required=False)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    website = forms.URLField(required=False, assume_scheme="https")
    organization = forms.TypedChoiceField(label="Apply for", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, organizations=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [("", "Myself")] + [(o.id, o.name) for o in organizations]
        if not organizations:
            self.fields["organization"].widget = forms.HiddenInput()


class ListingForm(forms.Form):
    title = forms.CharField(max_length=200)
    category = forms.ChoiceField(choices=ServiceCategory.choices)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))
    pricing = forms.ChoiceField(choices=Pricing.choices, widget=forms.RadioSelect, initial=Pricing.FIXED)
    currency = forms.ChoiceField(choices=CURRENCY_CHOICES, initial="EUR")
    fixed_price = forms.DecimalField(
        required=False,
        min_value=Decimal("0.01"),
        max_digits=14,
        decimal_places=2,
        help_text="Fixed price only.",
    )
    hourly_rate = forms.DecimalField(
        required=False, min_value=Decimal("0.01"), max_digits=12, decimal_places=2, help_text="T&M only."
    )
    estimated_hours = forms.DecimalField(
        required=False, min_value=Decimal("0.25"), max_digits=7, decimal_places=2, help_text="T&M only."
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        currency = cleaned.get("currency") or "EUR"
        for name in ("fixed_price", "hourly_rate"):
            if cleaned.get(name) is not None:
                try:
                    cleaned[name] = money_from_major(cleaned[name], currency)
                except forms.ValidationError as exc:
                    self.add_error(name, exc)
        return cleaned


class QuoteForm(forms.Form):
    """Up to QUOTE_ROWS milestones; blank rows are ignored. Fixed price: title, price, due date. T&M: title,
    estimated hours, due date (priced at the hourly rate)."""

    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    valid_until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    hourly_rate = forms.DecimalField(
        required=False, min_value=Decimal("0.01"), max_digits=12, decimal_places=2
    )

    def __init__(self, *args, pricing: str, currency: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.pricing, self.currency = pricing, currency
        for i in range(1, QUOTE_ROWS + 1):
            self.fields[f"title_{i}"] = forms.CharField(
                label=f"Milestone {i}", required=False, max_length=200
            )
            if pricing == Pricing.TIME_AND_MATERIALS:
                self.fields[f"hours_{i}"] = forms.DecimalField(
                    label="Estimated hours",
                    required=False,
                    min_value=Decimal("0.25"),
                    max_digits=7,
                    decimal_places=2,
                )
            else:
                self.fields[f"price_{i}"] = forms.DecimalField(
                    label=f"Price ({currency})",
                    required=False,
                    min_value=Decimal("0.01"),
                    max_digits=14,
                    decimal_places=2,
                )
            self.fields[f"due_{i}"] = forms.DateField(
                label="Due", required=False, widget=forms.DateInput(attrs={"type": "date"})
            )
        if pricing != Pricing.TIME_AND_MATERIALS:
            del self.fields["hourly_rate"]

    def rows(self) -> list[list[forms.BoundField]]:
        return [
            [
                self[name]
                for name in (f"title_{i}", f"price_{i}", f"hours_{i}", f"due_{i}")
                if name in self.fields
            ]
            for i in range(1, QUOTE_ROWS + 1)
        ]

    def clean(self) -> dict:
        cleaned = super().clean()
        specs: list[MilestoneSpec] = []
        for i in range(1, QUOTE_ROWS + 1):
            title, due = cleaned.get(f"title_{i}"), cleaned.get(f"due_{i}")
            price, hours = cleaned.get(f"price_{i}"), cleaned.get(f"hours_{i}")
            if not title and price is None and hours is None and due is None:
                continue
            if not title:
                self.add_error(f"title_{i}", "Give the milestone a title.")
            if due is None:
                self.add_error(f"due_{i}", "Enter a due date.")
            if self.pricing == Pricing.TIME_AND_MATERIALS and hours is None:
                self.add_error(f"hours_{i}", "Estimate the hours.")
            amount = None
            if self.pricing != Pricing.TIME_AND_MATERIALS:
                if price is None:
                    self.add_error(f"price_{i}", "Enter a price.")
                else:
                    try:
                        amount = money_from_major(price, self.currency)
                    except forms.ValidationError as exc:
                        self.add_error(f"price_{i}", exc)
            if title and due:
                specs.append(MilestoneSpec(title=title, due_date=due, amount=amount, estimated_hours=hours))
        if not specs and not self.errors:
            raise forms.ValidationError("Add at least one milestone.")
        cleaned["milestones"] = specs
        if cleaned.get("hourly_rate") is not None:
            cleaned["hourly_rate"] = money_from_major(cleaned["hourly_rate"], self.currency)
        return cleaned


class PayMilestoneForm(PaymentForm):
    """Paying one milestone: the card or bank transfer choice of the Buy form."""


class DeliverForm(forms.Form):
    note = forms.CharField(label="Delivery note", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class TimeEntryForm(forms.Form):
    work_date = forms.DateField(
        label="Date", widget=forms.DateInput(attrs={"type": "date"}), initial=date.today
    )
    hours = forms.DecimalField(
        min_value=Decimal("0.25"), max_value=Decimal("24"), max_digits=5, decimal_places=2
    )
    description = forms.CharField(max_length=255)


class DisputeForm(forms.Form):
    reason = forms.CharField(
        label="What went wrong?", max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label="Rating",
        coerce=int,
        choices=[(n, f"{n} / 5") for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(choices=ServiceDispute.Outcome.choices, widget=forms.RadioSelect)
    refund = forms.DecimalField(
        label="Refund to the buyer (split only)",
        required=False,
        min_value=Decimal("0.01"),
        max_digits=14,
        decimal_places=2,
    )
    notes = forms.CharField(
        label="Resolution notes", max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, currency: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.currency = currency

    def clean(self) -> dict:
        cleaned = super().clean()
        cleaned["refund_amount"] = None
        if cleaned.get("outcome") == ServiceDispute.Outcome.SPLIT:
            if cleaned.get("refund") is None:
                self.add_error("refund", "Enter the amount refunded to the buyer.")
            else:
                try:
                    cleaned["refund_amount"] = money_from_major(cleaned["refund"], self.currency)
                except forms.ValidationError as exc:
                    self.add_error("refund", exc)
        return cleaned

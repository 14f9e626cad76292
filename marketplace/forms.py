"""Portal forms. They parse and shape input; the services validate the rules and raise DomainErrors, which
`add_domain_error` shows on the right field."""

import json
from decimal import Decimal
from typing import Any

from django import forms

from marketplace.models import AbuseReport, Category, Plan, Vertical
from marketplace.models.catalog import LANGUAGES
from marketplace.models.certification import BadgeKind
from marketplace.models.versions import REVIEW_CHECKLIST
from marketplace.services.certification import QUESTIONNAIRE
from novacron.core.exceptions import DomainError
from novacron.core.money import CurrencyError, Money
from novacron.core.once import SubmissionTokenField


def add_domain_error(form: forms.Form, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


class PublisherRegisterForm(forms.Form):
    display_name = forms.CharField(max_length=120, label="Publisher name", help_text="Shown on your listings")
    organization = forms.ChoiceField(
        required=False, label="Publish as", help_text="Yourself, or an organisation you own or administer"
    )
    website = forms.URLField(required=False, assume_scheme="https")
    support_email = forms.EmailField(required=False)
    accept = forms.BooleanField(label="I have read and accept the developer agreement above")

    def __init__(self, *args: Any, organizations: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [("", "Myself")] + [(str(o.id), o.name) for o in organizations]


class AppForm(forms.Form):
    name = forms.CharField(max_length=80)
    slug = forms.SlugField(
        max_length=80, required=False, help_text="The address of the app page; from the name if empty"
    )
    tagline = forms.CharField(max_length=140)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 10}), help_text="Markdown (sanitised)")
    category = forms.ModelChoiceField(queryset=Category.objects.all(), to_field_name="slug")
    vertical = forms.ChoiceField(choices=Vertical.choices)
    tags = forms.CharField(required=False, help_text="Comma-separated, at most 10")
    languages = forms.MultipleChoiceField(
        choices=list(LANGUAGES.items()), widget=forms.CheckboxSelectMultiple, required=False, initial=["en"]
    )
    documentation_url = forms.URLField(required=False, assume_scheme="https")
    support_url = forms.URLField(required=False, assume_scheme="https")
    privacy_policy_url = forms.URLField(required=False, assume_scheme="https")
    terms_url = forms.URLField(required=False, assume_scheme="https")
    logo = forms.FileField(required=False, help_text="Square PNG, JPEG or WebP, 128–1024 px, at most 1 MB")


class ScreenshotForm(forms.Form):
    image = forms.FileField(help_text="PNG, JPEG or WebP, 640×360 to 3840×2160 px, at most 4 MB")
    caption = forms.CharField(max_length=140, required=False)


class PlanForm(forms.Form):
    name = forms.CharField(max_length=60, help_text="e.g. Free, Team, Enterprise")
    model = forms.ChoiceField(choices=Plan.Model.choices, label="Pricing model")
    interval = forms.ChoiceField(choices=Plan.Interval.choices, required=False, label="Billing period")
    currency = forms.CharField(max_length=3, initial="USD")
    price = forms.DecimalField(
        min_value=Decimal("0"),
        decimal_places=3,
        required=False,
        label="Price",
        help_text="In the currency's units (per seat for per-seat plans, per unit for usage plans)",
    )
    monthly_cap = forms.DecimalField(
        min_value=Decimal("0"), decimal_places=3, required=False, help_text="Usage plans"
    )
    trial_days = forms.IntegerField(min_value=0, max_value=90, initial=0, required=False)

    def minor(self, name: str) -> int:
        value = self.cleaned_data.get(name) or Decimal("0")
        try:
            return Money.from_decimal(value, self.cleaned_data.get("currency") or "USD").amount
        except CurrencyError as exc:
            raise DomainError(str(exc), field=name) from exc

    def plan_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        price = self.minor("price")
        usage = data["model"] == Plan.Model.USAGE
        return {
            "name": data["name"],
            "model": data["model"],
            "interval": data.get("interval") or "",
            "currency": (data.get("currency") or "USD").upper(),
            "amount": 0 if usage else price,
            "unit_amount": price if usage else 0,
            "monthly_cap": self.minor("monthly_cap"),
            "trial_days": data.get("trial_days") or 0,
        }


class PriceChangeForm(forms.Form):
    price = forms.DecimalField(min_value=Decimal("0.001"), decimal_places=3, label="New price")


class VersionForm(forms.Form):
    version = forms.CharField(max_length=40, help_text="Semantic version, e.g. 1.2.0")
    changelog = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), required=False, help_text="Markdown"
    )
    manifest = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false", "class": "mono"}),
        help_text="JSON, validated against the manifest schema when you submit",
    )
    source_bundle = forms.FileField(
        required=False, help_text="Optional zip of your source; Python is scanned with bandit"
    )

    def clean_manifest(self) -> dict:
        try:
            value = json.loads(self.cleaned_data["manifest"])
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                f"Not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})."
            ) from exc
        if not isinstance(value, dict):
            raise forms.ValidationError("The manifest is a JSON object ({...}).")
        return value


class VersionEditForm(VersionForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.pop("version")


class CommentForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, label="Comment")


class ChecklistForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in REVIEW_CHECKLIST:
            self.fields[key] = forms.BooleanField(required=False, label=label)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve and publish"), ("reject", "Reject")])
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Required to reject; sent to the publisher",
    )


class BuyForm(forms.Form):
    organization = forms.ChoiceField(required=False, label="Buy for")
    seats = forms.IntegerField(
        min_value=1, max_value=10000, initial=1, required=False, help_text="For an organisation"
    )
    card_number = forms.CharField(
        max_length=40,
        label="Card number",
        help_text="Test card: 4242 4242 4242 4242",
        widget=forms.TextInput(attrs={"autocomplete": "cc-number", "inputmode": "numeric"}),
    )
    submission_token = SubmissionTokenField()  # the view buys once per rendered form (novacron.core.once)

    def __init__(
        self,
        *args: Any,
        organizations: list[Any],
        per_seat: bool = True,
        recurring: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["submission_token"].initial = SubmissionTokenField.new()
        self.fields["organization"].choices = [("", "Myself")] + [(str(o.id), o.name) for o in organizations]
        if recurring:
            self.fields["organization"].label = "Subscribe for"
        if not per_seat:  # one licence: no seats to choose
            del self.fields["seats"]

    def clean_card_number(self) -> str:
        return self.cleaned_data["card_number"].replace(" ", "").replace("-", "")


class InstallForm(forms.Form):
    organization = forms.ChoiceField(required=False, label="Install for")

    def __init__(self, *args: Any, organizations: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [("", "Myself")] + [(str(o.id), o.name) for o in organizations]


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(choices=[(i, f"{i} ★") for i in range(5, 0, -1)], coerce=int)
    title = forms.CharField(max_length=120)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=5000, label="Your review")


class ReplyForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, label="Reply")


class ReportForm(forms.Form):
    reason = forms.ChoiceField(choices=AbuseReport.Reason.choices)
    details = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)


class SeatForm(forms.Form):
    email = forms.EmailField(label="Member email")


class CertificationForm(forms.Form):
    kind = forms.ChoiceField(choices=BadgeKind.choices, label="Badge")
    support_response_hours = forms.IntegerField(
        min_value=1, max_value=720, label="Support first response (hours)"
    )
    uptime_slo = forms.DecimalField(
        min_value=Decimal("0"), max_value=Decimal("100"), decimal_places=3, label="Uptime SLO (%)"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in QUESTIONNAIRE:
            self.fields[f"q_{key}"] = forms.BooleanField(required=False, label=label)

    def questionnaire(self) -> dict[str, bool]:
        return {key: bool(self.cleaned_data.get(f"q_{key}")) for key, _ in QUESTIONNAIRE}

"""Portal forms. Validation of meaning (capacity, dates, permissions) lives in the services; these parse."""

from __future__ import annotations

import zoneinfo

from django import forms

from growth.models import Event, Region, Session, Submission, TicketType
from growth.timezones import wall_clock_in_zone
from novacron.core.money import SUPPORTED_CURRENCIES
from novacron.core.once import SubmissionTokenField

TIMEZONES = sorted((tz, tz) for tz in zoneinfo.available_timezones() if "/" in tz or tz == "UTC")
DT = forms.DateTimeInput(attrs={"type": "datetime-local"})


class ChapterFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search", max_length=100)
    country = forms.CharField(required=False, max_length=2, label="Country code")
    region = forms.ChoiceField(required=False, choices=[("", "All regions"), *Region.choices])


class EventForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea, required=False)
    format = forms.ChoiceField(choices=Event.Format.choices)
    venue_name = forms.CharField(max_length=200, required=False)
    venue_address = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Shown to confirmed attendees only.",
    )
    stream_url = forms.URLField(
        required=False, assume_scheme="https", help_text="Shown to confirmed attendees only."
    )
    timezone = forms.ChoiceField(choices=TIMEZONES, help_text="Start and end are in this timezone.")
    starts_at = forms.DateTimeField(widget=DT)
    ends_at = forms.DateTimeField(widget=DT)
    capacity = forms.IntegerField(min_value=1, required=False, help_text="Empty: no limit.")

    def clean(self) -> dict:
        data = super().clean()
        # The datetime-local values are wall-clock times in the event's timezone, not the viewer's.
        tz_name = data.get("timezone")
        if tz_name:
            for name in ("starts_at", "ends_at"):
                if data.get(name):
                    data[name] = wall_clock_in_zone(data[name], tz_name)
        return data


class ReserveForm(forms.Form):
    ticket_type = forms.ModelChoiceField(queryset=TicketType.objects.none(), to_field_name="public_id")
    quantity = forms.IntegerField(min_value=1, max_value=50, initial=1)
    voucher = forms.CharField(max_length=40, required=False, label="Voucher or discount code")

    def __init__(self, *args, event: Event, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ticket_type"].queryset = event.ticket_types.filter(is_active=True)


class TicketTypeForm(forms.Form):
    name = forms.CharField(max_length=100)
    kind = forms.ChoiceField(choices=TicketType.Kind.choices)
    price = forms.DecimalField(
        min_value=0, decimal_places=3, help_text="In the currency's major unit, e.g. 25.00"
    )
    currency = forms.ChoiceField(choices=[(c, c) for c in SUPPORTED_CURRENCIES], initial="USD")
    seats = forms.IntegerField(min_value=1, required=False, help_text="Seats of a new quota for this type…")
    quota = forms.ModelChoiceField(queryset=None, required=False, help_text="…or share an existing quota.")

    def __init__(self, *args, event: Event, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["quota"].queryset = event.quotas.all()

    def clean(self) -> dict:
        from novacron.core.money import CurrencyError, Money

        data = super().clean()
        if data.get("price") is not None and data.get("currency"):
            try:
                data["price_minor"] = Money.from_decimal(data["price"], data["currency"]).amount
            except CurrencyError as exc:
                self.add_error("price", str(exc))
        return data


class PayForm(forms.Form):
    card_number = forms.CharField(max_length=30, help_text="Test card: 4242 4242 4242 4242")
    billing_country = forms.CharField(max_length=2, required=False, label="Billing country (ISO code)")
    # A new token each time the form is rendered: a double click or a re-POST pays once (core.once).
    submission_token = SubmissionTokenField()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["submission_token"].initial = SubmissionTokenField.new()

    def renew_token(self) -> None:
        """After a declined payment the form is shown again: a fresh token lets the corrected one run."""
        self.data = self.data.copy()
        self.data["submission_token"] = SubmissionTokenField.new()


class SpeakerProfileForm(forms.Form):
    name = forms.CharField(max_length=120)
    bio = forms.CharField(widget=forms.Textarea, required=False)
    company = forms.CharField(max_length=120, required=False)
    job_title = forms.CharField(max_length=120, required=False)
    website = forms.URLField(required=False, assume_scheme="https")


class SubmissionForm(forms.Form):
    title = forms.CharField(max_length=200)
    track = forms.ModelChoiceField(queryset=None)
    submission_type = forms.ModelChoiceField(queryset=None, label="Type")
    abstract = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), help_text="Shown on the public schedule."
    )
    description = forms.CharField(widget=forms.Textarea, required=False, help_text="For reviewers.")
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="For organisers only (reviewers never see it).",
    )
    co_speakers = forms.CharField(required=False, help_text="Emails of co-speakers, comma separated.")

    def __init__(self, *args, conference, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["track"].queryset = conference.tracks.all()
        self.fields["submission_type"].queryset = conference.submission_types.all()
        self.questions = list(conference.questions.all())
        for question in self.questions:
            self.fields[f"question_{question.pk}"] = forms.CharField(
                label=question.text,
                help_text=question.help_text,
                required=question.required,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def answers(self) -> dict[int, str]:
        return {q.pk: self.cleaned_data.get(f"question_{q.pk}", "") for q in self.questions}


class ReviewForm(forms.Form):
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, criteria, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                label=f"{criterion.name} (weight {criterion.weight})",
                coerce=int,
                choices=[(i, str(i)) for i in range(6)],
                widget=forms.RadioSelect,
            )

    def scores(self) -> dict[str, int]:
        return {str(c.pk): self.cleaned_data[f"score_{c.pk}"] for c in self.criteria}


class DecisionForm(forms.Form):
    state = forms.ChoiceField(
        choices=[
            (s, s.label)
            for s in (Submission.State.ACCEPTED, Submission.State.WAITLISTED, Submission.State.REJECTED)
        ]
    )


class SessionForm(forms.Form):
    session = forms.ModelChoiceField(
        queryset=None, required=False, to_field_name="public_id", widget=forms.HiddenInput
    )
    submission = forms.ModelChoiceField(queryset=None, required=False, label="Accepted submission")
    title = forms.CharField(
        max_length=200, required=False, help_text="For breaks and plenaries without a submission."
    )
    room = forms.ModelChoiceField(queryset=None)
    starts_at = forms.DateTimeField(widget=DT, help_text="In the conference's timezone.")
    ends_at = forms.DateTimeField(widget=DT, required=False, help_text="Empty: the submission type's length.")

    def __init__(self, *args, conference, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.tz_name = conference.event.timezone
        self.fields["session"].queryset = Session.objects.filter(conference=conference)
        self.fields["submission"].queryset = conference.submissions.filter(state=Submission.State.ACCEPTED)
        self.fields["room"].queryset = conference.rooms.all()

    def clean(self) -> dict:
        data = super().clean()
        for name in ("starts_at", "ends_at"):
            if data.get(name):
                data[name] = wall_clock_in_zone(data[name], self.tz_name)
        return data


class FundingForm(forms.Form):
    title = forms.CharField(max_length=200)
    purpose = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    currency = forms.ChoiceField(choices=[(c, c) for c in SUPPORTED_CURRENCIES], initial="USD")
    budget = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One line per cost: “Venue rental: 250.00”. Amounts in the currency's major unit.",
    )
    event = forms.ModelChoiceField(queryset=None, required=False, to_field_name="slug")

    def __init__(self, *args, chapter, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = chapter.events.all()

    def clean_budget(self) -> list[dict]:
        from decimal import InvalidOperation

        from novacron.core.money import CurrencyError, Money

        currency = self.data.get("currency", "USD")
        lines = []
        for number, raw in enumerate(self.cleaned_data["budget"].splitlines(), start=1):
            if not raw.strip():
                continue
            label, sep, amount = raw.rpartition(":")
            try:
                if not sep:
                    raise ValueError
                minor = Money.from_decimal(amount.strip().replace(",", ""), currency).amount
            except (ValueError, InvalidOperation, CurrencyError) as exc:
                raise forms.ValidationError(
                    f"Line {number}: write “label: amount”, e.g. “Pizza: 120.00”."
                ) from exc
            lines.append({"label": label.strip(), "amount": minor})
        return lines

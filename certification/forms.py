"""Portal forms. Authoring forms are ModelForms; their saves go through services.authoring."""

import json

from django import forms

from certification.models import Cohort, Course, Exam, Item, LearnerProfile, Lesson, LessonTranslation, Module
from novacron.core.money import SUPPORTED_CURRENCIES
from novacron.core.once import SubmissionTokenField


class BuyForm(forms.Form):
    card_number = forms.CharField(
        max_length=30, label="Card number", help_text="Test card: 4242 4242 4242 4242.", initial=""
    )
    cohort = forms.ModelChoiceField(queryset=Cohort.objects.none(), required=False, to_field_name="public_id")
    # A new token each time the form is rendered: a double click or a re-POST pays once (core.once).
    submission_token = SubmissionTokenField()

    def __init__(self, *args, course: Course, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["submission_token"].initial = SubmissionTokenField.new()
        self.fields["cohort"].queryset = course.cohorts.all()

    def renew_token(self) -> None:
        """After a declined payment the same form is shown again: a fresh token lets the corrected one run."""
        self.data = self.data.copy()
        self.data["submission_token"] = SubmissionTokenField.new()


class EnrolForm(forms.Form):
    cohort = forms.ModelChoiceField(queryset=Cohort.objects.none(), required=False, to_field_name="public_id")

    def __init__(self, *args, course: Course, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = course.cohorts.all()


class VerifyForm(forms.Form):
    credential = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=200_000,
        label="Credential",
        help_text="Paste the VC-JWT or the contents of the .json download.",
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(max_length=300)


class ProfileForm(forms.ModelForm):
    class Meta:
        model = LearnerProfile
        fields = ["handle", "is_public", "headline"]
        labels = {"is_public": "Show my certificates on a public profile page"}


class CourseForm(forms.ModelForm):
    price_currency = forms.ChoiceField(choices=[(c, c) for c in SUPPORTED_CURRENCIES], initial="USD")

    class Meta:
        model = Course
        fields = [
            "title",
            "slug",
            "summary",
            "track",
            "level",
            "certification",
            "path_position",
            "prerequisites",
            "default_language",
            "estimated_minutes",
            "price_amount",
            "price_currency",
            "instructor_sells",
            "cohort_days",
            "is_published",
        ]


class ModuleForm(forms.ModelForm):
    class Meta:
        model = Module
        fields = ["title", "position", "due_offset_days"]


class LessonForm(forms.ModelForm):
    class Meta:
        model = Lesson
        fields = ["module", "title", "body", "video_url", "position", "estimated_minutes", "is_required"]
        widgets = {"body": forms.Textarea(attrs={"rows": 14})}

    def __init__(self, *args, course: Course, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].queryset = course.modules.all()


class TranslationForm(forms.ModelForm):
    class Meta:
        model = LessonTranslation
        fields = ["language", "title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 14})}


class CohortForm(forms.ModelForm):
    class Meta:
        model = Cohort
        fields = ["name", "starts_on", "capacity"]
        widgets = {"starts_on": forms.DateInput(attrs={"type": "date"})}


class JSONField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 5})

    def prepare_value(self, value):
        return value if isinstance(value, str) else json.dumps(value, indent=1)

    def to_python(self, value):
        value = super().to_python(value)
        try:
            return json.loads(value or "null")
        except ValueError as exc:
            raise forms.ValidationError(f"Not valid JSON: {exc}") from exc


class ItemForm(forms.ModelForm):
    options = JSONField(
        required=False, help_text='[{"id": "a", "text": "..."}, ...] (choice and ordering items)'
    )
    answer = JSONField(help_text="The answer key; see the instructor guide for each item type.")

    class Meta:
        model = Item
        fields = [
            "track",
            "skill",
            "difficulty",
            "kind",
            "stem",
            "options",
            "answer",
            "explanation",
            "points",
            "is_active",
        ]

    def clean(self):
        from certification.services.authoring import item_problems

        cleaned = super().clean()
        if not self.errors:
            for field, message in item_problems(
                kind=cleaned.get("kind"), options=cleaned.get("options") or [], answer=cleaned.get("answer")
            ):
                self.add_error(field, message)
        return cleaned


class ExamForm(forms.ModelForm):
    blueprint = JSONField(help_text='[{"skill": "consensus", "difficulty": 2, "count": 3}, ...]')

    class Meta:
        model = Exam
        fields = [
            "title",
            "kind",
            "blueprint",
            "time_limit_minutes",
            "grace_seconds",
            "pass_mark",
            "max_attempts",
            "cooldown_hours",
            "is_active",
        ]

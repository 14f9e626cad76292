"""Portal forms of the docs assistant."""

from django import forms
from django.utils.translation import gettext_lazy as _

from devex.services.conversations import QUESTION_MAX_LENGTH
from devex.services.feedback import COMMENT_MAX_LENGTH


class QuestionForm(forms.Form):
    question = forms.CharField(
        label=_("Your question"),
        max_length=QUESTION_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(
            attrs={
                "rows": 2,
                "placeholder": _("e.g. How do payouts work?"),
                "autocomplete": "off",
            }
        ),
        error_messages={"required": _("Ask a question.")},
    )


class FeedbackForm(forms.Form):
    helpful = forms.TypedChoiceField(
        choices=[("1", _("Helpful")), ("0", _("Not helpful"))],
        coerce=lambda value: value == "1",
        error_messages={"required": _("Say whether the answer helped.")},
    )
    comment = forms.CharField(
        label=_("What was missing or wrong? (optional)"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DocsSearchForm(forms.Form):
    q = forms.CharField(label=_("Search the docs"), max_length=300, required=False, strip=True)

from django import forms
from django.conf import settings

from novacron.accounts.models import TIMEZONE_CHOICES


class SignupExtraForm(forms.Form):
    """Extra fields on allauth's signup form."""

    display_name = forms.CharField(max_length=100, required=False, label="Display name")
    country = forms.CharField(max_length=2, required=False, label="Country (ISO code, e.g. DE)")
    timezone = forms.ChoiceField(choices=TIMEZONE_CHOICES, initial="UTC")
    preferred_language = forms.ChoiceField(choices=settings.LANGUAGES, initial="en", label="Language")

    def clean_country(self) -> str:
        return self.cleaned_data["country"].upper()

    def signup(self, request, user) -> None:
        user.display_name = self.cleaned_data.get("display_name", "")
        user.country = self.cleaned_data.get("country", "")
        user.timezone = self.cleaned_data.get("timezone") or "UTC"
        user.preferred_language = self.cleaned_data.get("preferred_language") or "en"
        user.save(update_fields=["display_name", "country", "timezone", "preferred_language"])

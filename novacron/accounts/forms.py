"""Portal forms. They check shapes; the services check meaning and raise DomainErrors, which the views put
back on the form with `add_domain_error`."""

from django import forms
from django.conf import settings
from django.utils.translation import get_language

from novacron.accounts.countries import country_choices, is_country_code
from novacron.accounts.models import TIMEZONE_CHOICES, Organization, OrgRole
from novacron.accounts.scopes import SCOPES
from novacron.core.exceptions import DomainError


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's error on the form: on its field when the form has it, else above the form."""
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _country_field(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        required=False,
        choices=lambda: [("", "—"), *country_choices(get_language() or "en")],
    )


class SignupExtraForm(forms.Form):
    """Extra fields on allauth's signup form."""

    display_name = forms.CharField(max_length=100, required=False, label="Display name")
    country = forms.CharField(max_length=2, required=False, label="Country (ISO code, e.g. DE)")
    timezone = forms.ChoiceField(choices=TIMEZONE_CHOICES, initial="UTC")
    preferred_language = forms.ChoiceField(choices=settings.LANGUAGES, initial="en", label="Language")

    def clean_country(self) -> str:
        country = self.cleaned_data["country"].strip().upper()
        if country and not is_country_code(country):
            raise forms.ValidationError("Use a two-letter ISO 3166 country code such as DE or BR.")
        return country

    def signup(self, request, user) -> None:
        from novacron.accounts.services.profile import profile_update

        profile_update(
            user=user,
            display_name=self.cleaned_data.get("display_name", ""),
            country=self.cleaned_data.get("country", ""),
            timezone=self.cleaned_data.get("timezone") or "UTC",
            preferred_language=self.cleaned_data.get("preferred_language") or "en",
        )


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        max_length=100,
        required=False,
        label="Display name",
        help_text="Shown to others instead of your email.",
    )
    country = _country_field("Country")
    timezone = forms.ChoiceField(
        choices=TIMEZONE_CHOICES, label="Time zone", help_text="Dates and times are shown in this time zone."
    )
    preferred_language = forms.ChoiceField(choices=settings.LANGUAGES, label="Language")


class ApiTokenForm(forms.Form):
    EXPIRY_CHOICES = [("", "Never"), ("30", "In 30 days"), ("90", "In 90 days"), ("365", "In a year")]

    name = forms.CharField(
        max_length=100, label="Name", help_text="Where you will use it, e.g. “CI pipeline”."
    )
    scopes = forms.MultipleChoiceField(
        choices=[(scope, f"{scope} — {description}") for scope, description in SCOPES.items()],
        widget=forms.CheckboxSelectMultiple,
        label="Scopes",
        help_text="Give a token only what it needs. “write” includes “read”.",
    )
    expires_in_days = forms.TypedChoiceField(
        choices=EXPIRY_CHOICES, coerce=int, empty_value=None, required=False, label="Expires"
    )


class OrganizationForm(forms.Form):
    name = forms.CharField(max_length=200, label="Name")
    slug = forms.SlugField(
        max_length=80,
        required=False,
        label="Short name for web addresses",
        help_text="Lowercase letters, digits and hyphens. Made from the name if left empty.",
    )
    kind = forms.ChoiceField(
        choices=Organization.Kind.choices, label="Kind", initial=Organization.Kind.COMPANY
    )
    country = _country_field("Country")
    website = forms.URLField(required=False, label="Website", assume_scheme="https")


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Email address")
    role = forms.ChoiceField(choices=OrgRole.choices, initial=OrgRole.MEMBER, label="Role")

    def __init__(self, *args, role_choices: list[tuple[str, str]] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if role_choices:
            self.fields["role"].choices = role_choices


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=OrgRole.choices, label="Role")

    def __init__(self, *args, role_choices: list[tuple[str, str]] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if role_choices:
            self.fields["role"].choices = role_choices

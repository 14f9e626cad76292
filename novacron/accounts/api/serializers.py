"""Request and response shapes of the accounts API. Validation of meaning (known time zone, last owner, ...)
lives in the services; these only check types and shapes."""

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from novacron.accounts.models import Invitation, Organization, OrgRole
from novacron.accounts.scopes import SCOPES


def _enum(component_name: str, values: list[str], description: str):
    """A choice field published once as a named enum component, so other apps' fields called role/state/
    kind never collide with these in the schema."""
    return extend_schema_field(
        {"type": "string", "enum": list(values), "description": description}, component_name=component_name
    )


@_enum("OrganizationRole", OrgRole.values, "A member's role in an organisation.")
class OrgRoleField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=OrgRole.choices, **kwargs)


@_enum("OrganizationKind", Organization.Kind.values, "What kind of organisation this is.")
class OrgKindField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Organization.Kind.choices, **kwargs)


@_enum("InvitationState", Invitation.State.values, "Where an invitation stands.")
class InvitationStateField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Invitation.State.choices, **kwargs)


@_enum("ApiTokenScope", list(SCOPES), "An API token scope: read/write everywhere, or <area>:read|write.")
class ScopeField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=list(SCOPES.items()), **kwargs)


@_enum("LanguageCode", [code for code, _ in settings.LANGUAGES], "An interface language.")
class LanguageField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=settings.LANGUAGES, **kwargs)


class AccountsErrorSerializer(serializers.Serializer):
    """The project's error body (see novacron.core.api.errors)."""

    class _Detail(serializers.Serializer):
        code = serializers.CharField(
            help_text="Stable, machine-readable, e.g. last_owner or permission_denied."
        )
        message = serializers.CharField()
        fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))

        class Meta:
            ref_name = "AccountsErrorDetail"

    error = _Detail()
    request_id = serializers.CharField()

    class Meta:
        ref_name = "AccountsError"


# --- Me ------------------------------------------------------------------------------------------------------


class MeSerializer(serializers.Serializer):
    public_id = serializers.UUIDField()
    email = serializers.EmailField()
    display_name = serializers.CharField()
    country = serializers.CharField(help_text="ISO 3166-1 alpha-2, or empty.")
    timezone = serializers.CharField(help_text="IANA time zone name.")
    preferred_language = LanguageField()
    roles = serializers.ListField(child=serializers.CharField(), help_text="Platform roles.")
    mfa_enabled = serializers.BooleanField(help_text="Whether an authenticator app (TOTP) is set up.")
    date_joined = serializers.DateTimeField()


class MeUpdateSerializer(serializers.Serializer):
    display_name = serializers.CharField(max_length=100, allow_blank=True, required=False)
    country = serializers.CharField(
        max_length=2, allow_blank=True, required=False, help_text="e.g. DE; empty clears it"
    )
    timezone = serializers.CharField(max_length=64, required=False, help_text="IANA name, e.g. Europe/Berlin")
    preferred_language = LanguageField(required=False)


# --- API tokens ----------------------------------------------------------------------------------------------


class ApiTokenSerializer(serializers.Serializer):
    public_id = serializers.UUIDField()
    name = serializers.CharField()
    prefix = serializers.CharField(help_text="Public part of the token (nc_<prefix>_…), to recognise it.")
    scopes = serializers.ListField(child=ScopeField())
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)
    last_used_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)
    is_active = serializers.SerializerMethodField()

    def get_is_active(self, token) -> bool:
        return token.is_active()


class ApiTokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    scopes = serializers.ListField(child=ScopeField(), allow_empty=False)
    expires_at = serializers.DateTimeField(required=False, allow_null=True, help_text="Omit for no expiry.")


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    token = serializers.CharField(help_text="The secret. Shown only in this response: store it now.")


# --- Organisations -------------------------------------------------------------------------------------------


class OrganizationSerializer(serializers.Serializer):
    public_id = serializers.UUIDField()
    slug = serializers.SlugField()
    name = serializers.CharField()
    kind = OrgKindField()
    country = serializers.CharField()
    website = serializers.URLField(allow_blank=True)
    my_role = OrgRoleField(help_text="Your role in this organisation.")
    member_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class OrganizationCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    slug = serializers.SlugField(
        max_length=80, required=False, allow_blank=True, help_text="Made from the name if empty."
    )
    kind = OrgKindField(required=False, default=Organization.Kind.COMPANY)
    country = serializers.CharField(max_length=2, required=False, allow_blank=True, default="")
    website = serializers.URLField(required=False, allow_blank=True, default="")


class OrganizationUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    slug = serializers.SlugField(max_length=80, required=False)
    kind = OrgKindField(required=False)
    country = serializers.CharField(max_length=2, required=False, allow_blank=True)
    website = serializers.URLField(required=False, allow_blank=True)


class MemberSerializer(serializers.Serializer):
    user = serializers.UUIDField(source="user.public_id", help_text="The member's public user id.")
    email = serializers.EmailField(source="user.email")
    display_name = serializers.CharField(source="user.display_name")
    role = OrgRoleField()
    joined_at = serializers.DateTimeField(source="created_at")


class MemberRoleSerializer(serializers.Serializer):
    role = OrgRoleField()


# --- Invitations ---------------------------------------------------------------------------------------------


class InvitationSerializer(serializers.Serializer):
    public_id = serializers.UUIDField()
    email = serializers.EmailField()
    role = OrgRoleField()
    state = InvitationStateField()
    invited_by = serializers.EmailField(source="invited_by.email", allow_null=True, default=None)
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    accepted_at = serializers.DateTimeField(allow_null=True)


class InvitationCreateSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = OrgRoleField(required=False, default=OrgRole.MEMBER)
    expires_in_days = serializers.IntegerField(min_value=1, max_value=30, required=False, default=7)


class InvitationAcceptSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=200, help_text="The token from the invitation email's link.")

"""Staff tools for accounts. Changes to permissions (roles, access flags, invitations, tokens) go through the
services, so they are checked and audited exactly as in the portal and the API."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from novacron.accounts.models import ApiToken, Invitation, Membership, Organization, User
from novacron.accounts.roles import PlatformRole
from novacron.accounts.services.invitations import invitation_revoke
from novacron.accounts.services.roles import user_role_grant, user_role_revoke
from novacron.accounts.services.tokens import api_token_revoke
from novacron.accounts.services.users import ACCESS_FLAGS, user_access_update, user_grant_default_roles
from novacron.core.exceptions import DomainError

# --- Users ---------------------------------------------------------------------------------------------------


class UserAddForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this email address already exists.")
        return email


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class PlatformRoleFilter(admin.SimpleListFilter):
    title = "platform role"
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return PlatformRole.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(groups__name=self.value())
        return queryset


def _role_action(role: PlatformRole, *, grant: bool):
    def action(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[User]) -> None:
        changed = 0
        for user in queryset:
            try:
                service = user_role_grant if grant else user_role_revoke
                changed += service(actor=request.user, user=user, role=role.value)
            except DomainError as exc:
                modeladmin.message_user(request, exc.message, messages.ERROR)
                return
        verb = "Granted" if grant else "Revoked"
        modeladmin.message_user(request, f"{verb} {role.label} for {changed} account(s).", messages.SUCCESS)

    verb = "grant" if grant else "revoke"
    action.__name__ = f"{verb}_{role.value}"
    return admin.action(description=f"{verb.capitalize()} role: {role.label}", permissions=["change"])(action)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserAddForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("display_name", "country", "timezone", "preferred_language", "public_id")}),
        (
            "Access",
            {
                "fields": ("is_active", "is_staff", "is_superuser", "platform_roles"),
                "description": "Platform roles change with the actions on the user list (audited).",
            },
        ),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "usable_password", "password1", "password2")}),
    )
    readonly_fields = ("public_id", "platform_roles", "last_login", "date_joined")
    list_display = ("email", "display_name", "country", "roles_list", "is_staff", "is_active", "date_joined")
    list_filter = (PlatformRoleFilter, "is_staff", "is_superuser", "is_active")
    search_fields = ("email", "display_name")
    ordering = ("email",)
    filter_horizontal = ()
    actions = [_role_action(role, grant=grant) for grant in (True, False) for role in PlatformRole]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="Roles")
    def roles_list(self, obj: User) -> str:
        return ", ".join(sorted(group.name for group in obj.groups.all())) or "—"

    @admin.display(description="Platform roles")
    def platform_roles(self, obj: User) -> str:
        return self.roles_list(obj)

    def save_model(self, request, obj: User, form, change: bool) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            user_grant_default_roles(user=obj)
            return
        # Access flags go through the audited service; everything else saves as usual.
        wanted = {flag: getattr(obj, flag) for flag in ACCESS_FLAGS}
        current = User.objects.filter(pk=obj.pk).values(*ACCESS_FLAGS).get()
        for flag in ACCESS_FLAGS:
            setattr(obj, flag, current[flag])
        super().save_model(request, obj, form, change)
        if wanted != current:
            try:
                user_access_update(actor=request.user, user=obj, **wanted)
            except DomainError as exc:
                self.message_user(request, f"Access not changed: {exc.message}", messages.ERROR)


# --- Organisations -------------------------------------------------------------------------------------------


class MembershipInline(admin.TabularInline):
    """Read-only: roles change in the portal or API, where the owner rules and the audit apply."""

    model = Membership
    extra = 0
    fields = ("user", "role", "created_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "kind", "country", "created_at")
    list_filter = ("kind",)
    search_fields = ("name", "slug", "public_id")
    readonly_fields = ("public_id", "created_at", "updated_at")
    inlines = [MembershipInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


# --- Invitations ---------------------------------------------------------------------------------------------


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "organization", "role", "state", "expires_at", "invited_by", "created_at")
    list_filter = ("state", "role")
    search_fields = ("email", "organization__name", "organization__slug")
    list_select_related = ("organization", "invited_by")
    readonly_fields = (
        "public_id",
        "organization",
        "email",
        "role",
        "state",
        "token_hash",
        "invited_by",
        "expires_at",
        "accepted_by",
        "accepted_at",
        "created_at",
        "updated_at",
    )
    fields = readonly_fields
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False  # invitations are sent from the organisation page (the token goes out by email)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Revoke selected pending invitations", permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        done = 0
        for invitation in queryset.filter(state=Invitation.State.PENDING):
            try:
                invitation_revoke(actor=request.user, invitation=invitation)
            except DomainError as exc:
                self.message_user(request, f"{invitation.email}: {exc.message}", messages.ERROR)
            else:
                done += 1
        self.message_user(request, f"Revoked {done} invitation(s).", messages.SUCCESS)


# --- API tokens ----------------------------------------------------------------------------------------------


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "user",
        "prefix",
        "scopes",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "user__email")
    list_select_related = ("user",)
    readonly_fields = (
        "public_id",
        "user",
        "name",
        "prefix",
        "token_hash",
        "scopes",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    fields = readonly_fields
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False  # the secret would have to be shown; users create tokens themselves

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoke instead, which keeps the audit trail

    @admin.action(description="Revoke selected tokens", permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        done = 0
        for token in queryset.filter(revoked_at__isnull=True):
            try:
                api_token_revoke(actor=request.user, token=token)
            except DomainError as exc:
                self.message_user(request, f"{token}: {exc.message}", messages.ERROR)
            else:
                done += 1
        self.message_user(request, f"Revoked {done} token(s).", messages.SUCCESS)

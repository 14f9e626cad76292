"""Account pages of the portal (/account/...). Thin: forms parse, services decide, templates render."""

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from allauth.account.models import EmailAddress
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from novacron.accounts import rules, selectors
from novacron.accounts.forms import (
    ApiTokenForm,
    InvitationForm,
    MemberRoleForm,
    OrganizationForm,
    ProfileForm,
    add_domain_error,
)
from novacron.accounts.models import Invitation, Membership, Organization, OrgRole, User
from novacron.accounts.services.invitations import invitation_accept, invitation_create, invitation_revoke
from novacron.accounts.services.memberships import (
    membership_change_role,
    membership_remove,
    organization_leave,
)
from novacron.accounts.services.organizations import organization_create, organization_update
from novacron.accounts.services.profile import profile_update
from novacron.accounts.services.tokens import api_token_create, api_token_revoke
from novacron.core.exceptions import DomainError, NotFound

# --- Profile and security ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    initial = {
        "display_name": user.display_name,
        "country": user.country,
        "timezone": user.timezone,
        "preferred_language": user.preferred_language,
    }
    form = ProfileForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            profile_update(user=user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
            status = exc.status_code
        else:
            messages.success(request, "Your profile is saved.")
            return redirect("accounts:profile")
    elif request.method == "POST":
        status = 400
    return render(request, "accounts/profile.html", {"form": form}, status=status)


@login_required
def security(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "emails": EmailAddress.objects.filter(user=user).order_by("-primary", "email"),
        "totp_active": selectors.user_has_totp(user=user),
        "active_tokens": selectors.active_api_tokens(user=user).count(),
    }
    return render(request, "accounts/security.html", context)


# --- API tokens ----------------------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    """List and create. A new token's secret is rendered in the POST's own response (never stored, never
    redirected through the session), so it is shown exactly once."""
    form = ApiTokenForm(request.POST or None)
    created, raw_token, status = None, None, 200
    if request.method == "POST":
        if form.is_valid():
            days = form.cleaned_data["expires_in_days"]
            try:
                created, raw_token = api_token_create(
                    user=request.user,
                    name=form.cleaned_data["name"],
                    scopes=form.cleaned_data["scopes"],
                    expires_at=timezone.now() + timedelta(days=days) if days else None,
                )
            except DomainError as exc:
                add_domain_error(form, exc)
                status = exc.status_code
            else:
                form = ApiTokenForm()
        else:
            status = 400
    context = {
        "form": form,
        "created": created,
        "raw_token": raw_token,
        "tokens": selectors.api_tokens_for_user(user=request.user),
        "now": timezone.now(),
    }
    return render(request, "accounts/tokens.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def token_revoke(request: HttpRequest, public_id: Any) -> HttpResponse:
    try:
        token = selectors.api_token_for_user(user=request.user, public_id=public_id)
    except NotFound:
        raise Http404 from None
    if request.method == "POST":
        api_token_revoke(actor=request.user, token=token)
        messages.success(request, f"The token “{token.name}” is revoked; requests using it now fail.")
        return redirect("accounts:tokens")
    return _confirm(
        request,
        title="Revoke API token",
        message=f"Revoke “{token.name}” (nc_{token.prefix}_…)? Anything using it stops working at once. "
        "This cannot be undone.",
        action_label="Revoke token",
        cancel_url=reverse("accounts:tokens"),
    )


def _confirm(
    request: HttpRequest, *, title: str, message: str, action_label: str, cancel_url: str, status: int = 200
) -> HttpResponse:
    context = {"title": title, "message": message, "action_label": action_label, "cancel_url": cancel_url}
    return render(request, "accounts/confirm.html", context, status=status)


# --- Organisations -------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def organizations(request: HttpRequest) -> HttpResponse:
    form = OrganizationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                organization = organization_create(creator=request.user, **form.cleaned_data)
            except DomainError as exc:
                add_domain_error(form, exc)
                status = exc.status_code
            else:
                messages.success(request, f"{organization.name} is created and you are its owner.")
                return redirect("accounts:organization", slug=organization.slug)
        else:
            status = 400
    context = {
        "form": form,
        "organizations": selectors.organizations_for_user(user=request.user),
        "invitations": selectors.invitations_pending_for_user(user=request.user),
    }
    return render(request, "accounts/organizations.html", context, status=status)


def _member_org(request: HttpRequest, slug: str) -> tuple[Organization, str]:
    try:
        return selectors.organization_for_member(user=request.user, ref=slug)
    except NotFound:
        raise Http404 from None


def _render_organization(
    request: HttpRequest,
    organization: Organization,
    role: str,
    *,
    status: int = 200,
    invite_form: InvitationForm | None = None,
    edit_form: OrganizationForm | None = None,
    role_form: tuple[Any, MemberRoleForm] | None = None,
) -> HttpResponse:
    """The organisation page. Forms appear only for those allowed to use them; a refused form the user is not
    shown (a member posting an invitation, say) has its errors listed at the top instead."""
    manager = rules.can_manage(role)
    choices = rules.assignable_roles(role)
    refused: list[forms.Form] = []
    members = []
    for membership in selectors.organization_members(organization=organization):
        public_id = membership.user.public_id
        posted = role_form[1] if role_form is not None and role_form[0] == public_id else None
        may_change = any(
            rules.can_change_role(actor_role=role, current_role=membership.role, new_role=value)
            for value, _ in choices
        )
        form = None
        if may_change:
            form = posted or MemberRoleForm(
                initial={"role": membership.role}, role_choices=choices, prefix=f"m-{public_id.hex[:8]}"
            )
        elif posted is not None:
            refused.append(posted)
        members.append(
            {
                "membership": membership,
                "is_me": membership.user_id == request.user.pk,
                "role_form": form,
                "can_remove": membership.user_id != request.user.pk
                and rules.can_remove(actor_role=role, member_role=membership.role),
            }
        )
    if not manager:
        refused += [form for form in (invite_form, edit_form) if form is not None]
        invite_form = edit_form = None
    else:
        invite_form = invite_form or InvitationForm(role_choices=choices, initial={"role": OrgRole.MEMBER})
        edit_form = edit_form or OrganizationForm(
            initial={
                "name": organization.name,
                "slug": organization.slug,
                "kind": organization.kind,
                "country": organization.country,
                "website": organization.website,
            }
        )
    refusals = list(
        dict.fromkeys(error for form in refused for errors in form.errors.values() for error in errors)
    )
    context = {
        "organization": organization,
        "my_role": role,
        "is_manager": manager,
        "members": members,
        "invitations": selectors.organization_invitations(
            organization=organization, state=Invitation.State.PENDING
        )
        if manager
        else [],
        "invite_form": invite_form,
        "edit_form": edit_form,
        "refusals": refusals,
    }
    return render(request, "accounts/organization_detail.html", context, status=status)


@login_required
def organization_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organization, role = _member_org(request, slug)
    return _render_organization(request, organization, role)


@login_required
@require_POST
def organization_edit(request: HttpRequest, slug: str) -> HttpResponse:
    organization, role = _member_org(request, slug)
    form = OrganizationForm(request.POST)
    if form.is_valid():
        data = {**form.cleaned_data, "slug": form.cleaned_data["slug"] or organization.slug}
        try:
            organization = organization_update(actor=request.user, organization=organization, **data)
        except DomainError as exc:
            add_domain_error(form, exc)
            return _render_organization(request, organization, role, status=exc.status_code, edit_form=form)
        messages.success(request, "The organisation's details are saved.")
        return redirect("accounts:organization", slug=organization.slug)
    return _render_organization(request, organization, role, status=400, edit_form=form)


@login_required
@require_POST
def member_role(request: HttpRequest, slug: str, user: Any) -> HttpResponse:
    organization, role = _member_org(request, slug)
    membership = _membership_or_404(organization, user)
    form = MemberRoleForm(
        request.POST,
        role_choices=OrgRole.choices,
        prefix=f"m-{membership.user.public_id.hex[:8]}",
    )
    if form.is_valid():
        try:
            membership_change_role(actor=request.user, membership=membership, role=form.cleaned_data["role"])
        except DomainError as exc:
            add_domain_error(form, exc)
            return _render_organization(
                request,
                organization,
                role,
                status=exc.status_code,
                role_form=(membership.user.public_id, form),
            )
        messages.success(
            request, f"{membership.user} is now {OrgRole(form.cleaned_data['role']).label.lower()}."
        )
        return redirect("accounts:organization", slug=organization.slug)
    return _render_organization(
        request, organization, role, status=400, role_form=(membership.user.public_id, form)
    )


def _membership_or_404(organization: Organization, user_public_id: Any) -> Membership:
    membership = (
        Membership.objects.select_related("user", "organization")
        .filter(organization=organization, user__public_id=user_public_id)
        .first()
    )
    if membership is None:
        raise Http404
    return membership


@login_required
@require_http_methods(["GET", "POST"])
def member_remove(request: HttpRequest, slug: str, user: Any) -> HttpResponse:
    organization, _role = _member_org(request, slug)
    membership = _membership_or_404(organization, user)
    detail_url = reverse("accounts:organization", kwargs={"slug": organization.slug})
    confirm = {
        "title": "Remove member",
        "message": f"Remove {membership.user} ({membership.user.email}) from {organization}?",
        "action_label": "Remove member",
        "cancel_url": detail_url,
    }
    if request.method == "POST":
        try:
            membership_remove(actor=request.user, membership=membership)
        except DomainError as exc:
            messages.error(request, exc.message)
            return _confirm(request, **confirm, status=exc.status_code)
        messages.success(request, f"{membership.user} is no longer a member of {organization}.")
        if membership.user_id == request.user.pk:
            return redirect("accounts:organizations")
        return redirect(detail_url)
    return _confirm(request, **confirm)


@login_required
@require_http_methods(["GET", "POST"])
def organization_leave_view(request: HttpRequest, slug: str) -> HttpResponse:
    organization, _role = _member_org(request, slug)
    confirm = {
        "title": f"Leave {organization}",
        "message": f"Leave {organization}? You lose access to everything it shares with its members; "
        "someone would have to invite you again.",
        "action_label": "Leave organisation",
        "cancel_url": reverse("accounts:organization", kwargs={"slug": organization.slug}),
    }
    if request.method == "POST":
        try:
            organization_leave(user=request.user, organization=organization)
        except DomainError as exc:
            messages.error(request, exc.message)
            return _confirm(request, **confirm, status=exc.status_code)
        messages.success(request, f"You left {organization}.")
        return redirect("accounts:organizations")
    return _confirm(request, **confirm)


# --- Invitations ---------------------------------------------------------------------------------------------


@login_required
@require_POST
def invitation_new(request: HttpRequest, slug: str) -> HttpResponse:
    organization, role = _member_org(request, slug)
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation, _raw = invitation_create(
                actor=request.user,
                organization=organization,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
            return _render_organization(request, organization, role, status=exc.status_code, invite_form=form)
        messages.success(request, f"Invitation sent to {invitation.email}.")
        return redirect("accounts:organization", slug=organization.slug)
    return _render_organization(request, organization, role, status=400, invite_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def invitation_revoke_view(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    organization, _role = _member_org(request, slug)
    invitation = Invitation.objects.filter(organization=organization, public_id=public_id).first()
    if invitation is None:
        raise Http404
    confirm = {
        "title": "Revoke invitation",
        "message": f"Revoke the invitation for {invitation.email}? The link in their email stops working.",
        "action_label": "Revoke invitation",
        "cancel_url": reverse("accounts:organization", kwargs={"slug": organization.slug}),
    }
    if request.method == "POST":
        try:
            invitation_revoke(actor=request.user, invitation=invitation)
        except DomainError as exc:
            messages.error(request, exc.message)
            return _confirm(request, **confirm, status=exc.status_code)
        messages.success(request, f"The invitation for {invitation.email} is revoked.")
        return redirect(confirm["cancel_url"])
    return _confirm(request, **confirm)


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the organisation and role; POST joins. Anonymous visitors go to sign in (or sign up from
    there) and come back here."""
    if not request.user.is_authenticated:
        query = urlencode({"next": request.get_full_path()})
        return redirect(f"{reverse('account_login')}?{query}")
    invitation = selectors.invitation_by_token(token)
    if invitation is None:
        return render(request, "accounts/invitation_accept.html", {"invitation": None}, status=404)
    error, status = None, 200
    if request.method == "POST":
        try:
            membership = invitation_accept(user=request.user, token=token)
        except DomainError as exc:
            error, status = exc.message, exc.status_code
        else:
            messages.success(request, f"Welcome to {membership.organization}!")
            return redirect("accounts:organization", slug=membership.organization.slug)
    else:
        error = _invitation_problem(invitation, request.user)
    context = {"invitation": invitation, "error": error, "token": token}
    return render(request, "accounts/invitation_accept.html", context, status=status)


def _invitation_problem(invitation: Invitation, user: User) -> str | None:
    """What would stop this user accepting (shown before they press the button)."""
    if invitation.state == Invitation.State.REVOKED:
        return "This invitation was withdrawn. Ask for a new one."
    if invitation.state == Invitation.State.ACCEPTED:
        return "This invitation has already been used."
    if not invitation.is_usable:
        return "This invitation has expired. Ask for a new one."
    if Membership.objects.filter(organization=invitation.organization, user=user).exists():
        return f"You are already a member of {invitation.organization}."
    if not EmailAddress.objects.filter(user=user, email__iexact=invitation.email, verified=True).exists():
        return (
            "This invitation was sent to another email address. Sign in with that address, or add and verify "
            "it under Security → Email addresses, to accept it."
        )
    return None

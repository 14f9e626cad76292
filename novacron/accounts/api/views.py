"""Accounts REST API: parse the request, call a selector or service, render. Domain errors raised by services
become the project's JSON error body through the exception handler."""

from datetime import timedelta
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from novacron.accounts import rules, selectors
from novacron.accounts.api.serializers import (
    AccountsErrorSerializer,
    ApiTokenCreatedSerializer,
    ApiTokenCreateSerializer,
    ApiTokenSerializer,
    InvitationAcceptSerializer,
    InvitationCreateSerializer,
    InvitationSerializer,
    MemberRoleSerializer,
    MemberSerializer,
    MeSerializer,
    MeUpdateSerializer,
    OrganizationCreateSerializer,
    OrganizationSerializer,
    OrganizationUpdateSerializer,
)
from novacron.accounts.models import ApiToken, Invitation, Membership, Organization, User
from novacron.accounts.services.invitations import invitation_accept, invitation_create, invitation_revoke
from novacron.accounts.services.memberships import (
    membership_change_role,
    membership_remove,
    organization_leave,
)
from novacron.accounts.services.organizations import organization_create, organization_update
from novacron.accounts.services.profile import profile_update
from novacron.accounts.services.tokens import api_token_create, api_token_revoke
from novacron.core.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from novacron.core.api.pagination import DefaultPagination
from novacron.core.exceptions import NotFound, PermissionDenied

TAGS = ["accounts"]


def _errors(*codes: int) -> dict[int, OpenApiResponse]:
    descriptions = {
        400: "Invalid input; `error.fields` names the fields.",
        401: "Not signed in, or the API token is invalid, expired or revoked.",
        403: "Not allowed (role, or the token's scopes).",
        404: "Not found, or not yours to see.",
        409: "Conflicts with the current state (e.g. last owner, already a member).",
    }
    return {code: OpenApiResponse(AccountsErrorSerializer, description=descriptions[code]) for code in codes}


ORG_REF = OpenApiParameter(
    "ref",
    str,
    OpenApiParameter.PATH,
    description="The organisation's slug or public id (UUID). Only organisations you belong to are found.",
)
MEMBER_USER = OpenApiParameter(
    "user", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The member's public user id."
)
PUBLIC_ID = OpenApiParameter("public_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Public id.")


class AccountsApi(APIView):
    # Base of the accounts endpoints (no docstring: the schema would show it on every operation).

    pagination_class = DefaultPagination

    def paginated(self, request: Request, items: Any, serializer_class: type) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(items, request, view=self)
        return paginator.get_paginated_response(serializer_class(page, many=True).data)


def _me(user: User) -> dict[str, Any]:
    return MeSerializer(
        {
            "public_id": user.public_id,
            "email": user.email,
            "display_name": user.display_name,
            "country": user.country,
            "timezone": user.timezone,
            "preferred_language": user.preferred_language,
            "roles": selectors.user_platform_roles(user=user),
            "mfa_enabled": selectors.user_has_totp(user=user),
            "date_joined": user.date_joined,
        }
    ).data


def _organization(user: User, organization: Organization) -> dict[str, Any]:
    annotated = selectors.organizations_for_user(user=user).get(pk=organization.pk)
    return OrganizationSerializer(annotated).data


def _manager_org(user: User, ref: str) -> Organization:
    organization, role = selectors.organization_for_member(user=user, ref=ref)
    if not rules.can_manage(role):
        raise PermissionDenied("Only the organisation's owners and admins can do this.")
    return organization


def _membership(organization: Organization, user_public_id: Any) -> Membership:
    membership = (
        Membership.objects.select_related("user", "organization")
        .filter(organization=organization, user__public_id=user_public_id)
        .first()
    )
    if membership is None:
        raise NotFound("This person is not a member of the organisation.")
    return membership


# --- Me ------------------------------------------------------------------------------------------------------


class MeApi(AccountsApi):
    pagination_class = None

    @extend_schema(tags=TAGS, summary="Your profile", responses={200: MeSerializer, **_errors(401, 403)})
    def get(self, request: Request) -> Response:
        return Response(_me(request.user))

    @extend_schema(
        tags=TAGS,
        summary="Update your profile",
        description="Change display name, country (ISO 3166-1 alpha-2), time zone (IANA) or language. "
        "Fields left out stay as they are.",
        request=MeUpdateSerializer,
        responses={200: MeSerializer, **_errors(400, 401, 403)},
    )
    def patch(self, request: Request) -> Response:
        data = MeUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = profile_update(user=request.user, **data.validated_data)
        return Response(_me(user))


# --- API tokens ----------------------------------------------------------------------------------------------


class ApiTokenListApi(AccountsApi):
    @extend_schema(
        tags=TAGS,
        summary="List your API tokens",
        description="Active tokens first. The secret is never shown again after creation.",
        responses={200: ApiTokenSerializer(many=True), **_errors(401, 403)},
    )
    def get(self, request: Request) -> Response:
        return self.paginated(request, selectors.api_tokens_for_user(user=request.user), ApiTokenSerializer)

    @extend_schema(
        tags=TAGS,
        summary="Create an API token",
        description="Returns the secret `token` once: store it now. A token can only create tokens with scopes "
        "it holds itself.",
        request=ApiTokenCreateSerializer,
        responses={201: ApiTokenCreatedSerializer, **_errors(400, 401, 403, 409)},
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = ApiTokenCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        granting = request.auth.scopes if isinstance(request.auth, ApiToken) else None
        token, raw = api_token_create(user=request.user, granting_scopes=granting, **data.validated_data)
        body = {**ApiTokenSerializer(token).data, "token": raw}  # the only place the secret is ever shown
        return Response(body, status=status.HTTP_201_CREATED)


class ApiTokenDetailApi(AccountsApi):
    pagination_class = None

    @extend_schema(
        tags=TAGS,
        summary="Revoke an API token",
        description="Revoking a revoked token succeeds and changes nothing.",
        parameters=[PUBLIC_ID],
        responses={204: None, **_errors(401, 403, 404)},
    )
    def delete(self, request: Request, public_id: Any) -> Response:
        token = selectors.api_token_for_user(user=request.user, public_id=public_id)
        api_token_revoke(actor=request.user, token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Organisations -------------------------------------------------------------------------------------------


class OrganizationListApi(AccountsApi):
    @extend_schema(
        tags=TAGS,
        summary="List your organisations",
        responses={200: OrganizationSerializer(many=True), **_errors(401, 403)},
    )
    def get(self, request: Request) -> Response:
        return self.paginated(
            request, selectors.organizations_for_user(user=request.user), OrganizationSerializer
        )

    @extend_schema(
        tags=TAGS,
        summary="Create an organisation",
        description="You become its owner. Without a slug one is made from the name.",
        request=OrganizationCreateSerializer,
        responses={201: OrganizationSerializer, **_errors(400, 401, 403, 409)},
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = OrganizationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organization = organization_create(creator=request.user, **data.validated_data)
        return Response(_organization(request.user, organization), status=status.HTTP_201_CREATED)


class OrganizationDetailApi(AccountsApi):
    pagination_class = None

    @extend_schema(
        tags=TAGS,
        summary="An organisation of yours",
        parameters=[ORG_REF],
        responses={200: OrganizationSerializer, **_errors(401, 403, 404)},
    )
    def get(self, request: Request, ref: str) -> Response:
        organization, _ = selectors.organization_for_member(user=request.user, ref=ref)
        return Response(_organization(request.user, organization))

    @extend_schema(
        tags=TAGS,
        summary="Update an organisation",
        description="Owners and admins. Fields left out stay as they are.",
        parameters=[ORG_REF],
        request=OrganizationUpdateSerializer,
        responses={200: OrganizationSerializer, **_errors(400, 401, 403, 404, 409)},
    )
    def patch(self, request: Request, ref: str) -> Response:
        organization, _ = selectors.organization_for_member(user=request.user, ref=ref)
        data = OrganizationUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organization = organization_update(
            actor=request.user, organization=organization, **data.validated_data
        )
        return Response(_organization(request.user, organization))


class OrganizationLeaveApi(AccountsApi):
    pagination_class = None

    @extend_schema(
        tags=TAGS,
        summary="Leave an organisation",
        description="The last owner cannot leave: make someone else an owner first (409 `last_owner`).",
        parameters=[ORG_REF, IDEMPOTENCY_KEY_PARAMETER],
        request=None,
        responses={204: None, **_errors(401, 403, 404, 409)},
    )
    @idempotent
    def post(self, request: Request, ref: str) -> Response:
        organization, _ = selectors.organization_for_member(user=request.user, ref=ref)
        organization_leave(user=request.user, organization=organization)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Members -------------------------------------------------------------------------------------------------


class MemberListApi(AccountsApi):
    @extend_schema(
        tags=TAGS,
        summary="List an organisation's members",
        parameters=[ORG_REF],
        responses={200: MemberSerializer(many=True), **_errors(401, 403, 404)},
    )
    def get(self, request: Request, ref: str) -> Response:
        organization, _ = selectors.organization_for_member(user=request.user, ref=ref)
        return self.paginated(
            request, selectors.organization_members(organization=organization), MemberSerializer
        )


class MemberDetailApi(AccountsApi):
    pagination_class = None

    @extend_schema(
        tags=TAGS,
        summary="Change a member's role",
        description="Owners and admins; only an owner grants or takes away the owner role. The last owner "
        "cannot be demoted (409 `last_owner`).",
        parameters=[ORG_REF, MEMBER_USER],
        request=MemberRoleSerializer,
        responses={200: MemberSerializer, **_errors(400, 401, 403, 404, 409)},
    )
    def patch(self, request: Request, ref: str, user: Any) -> Response:
        organization, _ = selectors.organization_for_member(user=request.user, ref=ref)
        data = MemberRoleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = membership_change_role(
            actor=request.user, membership=_membership(organization, user), role=data.validated_data["role"]
        )
        return Response(MemberSerializer(membership).data)

    @extend_schema(
        tags=TAGS,
        summary="Remove a member",
        description="Owners and admins; only an owner removes an owner; the last owner stays. Removing "
        "yourself is leaving.",
        parameters=[ORG_REF, MEMBER_USER],
        responses={204: None, **_errors(401, 403, 404, 409)},
    )
    def delete(self, request: Request, ref: str, user: Any) -> Response:
        organization, _ = selectors.organization_for_member(user=request.user, ref=ref)
        membership_remove(actor=request.user, membership=_membership(organization, user))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Invitations ---------------------------------------------------------------------------------------------


class InvitationListApi(AccountsApi):
    @extend_schema(
        tags=TAGS,
        summary="List an organisation's invitations",
        description="Owners and admins.",
        parameters=[ORG_REF],
        responses={200: InvitationSerializer(many=True), **_errors(401, 403, 404)},
    )
    def get(self, request: Request, ref: str) -> Response:
        organization = _manager_org(request.user, ref)
        return self.paginated(
            request, selectors.organization_invitations(organization=organization), InvitationSerializer
        )

    @extend_schema(
        tags=TAGS,
        summary="Invite someone",
        description="Owners and admins (only owners invite owners). The invitee gets an email with a link "
        "that works once; one pending invitation per address.",
        parameters=[ORG_REF, IDEMPOTENCY_KEY_PARAMETER],
        request=InvitationCreateSerializer,
        responses={201: InvitationSerializer, **_errors(400, 401, 403, 404, 409)},
    )
    @idempotent
    def post(self, request: Request, ref: str) -> Response:
        organization, _ = selectors.organization_for_member(user=request.user, ref=ref)
        data = InvitationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation, _raw = invitation_create(
            actor=request.user,
            organization=organization,
            email=data.validated_data["email"],
            role=data.validated_data["role"],
            expires_in=timedelta(days=data.validated_data["expires_in_days"]),
        )
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


class InvitationDetailApi(AccountsApi):
    pagination_class = None

    @extend_schema(
        tags=TAGS,
        summary="Revoke an invitation",
        description="Owners and admins; only pending invitations (409 otherwise).",
        parameters=[ORG_REF, PUBLIC_ID],
        responses={204: None, **_errors(401, 403, 404, 409)},
    )
    def delete(self, request: Request, ref: str, public_id: Any) -> Response:
        organization, _ = selectors.organization_for_member(user=request.user, ref=ref)
        invitation = Invitation.objects.filter(organization=organization, public_id=public_id).first()
        if invitation is None:
            raise NotFound("No invitation with this id in the organisation.")
        invitation_revoke(actor=request.user, invitation=invitation)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationAcceptApi(AccountsApi):
    pagination_class = None

    @extend_schema(
        tags=TAGS,
        summary="Accept an invitation",
        description="With the token from the invitation link. Your verified email must be the invited one "
        "(403 `email_mismatch`); revoked, used or expired invitations give 409.",
        request=InvitationAcceptSerializer,
        responses={200: OrganizationSerializer, **_errors(400, 401, 403, 404, 409)},
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = InvitationAcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = invitation_accept(user=request.user, token=data.validated_data["token"])
        return Response(_organization(request.user, membership.organization))

"""Install, trial, purchase (through revenue's checkout), installations, seats, the entitlement API and usage."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api.publisher_views import errors
from marketplace.api.serializers import (
    EntitlementSerializer,
    InstallationSerializer,
    InstallIn,
    PurchaseIn,
    PurchaseSerializer,
    SeatIn,
    SubscriptionOut,
    UsageIn,
    UsageSerializer,
    money_dict,
)
from marketplace.exceptions import NotFound, PermissionDenied
from marketplace.models import Installation
from marketplace.selectors import entitlements
from marketplace.selectors.console import installations_for_organization, installations_for_user
from marketplace.selectors.lookups import app_or_404, installation_or_404, plan_of, visible_app_or_404
from marketplace.selectors.organizations import organization_id_of
from marketplace.selectors.usage import usage_month
from marketplace.services import installs, subscriptions, usage
from marketplace.services.apps import app_for_api_key
from marketplace.services.permissions import can_manage_publisher
from novacron.accounts import facade as accounts_facade
from novacron.core.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from revenue import facade as revenue_facade

TAGS = ["marketplace: installs"]
APP_KEY_HEADER = "X-App-Key"
APP_KEY_PARAMETER = OpenApiParameter(
    APP_KEY_HEADER,
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="The app's entitlement API key (publisher console → API key). Without it, the caller must be "
    "signed in as the app's publisher.",
)


class InstallView(APIView):
    scope_area = "marketplace"

    @extend_schema(
        tags=TAGS,
        summary="Install a free plan, start a trial, or reinstall a paid licence still valid",
        request=InstallIn,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: InstallationSerializer, **errors(400, 403, 404, 409)},
    )
    @idempotent
    def post(self, request: Request, slug: str) -> Response:
        app = visible_app_or_404(slug, request.user)
        data = InstallIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        plan = plan_of(app, values["plan"])
        org_id = organization_id_of(values.get("organization"), request.user)
        action = installs.trial_start if values.get("trial") else installs.install
        installation = action(app=app, plan=plan, user=request.user, organization_id=org_id)
        return Response(InstallationSerializer(installation).data, status=status.HTTP_201_CREATED)


class PurchaseView(APIView):
    scope_area = "marketplace"

    @extend_schema(
        tags=TAGS,
        summary="Buy a one-time plan through checkout (subscriptions: see subscribe)",
        description="Charges through revenue's checkout (the local test gateway accepts 4242424242424242). "
        "`state` is the order's: paid (the installation is returned), requires_action (3-D Secure: follow "
        "`next_action`), awaiting_transfer or failed.",
        request=PurchaseIn,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: PurchaseSerializer, **errors(400, 403, 404, 409)},
    )
    @idempotent
    def post(self, request: Request, slug: str) -> Response:
        app = visible_app_or_404(slug, request.user)
        data = PurchaseIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        plan = plan_of(app, values["plan"])
        org_id = organization_id_of(values.get("organization"), request.user)
        order = installs.purchase_start(
            app=app,
            plan=plan,
            user=request.user,
            payment_method=values["payment_method"],
            organization_id=org_id,
            seats=values.get("seats", 1),
            gateway=values.get("gateway") or None,
            billing_country=values.get("billing_country", ""),
        )
        installation = entitlements.installation_for_order(order.public_id) if order.is_paid else None
        body = {
            "order_id": order.public_id,
            "state": order.state,
            "total": money_dict(order.total, order.currency),
            "next_action": order.next_action,
            "failure_message": order.failure_message,
            "installation": installation,
        }
        return Response(PurchaseSerializer(body).data, status=status.HTTP_201_CREATED)


class SubscribeView(APIView):
    scope_area = "marketplace"

    @extend_schema(
        tags=TAGS,
        summary="Subscribe to a recurring plan, or change your subscription to this app",
        description="Subscription and per-seat plans are billed by revenue's subscriptions: the first period is "
        "charged now, then each period renews off-session on the stored card, with retries (dunning). If the "
        "customer already subscribes to this app, this changes the plan or the seats instead (more is prorated "
        "and charged now; less applies at the renewal; `payment_method` is then not used). Manage or cancel the "
        "subscription under /api/v1/revenue/subscriptions/{subscription_id}/; uninstalling cancels it at the "
        "period end.",
        request=PurchaseIn,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: SubscriptionOut, **errors(400, 402, 403, 404, 409)},
    )
    @idempotent
    def post(self, request: Request, slug: str) -> Response:
        app = visible_app_or_404(slug, request.user)
        data = PurchaseIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        summary = subscriptions.subscribe(
            app=app,
            plan=plan_of(app, values["plan"]),
            user=request.user,
            payment_method=values["payment_method"],
            organization_id=organization_id_of(values.get("organization"), request.user),
            seats=values.get("seats", 1),
            gateway=values.get("gateway") or None,
            billing_country=values.get("billing_country", ""),
        )
        if summary.state == "canceled" and not summary.has_access:
            raise revenue_facade.PaymentDeclined(
                "The first payment was declined; nothing was started.", field="payment_method"
            )
        body = {
            "subscription_id": summary.id,
            "state": summary.state,
            "seats": summary.seats,
            "unit_amount": money_dict(summary.unit_amount, summary.currency),
            "current_period_end": summary.current_period_end,
            "cancel_at_period_end": summary.cancel_at_period_end,
            "installation": entitlements.installation_for_subscription(summary.id),
        }
        return Response(SubscriptionOut(body).data, status=status.HTTP_201_CREATED)


class InstallationListView(APIView):
    scope_area = "marketplace"

    @extend_schema(
        tags=TAGS,
        summary="Your installations, or an organisation's",
        parameters=[OpenApiParameter("organization", str, required=False, description="Organisation slug")],
        responses=InstallationSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        org_id = organization_id_of(request.query_params.get("organization"), request.user, to_manage=False)
        rows = installations_for_organization(org_id) if org_id else installations_for_user(request.user)
        return Response(InstallationSerializer(rows, many=True).data)


class InstallationDetailView(APIView):
    scope_area = "marketplace"

    @extend_schema(
        tags=TAGS, summary="An installation", responses={200: InstallationSerializer, **errors(404)}
    )
    def get(self, request: Request, public_id: Any) -> Response:
        return Response(InstallationSerializer(installation_or_404(public_id, request.user)).data)


class UninstallView(APIView):
    scope_area = "marketplace"

    @extend_schema(
        tags=TAGS,
        summary="Uninstall",
        request=None,
        responses={200: InstallationSerializer, **errors(403, 404, 409)},
    )
    def post(self, request: Request, public_id: Any) -> Response:
        installation = installs.uninstall(
            installation=installation_or_404(public_id, request.user), user=request.user
        )
        return Response(InstallationSerializer(installation).data)


def _member_id(installation: Installation, email: str) -> int:
    for member_id in accounts_facade.organization_member_ids(installation.organization_id or 0):
        member = accounts_facade.user_get(member_id)
        if member and member.email.lower() == email.lower():
            return member_id
    raise NotFound("No member of the organisation has this email.", field="user")


class SeatsView(APIView):
    scope_area = "marketplace"

    @extend_schema(
        tags=TAGS,
        summary="Give an organisation member a seat",
        request=SeatIn,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: InstallationSerializer, **errors(400, 403, 404, 409)},
    )
    @idempotent
    def post(self, request: Request, public_id: Any) -> Response:
        installation = installation_or_404(public_id, request.user)
        data = SeatIn(data=request.data)
        data.is_valid(raise_exception=True)
        installs.seat_assign(
            installation=installation,
            user=request.user,
            member_id=_member_id(installation, data.validated_data["user"]),
        )
        return Response(InstallationSerializer(installation).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=TAGS,
        summary="Take a member's seat back",
        request=SeatIn,
        responses={200: InstallationSerializer, **errors(400, 403, 404)},
    )
    def delete(self, request: Request, public_id: Any) -> Response:
        installation = installation_or_404(public_id, request.user)
        data = SeatIn(data=request.data)
        data.is_valid(raise_exception=True)
        installs.seat_unassign(
            installation=installation,
            user=request.user,
            member_id=_member_id(installation, data.validated_data["user"]),
        )
        return Response(InstallationSerializer(installation).data)


def _calling_app(request: Request, slug: str | None) -> Any:
    """The app from the X-App-Key header, or (signed in) the publisher's app named by `slug`."""
    key = request.headers.get(APP_KEY_HEADER)
    if key:
        app = app_for_api_key(key.strip())
        if app is None:
            raise PermissionDenied("Unknown or rotated app key.", code="invalid_app_key")
        if slug and slug != app.slug:
            raise PermissionDenied("This key belongs to another app.", code="invalid_app_key")
        return app
    if not request.user or not request.user.is_authenticated:
        raise NotAuthenticated(f"Send the app's {APP_KEY_HEADER} header, or sign in as its publisher.")
    if not slug:
        raise NotFound("Name the app.", field="app")
    app = app_or_404(slug)
    if not can_manage_publisher(request.user, app.publisher):
        raise NotFound("No such app among yours.", field="app")
    return app


class EntitlementView(APIView):
    """Called by an app's server: is this organisation (or user) licensed, for which plan, with how many seats?"""

    permission_classes = [AllowAny]
    scope_area = "marketplace"

    @extend_schema(
        tags=TAGS,
        summary="Entitlement check (for apps)",
        parameters=[
            APP_KEY_PARAMETER,
            OpenApiParameter("app", str, required=False, description="App slug (implied by the app key)"),
            OpenApiParameter(
                "organization", str, required=False, description="Organisation slug or public id"
            ),
            OpenApiParameter(
                "user",
                OpenApiTypes.UUID,
                required=False,
                description="A user's public id (alone: their own licence; with organization: do they hold a seat)",
            ),
        ],
        responses={200: EntitlementSerializer, **errors(400, 403, 404)},
    )
    def get(self, request: Request) -> Response:
        app = _calling_app(request, request.query_params.get("app"))
        org_ref, user_ref = request.query_params.get("organization"), request.query_params.get("user")
        organization = accounts_facade.organization_get(org_ref) if org_ref else None
        if org_ref and organization is None:
            raise NotFound("No such organisation.", field="organization")
        user = accounts_facade.user_get(user_ref) if user_ref else None
        if user_ref and user is None:
            raise NotFound("No such user.", field="user")
        if organization is None and user is None:
            from marketplace.exceptions import ValidationError

            raise ValidationError("Ask about an organisation, a user, or both.", field="organization")
        e = entitlements.entitlement(
            app=app,
            organization_id=organization.id if organization else None,
            user_id=user.id if user else None,
        )
        return Response(EntitlementSerializer({"app": app.slug, **e.__dict__}).data)


class UsageView(APIView):
    """Usage-based plans: the app reports units; the month's charge is capped at the plan's monthly cap."""

    permission_classes = [AllowAny]
    scope_area = "marketplace"

    @extend_schema(
        tags=TAGS,
        summary="Report usage (for apps)",
        request=UsageIn,
        parameters=[APP_KEY_PARAMETER],
        responses={201: UsageSerializer, 200: UsageSerializer, **errors(400, 403, 404)},
    )
    def post(self, request: Request) -> Response:
        app = _calling_app(request, request.query_params.get("app"))
        data = UsageIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        installation = (
            Installation.objects.select_related("plan")
            .filter(app=app, public_id=values["installation"])
            .first()
        )
        if installation is None or not installation.is_live:
            raise NotFound("No live installation of this app with that id.", field="installation")
        _, created = usage.usage_report(
            installation=installation,
            quantity=values["quantity"],
            idempotency_key=values["idempotency_key"],
            occurred_at=values.get("occurred_at"),
        )
        month = usage_month(installation)
        currency = installation.price_currency or installation.plan.currency
        body = {
            "recorded": created,
            "month_units": month["units"],
            "month_amount": money_dict(month["amount"], currency),
            "monthly_cap": money_dict(month["cap"], currency),
        }
        return Response(
            UsageSerializer(body).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

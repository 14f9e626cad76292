"""Publisher API: register, apps, screenshots and logo, plans and prices, versions and submissions, the
entitlement API key and certification applications. Publishers act only on their own apps (others' are 404)."""

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api.serializers import (
    ApiKeySerializer,
    AppDetailSerializer,
    AppIn,
    AppListSerializer,
    AppUpdateIn,
    CertificationRequestIn,
    CertificationRequestSerializer,
    CommentIn,
    CommentSerializer,
    ErrorBodySerializer,
    LogoIn,
    PlanIn,
    PlanSerializer,
    PriceChangeIn,
    PublisherIn,
    PublisherSerializer,
    ScreenshotIn,
    ScreenshotSerializer,
    VersionIn,
    VersionSerializer,
    VersionUpdateIn,
)
from marketplace.models import AppVersion, Plan
from marketplace.selectors.console import publisher_apps, with_latest_checks
from marketplace.selectors.lookups import owned_app_or_404, publisher_or_404, version_or_404
from marketplace.selectors.organizations import organization_id_of
from marketplace.services import apps as app_services
from marketplace.services import certification as cert_services
from marketplace.services import pricing, publishers, versions
from marketplace.services.permissions import publishers_for_user
from novacron.core.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent

TAGS = ["marketplace: publishers"]


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    text = {
        400: "Invalid input; `error.fields` names the fields.",
        402: "The payment was declined (the first period, or an upgrade's prorated charge).",
        403: "Not allowed (not the publisher, reviewer or organisation admin).",
        404: "Not found, or not yours.",
        409: "Conflicts with the current state (e.g. a transition that is not allowed).",
    }
    return {code: OpenApiResponse(ErrorBodySerializer, description=text[code]) for code in codes}


def _client_ip(request: Request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


class PublisherListView(APIView):
    scope_area = "marketplace"

    @extend_schema(tags=TAGS, summary="Publishers you may act for", responses=PublisherSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(PublisherSerializer(publishers_for_user(request.user), many=True).data)

    @extend_schema(
        tags=TAGS,
        summary="Register as a publisher (yourself or an organisation you administer)",
        request=PublisherIn,
        responses={201: PublisherSerializer, **errors(400, 403, 409)},
    )
    def post(self, request: Request) -> Response:
        data = PublisherIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        publisher = publishers.publisher_register(
            user=request.user,
            display_name=values["display_name"],
            agreement_version=values["agreement_version"],
            organization_id=organization_id_of(values.get("organization"), request.user),
            website=values.get("website", ""),
            support_email=values.get("support_email", ""),
            ip_address=_client_ip(request),
        )
        return Response(PublisherSerializer(publisher).data, status=status.HTTP_201_CREATED)


class PublisherAppsView(APIView):
    scope_area = "marketplace"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        tags=TAGS, summary="The publisher's apps (listed or not)", responses=AppListSerializer(many=True)
    )
    def get(self, request: Request, slug: str) -> Response:
        publisher = publisher_or_404(slug, request.user)
        return Response(AppListSerializer(publisher_apps(publisher), many=True).data)

    @extend_schema(
        tags=TAGS,
        summary="Create an app listing",
        request=AppIn,
        responses={201: AppDetailSerializer, **errors(400, 404, 409)},
    )
    def post(self, request: Request, slug: str) -> Response:
        publisher = publisher_or_404(slug, request.user)
        data = AppIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        app = app_services.app_create(publisher=publisher, user=request.user, **values)
        return Response(
            AppDetailSerializer(app, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class AppManageView(APIView):
    scope_area = "marketplace"

    @extend_schema(
        tags=TAGS,
        summary="Edit an app listing",
        request=AppUpdateIn,
        responses={200: AppDetailSerializer, **errors(400, 404)},
    )
    def patch(self, request: Request, slug: str) -> Response:
        app = owned_app_or_404(slug, request.user)
        data = AppUpdateIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        app = app_services.app_update(app=app, user=request.user, **data.validated_data)
        return Response(AppDetailSerializer(app, context={"request": request}).data)


class LogoView(APIView):
    scope_area = "marketplace"
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=TAGS,
        summary="Upload the logo (square PNG/JPEG/WebP, 128-1024 px, at most 1 MB)",
        request=LogoIn,
        responses={200: AppDetailSerializer, **errors(400, 404)},
    )
    def post(self, request: Request, slug: str) -> Response:
        app = owned_app_or_404(slug, request.user)
        data = LogoIn(data=request.data)
        data.is_valid(raise_exception=True)
        app = app_services.app_update(app=app, user=request.user, logo=data.validated_data["logo"])
        return Response(AppDetailSerializer(app, context={"request": request}).data)


class ScreenshotsView(APIView):
    scope_area = "marketplace"
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=TAGS,
        summary="Add a screenshot (PNG/JPEG/WebP, 640×360 to 3840×2160 px, at most 4 MB)",
        request=ScreenshotIn,
        responses={201: ScreenshotSerializer, **errors(400, 404)},
    )
    def post(self, request: Request, slug: str) -> Response:
        app = owned_app_or_404(slug, request.user)
        data = ScreenshotIn(data=request.data)
        data.is_valid(raise_exception=True)
        shot = app_services.screenshot_add(
            app=app,
            user=request.user,
            image=data.validated_data["image"],
            caption=data.validated_data.get("caption", ""),
        )
        return Response(
            ScreenshotSerializer(shot, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class ScreenshotDeleteView(APIView):
    scope_area = "marketplace"

    @extend_schema(tags=TAGS, summary="Delete a screenshot", responses={204: None, **errors(404)})
    def delete(self, request: Request, slug: str, pk: int) -> Response:
        app = owned_app_or_404(slug, request.user)
        shot = app.screenshots.filter(pk=pk).first()
        if shot is None:
            return Response(status=status.HTTP_404_NOT_FOUND)
        app_services.screenshot_delete(screenshot=shot, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PlansView(APIView):
    scope_area = "marketplace"

    @extend_schema(
        tags=TAGS, summary="The app's plans (including inactive)", responses=PlanSerializer(many=True)
    )
    def get(self, request: Request, slug: str) -> Response:
        app = owned_app_or_404(slug, request.user)
        return Response(PlanSerializer(app.plans.all(), many=True).data)

    @extend_schema(
        tags=TAGS, summary="Add a plan", request=PlanIn, responses={201: PlanSerializer, **errors(400, 404)}
    )
    def post(self, request: Request, slug: str) -> Response:
        app = owned_app_or_404(slug, request.user)
        data = PlanIn(data=request.data)
        data.is_valid(raise_exception=True)
        plan = pricing.plan_create(app=app, user=request.user, **data.validated_data)
        return Response(PlanSerializer(plan).data, status=status.HTTP_201_CREATED)


class PlanPriceView(APIView):
    scope_area = "marketplace"

    @extend_schema(
        tags=TAGS,
        summary="Change a plan's price (at most once every 30 days once published; customers keep theirs 90 days)",
        request=PriceChangeIn,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={200: PlanSerializer, **errors(400, 404, 409)},
    )
    @idempotent
    def post(self, request: Request, public_id: Any) -> Response:
        plan = Plan.objects.select_related("app", "app__publisher").filter(public_id=public_id).first()
        if plan is None:
            return Response(status=status.HTTP_404_NOT_FOUND)
        owned_app_or_404(plan.app.slug, request.user)
        data = PriceChangeIn(data=request.data)
        data.is_valid(raise_exception=True)
        amount = data.validated_data["amount"]
        plan = pricing.plan_change_price(plan=plan, user=request.user, amount=amount, unit_amount=amount)
        return Response(PlanSerializer(plan).data)


class ApiKeyView(APIView):
    scope_area = "marketplace"

    @extend_schema(
        tags=TAGS,
        summary="Create (rotate) the app's entitlement API key",
        request=None,
        responses={201: ApiKeySerializer, **errors(404)},
    )
    def post(self, request: Request, slug: str) -> Response:
        app = owned_app_or_404(slug, request.user)
        secret = app_services.api_key_rotate(app=app, user=request.user)
        return Response({"api_key": secret, "prefix": secret[:12]}, status=status.HTTP_201_CREATED)


class VersionsView(APIView):
    scope_area = "marketplace"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(tags=TAGS, summary="The app's versions", responses=VersionSerializer(many=True))
    def get(self, request: Request, slug: str) -> Response:
        app = owned_app_or_404(slug, request.user)
        rows = with_latest_checks(app.versions.select_related("app", "reviewer"))
        return Response(VersionSerializer(rows, many=True).data)

    @extend_schema(
        tags=TAGS,
        summary="Create a draft version",
        request=VersionIn,
        responses={201: VersionSerializer, **errors(400, 404, 409)},
    )
    def post(self, request: Request, slug: str) -> Response:
        app = owned_app_or_404(slug, request.user)
        data = VersionIn(data=request.data)
        data.is_valid(raise_exception=True)
        version = versions.version_create(app=app, user=request.user, **data.validated_data)
        return Response(VersionSerializer(version).data, status=status.HTTP_201_CREATED)


class VersionDetailView(APIView):
    scope_area = "marketplace"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        tags=TAGS,
        summary="A version with its latest check results and SLA timer",
        responses={200: VersionSerializer, **errors(404)},
    )
    def get(self, request: Request, public_id: Any) -> Response:
        return Response(VersionSerializer(version_or_404(public_id, request.user)).data)

    @extend_schema(
        tags=TAGS,
        summary="Edit a draft or rejected version",
        request=VersionUpdateIn,
        responses={200: VersionSerializer, **errors(400, 404, 409)},
    )
    def patch(self, request: Request, public_id: Any) -> Response:
        version = version_or_404(public_id, request.user)
        data = VersionUpdateIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        version = versions.version_update(version=version, user=request.user, **data.validated_data)
        return Response(VersionSerializer(version).data)


def _version_action(request: Request, public_id: Any, action: Any, **kwargs: Any) -> Response:
    version = version_or_404(public_id, request.user)
    version = action(version=version, **kwargs)
    return Response(VersionSerializer(AppVersion.objects.get(pk=version.pk)).data)


class VersionSubmitView(APIView):
    scope_area = "marketplace"

    @extend_schema(
        tags=TAGS,
        summary="Submit for review (runs the automated checks)",
        request=None,
        responses={200: VersionSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request: Request, public_id: Any) -> Response:
        return _version_action(request, public_id, versions.version_submit, user=request.user)


class VersionDeprecateView(APIView):
    scope_area = "marketplace"

    @extend_schema(
        tags=TAGS,
        summary="Deprecate a published version",
        request=None,
        responses={200: VersionSerializer, **errors(403, 404, 409)},
    )
    def post(self, request: Request, public_id: Any) -> Response:
        return _version_action(request, public_id, versions.version_deprecate, user=request.user)


class VersionCommentsView(APIView):
    scope_area = "marketplace"

    @extend_schema(
        tags=TAGS,
        summary="Comments between reviewers and the publisher",
        responses=CommentSerializer(many=True),
    )
    def get(self, request: Request, public_id: Any) -> Response:
        version = version_or_404(public_id, request.user)
        return Response(CommentSerializer(version.comments.select_related("author"), many=True).data)

    @extend_schema(
        tags=TAGS,
        summary="Comment on a submission",
        request=CommentIn,
        responses={201: CommentSerializer, **errors(400, 404)},
    )
    def post(self, request: Request, public_id: Any) -> Response:
        version = version_or_404(public_id, request.user)
        data = CommentIn(data=request.data)
        data.is_valid(raise_exception=True)
        comment = versions.version_comment(
            version=version, user=request.user, body=data.validated_data["body"]
        )
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class CertificationApplyView(APIView):
    scope_area = "marketplace"

    @extend_schema(
        tags=TAGS,
        summary="The app's certification applications",
        responses=CertificationRequestSerializer(many=True),
    )
    def get(self, request: Request, slug: str) -> Response:
        app = owned_app_or_404(slug, request.user)
        return Response(CertificationRequestSerializer(app.certification_requests.all(), many=True).data)

    @extend_schema(
        tags=TAGS,
        summary="Apply for (or renew) a Certified / Enterprise ready badge",
        request=CertificationRequestIn,
        responses={201: CertificationRequestSerializer, **errors(400, 404, 409)},
    )
    def post(self, request: Request, slug: str) -> Response:
        app = owned_app_or_404(slug, request.user)
        data = CertificationRequestIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        created = cert_services.certification_request(
            app=app, user=request.user, kind=values.pop("badge"), **values
        )
        return Response(CertificationRequestSerializer(created).data, status=status.HTTP_201_CREATED)

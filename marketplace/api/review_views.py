"""Reviews and ratings, and the staff side: the review queue, reviewer decisions, abuse moderation and
certification decisions."""

from typing import Any

from django.contrib.auth import get_user_model
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api.publisher_views import _version_action, errors
from marketplace.api.serializers import (
    AbuseReportSerializer,
    AssignIn,
    CertificationRequestSerializer,
    ChecklistIn,
    NoteIn,
    ReasonIn,
    ReplyIn,
    ReportIn,
    ResolveIn,
    ReviewIn,
    ReviewSerializer,
    VersionSerializer,
)
from marketplace.exceptions import NotFound, ValidationError
from marketplace.models import AbuseReport, CertificationRequest, Review
from marketplace.selectors.console import review_queue
from marketplace.selectors.lookups import version_or_404, visible_app_or_404
from marketplace.services import certification as cert_services
from marketplace.services import reviews, versions
from marketplace.services.permissions import require_reviewer
from novacron.core.api.pagination import DefaultPagination

TAGS = ["marketplace: reviews"]
STAFF_TAGS = ["marketplace: reviewers"]


def _review_or_404(public_id: Any) -> Review:
    review = (
        Review.objects.select_related("app", "app__publisher", "author")
        .filter(public_id=public_id, is_hidden=False)
        .first()
    )
    if review is None:
        raise Http404
    return review


class AppReviewsView(APIView):
    permission_classes = [AllowAny]
    scope_area = "marketplace"

    def get_permissions(self) -> list:
        """Anyone reads reviews; writing needs the project's default permissions (signed in, token scope)."""
        from rest_framework.settings import api_settings

        if self.request.method == "GET":
            return [AllowAny()]
        return [permission() for permission in api_settings.DEFAULT_PERMISSION_CLASSES]

    @extend_schema(
        tags=TAGS,
        summary="An app's reviews (most helpful first)",
        parameters=[OpenApiParameter("page", int, required=False)],
        responses=ReviewSerializer(many=True),
    )
    def get(self, request: Request, slug: str) -> Response:
        app = visible_app_or_404(slug, request.user)
        rows = (
            app.reviews.filter(is_hidden=False)
            .select_related("author")
            .order_by("-helpful_count", "-created_at")
        )
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(ReviewSerializer(page, many=True).data)

    @extend_schema(
        tags=TAGS,
        summary="Review an app you installed (once)",
        request=ReviewIn,
        responses={201: ReviewSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request: Request, slug: str) -> Response:
        app = visible_app_or_404(slug, request.user)
        data = ReviewIn(data=request.data)
        data.is_valid(raise_exception=True)
        review = reviews.review_create(app=app, user=request.user, **data.validated_data)
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)


class ReviewDetailView(APIView):
    scope_area = "marketplace"

    @extend_schema(
        tags=TAGS,
        summary="Edit your review",
        request=ReviewIn,
        responses={200: ReviewSerializer, **errors(400, 403, 404)},
    )
    def put(self, request: Request, public_id: Any) -> Response:
        review = _review_or_404(public_id)
        data = ReviewIn(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(
            ReviewSerializer(
                reviews.review_update(review=review, user=request.user, **data.validated_data)
            ).data
        )


class ReviewReplyView(APIView):
    scope_area = "marketplace"

    @extend_schema(
        tags=TAGS,
        summary="Reply as the publisher",
        request=ReplyIn,
        responses={200: ReviewSerializer, **errors(400, 403, 404)},
    )
    def post(self, request: Request, public_id: Any) -> Response:
        data = ReplyIn(data=request.data)
        data.is_valid(raise_exception=True)
        review = reviews.review_reply(
            review=_review_or_404(public_id), user=request.user, body=data.validated_data["body"]
        )
        return Response(ReviewSerializer(review).data)


class ReviewHelpfulView(APIView):
    scope_area = "marketplace"

    @extend_schema(
        tags=TAGS,
        summary="Mark a review helpful (once per user)",
        request=None,
        responses={200: ReviewSerializer, **errors(400, 404)},
    )
    def post(self, request: Request, public_id: Any) -> Response:
        review = _review_or_404(public_id)
        reviews.review_vote_helpful(review=review, user=request.user)
        review.refresh_from_db()
        return Response(ReviewSerializer(review).data)


class ReviewReportView(APIView):
    scope_area = "marketplace"

    @extend_schema(
        tags=TAGS,
        summary="Report a review to the moderators",
        request=ReportIn,
        responses={201: AbuseReportSerializer, **errors(400, 404, 409)},
    )
    def post(self, request: Request, public_id: Any) -> Response:
        data = ReportIn(data=request.data)
        data.is_valid(raise_exception=True)
        report = reviews.review_report(
            review=_review_or_404(public_id), user=request.user, **data.validated_data
        )
        return Response(AbuseReportSerializer(report).data, status=status.HTTP_201_CREATED)


# --- reviewers -------------------------------------------------------------------------------------------------


class ReviewQueueView(APIView):
    scope_area = "marketplace"

    @extend_schema(
        tags=STAFF_TAGS,
        summary="The review queue (oldest first) with SLA timers",
        parameters=[
            OpenApiParameter("state", str, required=False, enum=["submitted", "in_review"]),
            OpenApiParameter("mine", bool, required=False, description="Only versions assigned to you"),
        ],
        responses={200: VersionSerializer(many=True), **errors(403)},
    )
    def get(self, request: Request) -> Response:
        require_reviewer(request.user)
        mine = request.query_params.get("mine") in ("1", "true", "True")
        rows = review_queue(
            state=request.query_params.get("state", ""), mine_of=request.user if mine else None
        )
        return Response(VersionSerializer(rows, many=True).data)


class VersionAssignView(APIView):
    scope_area = "marketplace"

    @extend_schema(
        tags=STAFF_TAGS,
        summary="Assign a version in review",
        request=AssignIn,
        responses={200: VersionSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request: Request, public_id: Any) -> Response:
        data = AssignIn(data=request.data)
        data.is_valid(raise_exception=True)
        assignee = None
        if data.validated_data.get("reviewer"):
            assignee = get_user_model().objects.filter(email__iexact=data.validated_data["reviewer"]).first()
            if assignee is None:
                raise NotFound("No user with this email.", field="reviewer")
        return _version_action(
            request, public_id, versions.version_assign, reviewer=request.user, assignee=assignee
        )


class VersionChecklistView(APIView):
    scope_area = "marketplace"

    @extend_schema(
        tags=STAFF_TAGS,
        summary="Tick checklist items",
        request=ChecklistIn,
        responses={200: VersionSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request: Request, public_id: Any) -> Response:
        data = ChecklistIn(data=request.data)
        data.is_valid(raise_exception=True)
        return _version_action(
            request,
            public_id,
            versions.version_checklist_set,
            reviewer=request.user,
            answers=data.validated_data["answers"],
        )


class VersionDecisionView(APIView):
    scope_area = "marketplace"
    decision = "approve"
    ACTIONS = {
        "approve": versions.version_approve,
        "reject": versions.version_reject,
        "suspend": versions.version_suspend,
        "reinstate": versions.version_reinstate,
    }

    @extend_schema(
        tags=STAFF_TAGS, request=ReasonIn, responses={200: VersionSerializer, **errors(400, 403, 404, 409)}
    )
    def post(self, request: Request, public_id: Any) -> Response:
        data = ReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        version_or_404(public_id, request.user)
        return _version_action(
            request,
            public_id,
            self.ACTIONS[self.decision],
            reviewer=request.user,
            reason=data.validated_data["reason"],
        )


def decision_view(decision: str, summary: str) -> Any:
    view = type(
        f"Version{decision.title()}View",
        (VersionDecisionView,),
        {"decision": decision, "post": extend_schema(summary=summary)(VersionDecisionView.post)},
    )
    return view.as_view()


class AbuseReportListView(APIView):
    scope_area = "marketplace"

    @extend_schema(
        tags=STAFF_TAGS,
        summary="Open abuse reports (moderation queue)",
        responses={200: AbuseReportSerializer(many=True), **errors(403)},
    )
    def get(self, request: Request) -> Response:
        from marketplace.services.permissions import is_moderator

        if not is_moderator(request.user):
            from marketplace.exceptions import PermissionDenied

            raise PermissionDenied("Only moderators see the moderation queue.")
        rows = AbuseReport.objects.filter(status=AbuseReport.Status.OPEN).select_related(
            "review", "review__app", "review__author", "reporter"
        )
        return Response(AbuseReportSerializer(rows, many=True).data)


class AbuseReportResolveView(APIView):
    scope_area = "marketplace"

    @extend_schema(
        tags=STAFF_TAGS,
        summary="Uphold (hide the review) or dismiss a report",
        request=ResolveIn,
        responses={200: AbuseReportSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request: Request, public_id: Any) -> Response:
        report = AbuseReport.objects.select_related("review").filter(public_id=public_id).first()
        if report is None:
            raise Http404
        data = ResolveIn(data=request.data)
        data.is_valid(raise_exception=True)
        report = reviews.report_resolve(report=report, moderator=request.user, **data.validated_data)
        return Response(AbuseReportSerializer(report).data)


class CertificationQueueView(APIView):
    scope_area = "marketplace"

    @extend_schema(
        tags=STAFF_TAGS,
        summary="Pending certification applications",
        responses={200: CertificationRequestSerializer(many=True), **errors(403)},
    )
    def get(self, request: Request) -> Response:
        require_reviewer(request.user)
        rows = CertificationRequest.objects.filter(state=CertificationRequest.State.PENDING).select_related(
            "app"
        )
        return Response(CertificationRequestSerializer(rows, many=True).data)


class CertificationDecisionView(APIView):
    scope_area = "marketplace"
    grant = True

    @extend_schema(
        tags=STAFF_TAGS,
        request=NoteIn,
        responses={200: CertificationRequestSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request: Request, public_id: Any) -> Response:
        require_reviewer(request.user)
        found = CertificationRequest.objects.select_related("app").filter(public_id=public_id).first()
        if found is None:
            raise Http404
        data = NoteIn(data=request.data)
        data.is_valid(raise_exception=True)
        note = data.validated_data["note"]
        if self.grant:
            cert_services.certification_grant(request=found, reviewer=request.user, note=note)
        else:
            if not note.strip():
                raise ValidationError("Tell the publisher why.", field="note")
            cert_services.certification_reject(request=found, reviewer=request.user, note=note)
        found.refresh_from_db()
        return Response(CertificationRequestSerializer(found).data, status=status.HTTP_200_OK)


class CertificationGrantView(CertificationDecisionView):
    grant = True

    @extend_schema(
        tags=STAFF_TAGS,
        summary="Grant the badge (valid one year)",
        request=NoteIn,
        responses={200: CertificationRequestSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request: Request, public_id: Any) -> Response:
        return super().post(request, public_id)


class CertificationRejectView(CertificationDecisionView):
    grant = False

    @extend_schema(
        tags=STAFF_TAGS,
        summary="Reject the application with a note",
        request=NoteIn,
        responses={200: CertificationRequestSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request: Request, public_id: Any) -> Response:
        return super().post(request, public_id)

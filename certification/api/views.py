"""Learn API: catalog, enrolment (free and paid), progress, exam attempts, certificates, verification, metrics.

Thin: parse, call a service or selector, render. `scope_area = "certification"`: API tokens need
`certification:read` for GETs and `certification:write` for POSTs. Verification is public (no login).
"""

from django.db.models import prefetch_related_objects
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from certification import selectors, vc
from certification.api import serializers as s
from certification.item_types import ENROLMENT, enrolment_item_id
from certification.models import Attempt, Certificate, Cohort, Course, Enrolment, Exam, Item, Lesson, Track
from certification.services import certificates as cert_service
from certification.services import exams as exam_service
from certification.services import learning
from certification.views.common import can_teach
from novacron.core.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from novacron.core.exceptions import NotFound, PermissionDenied, ValidationError
from revenue import facade as revenue

TAGS = ["certification"]


def _errors(*codes: int) -> dict[int, OpenApiResponse]:
    text = {
        400: "Invalid input; `error.fields` names the fields.",
        401: "Not signed in.",
        403: "Not allowed (or the API token lacks the certification scope).",
        404: "Not found, or not yours.",
        409: "Conflicts with the current state (e.g. attempt closed, time limit passed).",
    }
    return {code: OpenApiResponse(s.ErrorSerializer, description=text[code]) for code in codes}


class Base(APIView):
    scope_area = "certification"


class TrackListView(Base, generics.ListAPIView):
    serializer_class = s.TrackSerializer
    queryset = Track.objects.prefetch_related("certifications__track").order_by("position")

    @extend_schema(tags=TAGS, summary="The specialisation tracks with their certifications")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class CourseListView(Base, generics.ListAPIView):
    serializer_class = s.CourseSerializer

    def get_queryset(self):
        queryset = selectors.published_courses().prefetch_related("prerequisites")
        track, level = self.request.query_params.get("track"), self.request.query_params.get("level")
        if track:
            queryset = queryset.filter(track__slug=track)
        if level:
            queryset = queryset.filter(level=level)
        return queryset

    @extend_schema(
        tags=TAGS,
        summary="Published courses",
        parameters=[OpenApiParameter("track", str, description="Track slug"), OpenApiParameter("level", str)],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


def _course(slug: str) -> Course:
    course = (
        Course.objects.filter(slug=slug, is_published=True).select_related("track", "certification").first()
    )
    if course is None:
        raise NotFound("No such course.")
    return course


class CourseDetailView(Base):
    @extend_schema(
        tags=TAGS,
        summary="A course with its outline",
        responses={200: s.CourseDetailSerializer, **_errors(404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        course = _course(slug)
        # The outline serializer walks modules → lessons → translations: load them in three queries.
        prefetch_related_objects([course], "modules__lessons__translations")
        return Response(s.CourseDetailSerializer(course).data)


def _my_enrolment(user, *, slug: str | None = None, public_id=None) -> Enrolment:
    queryset = (
        Enrolment.objects.filter(user=user)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .select_related("course", "cohort")
    )
    enrolment = (
        queryset.filter(course__slug=slug).first() if slug else queryset.filter(public_id=public_id).first()
    )
    if enrolment is None:
        raise NotFound("You are not enrolled in this course.")
    return enrolment


class LessonContentView(Base):
    @extend_schema(
        tags=TAGS,
        summary="A lesson's content in the chosen language (falls back to the course's default language)",
        parameters=[OpenApiParameter("lang", str, description="Language code; default: the enrolment's")],
        responses={200: s.LessonContentSerializer, **_errors(403, 404)},
    )
    def get(self, request: Request, slug: str, lesson_id) -> Response:
        course = _course(slug)
        lesson = get_object_or_404(
            Lesson.objects.select_related("module__course"), public_id=lesson_id, module__course=course
        )
        enrolment = (
            Enrolment.objects.filter(user=request.user, course=course)
            .exclude(status=Enrolment.Status.WITHDRAWN)
            .first()
        )
        if enrolment is None and not can_teach(request.user):
            raise PermissionDenied("Enrol in the course to read its lessons.")
        language = request.query_params.get("lang") or (enrolment.language if enrolment else "")
        content = selectors.lesson_content(lesson, language)
        if enrolment is not None:
            learning.lesson_open(enrolment=enrolment, lesson=lesson)
        return Response(
            s.LessonContentSerializer(
                {
                    "id": lesson.public_id,
                    "title": content.title,
                    "body_html": content.body_html,
                    "language": content.language,
                    "requested_language": content.requested,
                    "fallback": content.fallback,
                    "video_url": lesson.video_url,
                    "resources": [
                        {"title": r.title, "href": request.build_absolute_uri(r.href)}
                        for r in lesson.resources.select_related("lesson__module__course")
                    ],
                }
            ).data
        )


def _cohort(course: Course, cohort_id) -> Cohort | None:
    if not cohort_id:
        return None
    cohort = Cohort.objects.filter(public_id=cohort_id, course=course).first()
    if cohort is None:
        raise ValidationError("No such cohort for this course.", field="cohort")
    return cohort


class EnrolView(Base):
    @extend_schema(
        tags=TAGS,
        summary="Enrol in a free course (idempotent)",
        request=s.EnrolInputSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: s.EnrolmentSerializer, **_errors(400, 404, 409)},
    )
    @idempotent
    def post(self, request: Request, slug: str) -> Response:
        course = _course(slug)
        data = s.EnrolInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        enrolment = learning.enrolment_create(
            user_id=request.user.pk,
            course=course,
            cohort=_cohort(course, data.validated_data.get("cohort")),
            language=data.validated_data.get("language", ""),
            actor=request.user,
        )
        return Response(s.EnrolmentSerializer(enrolment).data, status=status.HTTP_201_CREATED)


class PurchaseView(Base):
    @extend_schema(
        tags=TAGS,
        summary="Buy a paid course through checkout; enrols on payment",
        description="Runs revenue's checkout for the item type `certification.enrolment`. A paid order enrols "
        "the buyer (on commit); a declined card gives state `failed` and no enrolment.",
        request=s.PurchaseInputSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: s.PurchaseResultSerializer, **_errors(400, 404)},
    )
    @idempotent
    def post(self, request: Request, slug: str) -> Response:
        course = _course(slug)
        data = s.PurchaseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cohort = _cohort(course, data.validated_data.get("cohort"))
        order = revenue.checkout(
            buyer_id=request.user.pk,
            items=[(ENROLMENT, enrolment_item_id(course, cohort), 1)],
            currency=course.price_currency,
            payment_method=data.validated_data["payment_method"],
            gateway=data.validated_data.get("gateway"),
            billing_country=request.user.country or "",
        )
        enrolment = Enrolment.objects.filter(
            user=request.user, course=course, order_id=str(order.public_id)
        ).first()
        body = {
            "order_id": order.public_id,
            "state": order.state,
            "total": order.total,
            "currency": order.currency,
            "failure_message": order.failure_message,
            "enrolment": enrolment,
        }
        return Response(s.PurchaseResultSerializer(body).data, status=status.HTTP_201_CREATED)


class EnrolmentListView(Base, generics.ListAPIView):
    serializer_class = s.EnrolmentSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Enrolment.objects.none()
        return Enrolment.objects.filter(user=self.request.user).select_related(
            "course", "cohort", "last_lesson"
        )

    @extend_schema(tags=TAGS, summary="My enrolments with progress")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class EnrolmentDetailView(Base):
    @extend_schema(
        tags=TAGS,
        summary="One of my enrolments with progress",
        responses={200: s.EnrolmentSerializer, **_errors(404)},
    )
    def get(self, request: Request, public_id) -> Response:
        return Response(s.EnrolmentSerializer(_my_enrolment(request.user, public_id=public_id)).data)


class LessonCompleteView(Base):
    @extend_schema(
        tags=TAGS,
        summary="Mark a lesson complete (idempotent)",
        request=None,
        responses={200: s.EnrolmentSerializer, **_errors(400, 403, 404)},
    )
    def post(self, request: Request, public_id, lesson_id) -> Response:
        enrolment = _my_enrolment(request.user, public_id=public_id)
        lesson = Lesson.objects.filter(public_id=lesson_id, module__course=enrolment.course).first()
        if lesson is None:
            raise NotFound("No such lesson in this course.")
        learning.lesson_complete(enrolment=enrolment, lesson=lesson)
        enrolment.refresh_from_db()
        return Response(s.EnrolmentSerializer(enrolment).data)


def _exam(public_id) -> Exam:
    exam = Exam.objects.filter(public_id=public_id).select_related("certification").first()
    if exam is None:
        raise NotFound("No such exam.")
    return exam


class ExamDetailView(Base):
    @extend_schema(
        tags=TAGS,
        summary="An exam's rules and whether I may start it",
        responses={200: s.ExamSerializer, **_errors(404)},
    )
    def get(self, request: Request, public_id) -> Response:
        return Response(s.ExamSerializer(_exam(public_id), context={"request": request}).data)


class AttemptStartView(Base):
    @extend_schema(
        tags=TAGS,
        summary="Start (or resume) an attempt: items drawn by the blueprint, options shuffled",
        request=None,
        responses={201: s.AttemptSerializer, **_errors(400, 403, 404)},
    )
    def post(self, request: Request, public_id) -> Response:
        attempt = exam_service.attempt_start(user=request.user, exam=_exam(public_id))
        return Response(s.AttemptSerializer(attempt).data, status=status.HTTP_201_CREATED)


def _my_attempt(user, public_id) -> Attempt:
    attempt = Attempt.objects.filter(public_id=public_id, user=user).select_related("exam").first()
    if attempt is None:
        raise NotFound("No such attempt.")
    return attempt


class AttemptDetailView(Base):
    @extend_schema(
        tags=TAGS,
        summary="An attempt (auto-submitted if its time is up)",
        responses={200: s.AttemptSerializer, **_errors(404)},
    )
    def get(self, request: Request, public_id) -> Response:
        attempt = _my_attempt(request.user, public_id)
        if attempt.is_open and exam_service.attempt_overdue(attempt):
            attempt = exam_service.attempt_finalize(attempt=attempt)
        return Response(s.AttemptSerializer(attempt).data)


class AttemptAnswersView(Base):
    @extend_schema(
        tags=TAGS,
        summary="Save answers (refused after the time limit)",
        request=s.AnswersInputSerializer,
        responses={200: s.AttemptSerializer, **_errors(400, 404, 409)},
    )
    def post(self, request: Request, public_id) -> Response:
        attempt = _my_attempt(request.user, public_id)
        data = s.AnswersInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attempt = exam_service.attempt_answer(attempt=attempt, answers=data.validated_data["answers"])
        return Response(s.AttemptSerializer(attempt).data)


class AttemptSubmitView(Base):
    @extend_schema(
        tags=TAGS,
        summary="Submit and score; the result includes the per-skill breakdown",
        request=s.SubmitInputSerializer,
        responses={200: s.AttemptSerializer, **_errors(400, 404, 409)},
    )
    def post(self, request: Request, public_id) -> Response:
        attempt = _my_attempt(request.user, public_id)
        data = s.SubmitInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attempt = exam_service.attempt_submit(attempt=attempt, answers=data.validated_data.get("answers"))
        return Response(s.AttemptSerializer(attempt).data)


class CertificateListView(Base, generics.ListAPIView):
    serializer_class = s.CertificateSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Certificate.objects.none()
        return Certificate.objects.filter(user=self.request.user).select_related("certification__track")

    @extend_schema(tags=TAGS, summary="My certificates, with the signed credential")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class CertificateDetailView(Base):
    @extend_schema(
        tags=TAGS,
        summary="One of my certificates (staff: any)",
        responses={200: s.CertificateSerializer, **_errors(404)},
    )
    def get(self, request: Request, public_id) -> Response:
        queryset = Certificate.objects.select_related("certification__track")
        if not request.user.is_staff:
            queryset = queryset.filter(user=request.user)
        certificate = queryset.filter(public_id=public_id).first()
        if certificate is None:
            raise NotFound("No such certificate.")
        return Response(s.CertificateSerializer(certificate).data)


class CertificateRevokeView(Base):
    @extend_schema(
        tags=TAGS,
        summary="Revoke a certificate (staff)",
        request=s.RevokeInputSerializer,
        responses={200: s.CertificateSerializer, **_errors(400, 403, 404, 409)},
    )
    def post(self, request: Request, public_id) -> Response:
        if not request.user.is_staff:
            raise PermissionDenied("Only staff may revoke certificates.")
        certificate = Certificate.objects.filter(public_id=public_id).first()
        if certificate is None:
            raise NotFound("No such certificate.")
        data = s.RevokeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        certificate = cert_service.certificate_revoke(
            certificate=certificate, reason=data.validated_data["reason"], actor=request.user
        )
        return Response(s.CertificateSerializer(certificate).data)


class VerifyView(Base):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        tags=TAGS,
        auth=[],
        summary="Verify a credential (public): every check reported separately",
        request=s.VerifyInputSerializer,
        responses={200: s.VerificationSerializer, **_errors(400, 404)},
    )
    def post(self, request: Request) -> Response:
        data = s.VerifyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data.get("certificate_id"):
            certificate = Certificate.objects.filter(public_id=data.validated_data["certificate_id"]).first()
            if certificate is None:
                raise NotFound("No such certificate.")
            token = certificate.jwt
        else:
            try:
                token = vc.unwrap(data.validated_data["credential"])
            except ValueError as exc:
                raise ValidationError(str(exc), field="credential") from exc
        return Response(cert_service.verify_token(token).as_dict())


class MetricsView(Base):
    @extend_schema(
        tags=TAGS,
        summary="Platform learning metrics (staff)",
        responses={200: s.MetricsSerializer, **_errors(403)},
    )
    def get(self, request: Request) -> Response:
        if not (request.user.is_staff or request.user.has_perm("accounts.view_metrics")):
            raise PermissionDenied("Staff only.")
        return Response(s.MetricsSerializer(selectors.platform_metrics()).data)


class ItemStatsView(Base, generics.ListAPIView):
    serializer_class = s.ItemStatsSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Item.objects.none()
        if not can_teach(self.request.user):
            raise PermissionDenied("Instructors only.")
        queryset = Item.objects.select_related("track")
        track = self.request.query_params.get("track")
        return queryset.filter(track__slug=track) if track else queryset

    @extend_schema(
        tags=TAGS, summary="Item statistics (instructors)", parameters=[OpenApiParameter("track", str)]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

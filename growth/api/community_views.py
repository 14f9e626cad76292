"""Chapters, events, RSVPs and funding requests."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from growth.api.common import ERROR, TAGS, paginated
from growth.api.serializers import (
    GrowthAttendanceInput,
    GrowthAttendanceOutput,
    GrowthCalendarOutput,
    GrowthChapterInput,
    GrowthChapterOutput,
    GrowthEventInput,
    GrowthEventOutput,
    GrowthEventPatchInput,
    GrowthFundingDecisionInput,
    GrowthFundingInput,
    GrowthFundingOutput,
    GrowthResourceOutput,
    GrowthRSVPOutput,
    GrowthStepInput,
    GrowthStepOutput,
)
from growth.exceptions import NotFound
from growth.models import RSVP, CalendarToken, Chapter, Event, FundingRequest, Resource
from growth.onboarding import STEPS
from growth.permissions import can_manage_chapter, can_manage_event, is_community_staff
from growth.selectors.events import chapters, upcoming_events
from growth.services.chapters import chapter_create, chapter_join, chapter_leave, onboarding_set
from growth.services.events import event_cancel, event_create, event_update
from growth.services.funding import funding_approve, funding_reject, funding_request
from growth.services.rsvps import rsvp_cancel, rsvp_check_in, rsvp_create
from novacron.core.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent


class ChapterListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAGS,
        operation_id="growth_chapters_list",
        summary="Chapter directory",
        parameters=[
            OpenApiParameter("q", str, description="Search name, city, description"),
            OpenApiParameter("country", str, description="ISO 3166-1 alpha-2"),
            OpenApiParameter("region", str),
        ],
        responses={200: GrowthChapterOutput(many=True)},
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        qs = chapters(
            q=params.get("q", ""), country=params.get("country", ""), region=params.get("region", "")
        )
        return paginated(request, self, qs, GrowthChapterOutput)

    @extend_schema(
        tags=TAGS,
        operation_id="growth_chapters_create",
        summary="Create a chapter (community staff)",
        request=GrowthChapterInput,
        responses={201: GrowthChapterOutput, 400: ERROR, 403: ERROR},
    )
    def post(self, request: Request) -> Response:
        data = GrowthChapterInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        organiser = None
        if values.pop("organiser"):
            organiser = get_user_model().objects.filter(public_id=data.validated_data["organiser"]).first()
            if organiser is None:
                raise NotFound("No such user.", field="organiser")
        chapter = chapter_create(actor=request.user, organiser=organiser, **values)
        return Response(GrowthChapterOutput(chapter).data, status=status.HTTP_201_CREATED)

    def get_permissions(self):  # reads are public, writes need a signed-in user with the write scope
        if self.request.method == "GET":
            return [AllowAny()]
        return [permission() for permission in APIView.permission_classes]


class ChapterDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAGS,
        operation_id="growth_chapters_retrieve",
        summary="A chapter",
        responses={200: GrowthChapterOutput, 404: ERROR},
    )
    def get(self, request: Request, slug: str) -> Response:
        return Response(GrowthChapterOutput(get_object_or_404(chapters(), slug=slug)).data)


class ChapterMembershipView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="growth_chapters_join",
        summary="Join the chapter",
        request=None,
        responses={204: None, 400: ERROR, 404: ERROR},
    )
    def post(self, request: Request, slug: str) -> Response:
        chapter_join(chapter=get_object_or_404(Chapter, slug=slug), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        tags=TAGS,
        operation_id="growth_chapters_leave",
        summary="Leave the chapter",
        responses={204: None, 404: ERROR},
    )
    def delete(self, request: Request, slug: str) -> Response:
        chapter_leave(chapter=get_object_or_404(Chapter, slug=slug), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class EventListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAGS,
        operation_id="growth_events_list",
        summary="Upcoming published events",
        parameters=[OpenApiParameter("chapter", str, description="Chapter slug")],
        responses={200: GrowthEventOutput(many=True)},
    )
    def get(self, request: Request) -> Response:
        qs = upcoming_events()
        if request.query_params.get("chapter"):
            qs = qs.filter(chapter__slug=request.query_params["chapter"])
        return paginated(request, self, qs, GrowthEventOutput)

    @extend_schema(
        tags=TAGS,
        operation_id="growth_events_create",
        summary="Create an event",
        description="Chapter organisers for their chapter; community staff for platform events.",
        request=GrowthEventInput,
        responses={201: GrowthEventOutput, 400: ERROR, 403: ERROR},
    )
    def post(self, request: Request) -> Response:
        if not request.user.is_authenticated:
            from rest_framework.exceptions import NotAuthenticated

            raise NotAuthenticated
        data = GrowthEventInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        slug = values.pop("chapter", None)
        chapter = None
        if slug:
            chapter = Chapter.objects.filter(slug=slug).first()
            if chapter is None:
                raise NotFound("No such chapter.", field="chapter")
        event = event_create(actor=request.user, chapter=chapter, **values)
        return Response(
            GrowthEventOutput(event, context={"request": request}).data, status=status.HTTP_201_CREATED
        )

    def get_permissions(self):  # reads are public, writes need a signed-in user with the write scope
        if self.request.method == "GET":
            return [AllowAny()]
        return [permission() for permission in APIView.permission_classes]


class EventDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAGS,
        operation_id="growth_events_retrieve",
        summary="An event",
        description="`venue_address` and `stream_url` are null unless the caller is a confirmed attendee.",
        responses={200: GrowthEventOutput, 404: ERROR},
    )
    def get(self, request: Request, slug: str) -> Response:
        event = get_object_or_404(Event.objects.exclude(state=Event.State.DRAFT), slug=slug)
        return Response(GrowthEventOutput(event, context={"request": request}).data)

    @extend_schema(
        tags=TAGS,
        operation_id="growth_events_update",
        summary="Change an event (organisers)",
        description="Raising the capacity promotes people from the waitlist.",
        request=GrowthEventPatchInput,
        responses={200: GrowthEventOutput, 400: ERROR, 404: ERROR},
    )
    def patch(self, request: Request, slug: str) -> Response:
        event = get_object_or_404(Event, slug=slug)
        if not can_manage_event(request.user, event):
            raise NotFound("No such event.")
        data = GrowthEventPatchInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        event = event_update(event=event, actor=request.user, **data.validated_data)
        return Response(GrowthEventOutput(event, context={"request": request}).data)

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [p() for p in APIView.permission_classes]


class EventCancelView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="growth_events_cancel",
        summary="Cancel an event (organisers)",
        request=None,
        responses={200: GrowthEventOutput, 403: ERROR, 404: ERROR},
    )
    def post(self, request: Request, slug: str) -> Response:
        event = get_object_or_404(Event, slug=slug)
        if not can_manage_event(request.user, event):
            raise NotFound("No such event.")
        event = event_cancel(event=event, actor=request.user)
        return Response(GrowthEventOutput(event, context={"request": request}).data)


class RSVPView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="growth_rsvp_retrieve",
        summary="My RSVP",
        responses={200: GrowthRSVPOutput, 404: ERROR},
    )
    def get(self, request: Request, slug: str) -> Response:
        return Response(GrowthRSVPOutput(get_object_or_404(RSVP, event__slug=slug, user=request.user)).data)

    @extend_schema(
        tags=TAGS,
        operation_id="growth_rsvp_create",
        summary="RSVP (or join the waitlist when full)",
        description="`state` is going, or waitlisted when the event is full; a waitlisted RSVP is "
        "promoted automatically (and emailed) when a seat frees.",
        request=None,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: GrowthRSVPOutput, 400: ERROR, 404: ERROR},
    )
    @idempotent
    def post(self, request: Request, slug: str) -> Response:
        event = get_object_or_404(Event.objects.exclude(state=Event.State.DRAFT), slug=slug)
        rsvp = rsvp_create(event=event, user=request.user)
        return Response(GrowthRSVPOutput(rsvp).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=TAGS,
        operation_id="growth_rsvp_cancel",
        summary="Cancel my RSVP (frees the seat)",
        responses={200: GrowthRSVPOutput, 400: ERROR, 404: ERROR},
    )
    def delete(self, request: Request, slug: str) -> Response:
        rsvp = get_object_or_404(RSVP, event__slug=slug, user=request.user)
        return Response(GrowthRSVPOutput(rsvp_cancel(rsvp=rsvp, actor=request.user)).data)


class FundingListView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="growth_funding_list",
        summary="Funding requests",
        description="Community staff see every request; organisers their own.",
        responses={200: GrowthFundingOutput(many=True)},
    )
    def get(self, request: Request) -> Response:
        qs = FundingRequest.objects.select_related("chapter")
        if not is_community_staff(request.user):
            qs = qs.filter(requested_by=request.user)
        return paginated(request, self, qs, GrowthFundingOutput)

    @extend_schema(
        tags=TAGS,
        operation_id="growth_funding_create",
        summary="Request event funding",
        request=GrowthFundingInput,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: GrowthFundingOutput, 400: ERROR, 403: ERROR},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = GrowthFundingInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        chapter = Chapter.objects.filter(slug=values["chapter"]).first()
        if chapter is None:
            raise NotFound("No such chapter.", field="chapter")
        event = Event.objects.filter(slug=values["event"]).first() if values["event"] else None
        created = funding_request(
            chapter=chapter,
            actor=request.user,
            title=values["title"],
            purpose=values["purpose"],
            currency=values["currency"],
            budget=[dict(line) for line in values["budget"]],
            event=event,
        )
        return Response(GrowthFundingOutput(created).data, status=status.HTTP_201_CREATED)


class FundingDecisionView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="growth_funding_decide",
        summary="Approve (and pay) or reject",
        description="Community staff. `approve` pays the amount through revenue as a grant to the "
        "organiser's seller balance (idempotent: retrying never pays twice).",
        request=GrowthFundingDecisionInput,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={200: GrowthFundingOutput, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    @idempotent
    def post(self, request: Request, public_id: str, decision: str) -> Response:
        funding = get_object_or_404(FundingRequest, public_id=public_id)
        data = GrowthFundingDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        service = funding_approve if decision == "approve" else funding_reject
        return Response(
            GrowthFundingOutput(
                service(request=funding, actor=request.user, note=data.validated_data["note"])
            ).data
        )


class OnboardingView(APIView):
    def _chapter(self, request: Request, slug: str) -> Chapter:
        chapter = get_object_or_404(Chapter, slug=slug)
        if not can_manage_chapter(request.user, chapter.pk):
            raise NotFound("No such chapter among yours.")
        return chapter

    @extend_schema(
        tags=TAGS,
        operation_id="growth_onboarding_list",
        summary="Organiser onboarding checklist",
        responses={200: GrowthStepOutput(many=True), 404: ERROR},
    )
    def get(self, request: Request, slug: str) -> Response:
        chapter = self._chapter(request, slug)
        done = set(chapter.onboarding.values_list("step", flat=True))
        steps = [{"key": s.key, "title": s.title, "help": s.help, "done": s.key in done} for s in STEPS]
        return Response(GrowthStepOutput(steps, many=True).data)

    @extend_schema(
        tags=TAGS,
        operation_id="growth_onboarding_set",
        summary="Tick or untick a step",
        request=GrowthStepInput,
        responses={200: GrowthStepOutput(many=True), 400: ERROR, 404: ERROR},
    )
    def post(self, request: Request, slug: str) -> Response:
        chapter = self._chapter(request, slug)
        data = GrowthStepInput(data=request.data)
        data.is_valid(raise_exception=True)
        onboarding_set(
            chapter=chapter,
            actor=request.user,
            step=data.validated_data["step"],
            done=data.validated_data["done"],
        )
        return self.get(request, slug)


class ResourceListView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="growth_resources_list",
        summary="Organiser resource library",
        responses={200: GrowthResourceOutput(many=True)},
    )
    def get(self, request: Request) -> Response:
        return Response(GrowthResourceOutput(Resource.objects.filter(is_published=True), many=True).data)


class AttendanceView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="growth_attendance_check_in",
        summary="Check in an attendee of a free event (organisers)",
        request=GrowthAttendanceInput,
        responses={200: GrowthAttendanceOutput, 400: ERROR, 404: ERROR},
    )
    def post(self, request: Request, slug: str) -> Response:
        event = get_object_or_404(Event, slug=slug)
        if not can_manage_event(request.user, event):
            raise NotFound("No such event.")
        data = GrowthAttendanceInput(data=request.data)
        data.is_valid(raise_exception=True)
        rsvp = RSVP.objects.filter(event=event, user__public_id=data.validated_data["user"]).first()
        if rsvp is None:
            raise NotFound("This person has no RSVP for this event.", field="user")
        rsvp, duplicate = rsvp_check_in(rsvp=rsvp, actor=request.user)
        return Response({"status": "duplicate" if duplicate else "ok", "checked_in_at": rsvp.checked_in_at})


class CalendarView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="growth_calendar_retrieve",
        summary="My personal calendar feed address",
        responses={200: GrowthCalendarOutput},
    )
    def get(self, request: Request) -> Response:
        token, _ = CalendarToken.objects.get_or_create(user=request.user)
        return Response({"feed_url": request.build_absolute_uri(f"/community/calendar/{token.token}.ics")})

    @extend_schema(
        tags=TAGS,
        operation_id="growth_calendar_rotate",
        summary="New feed address (revokes the old)",
        request=None,
        responses={200: GrowthCalendarOutput},
    )
    def post(self, request: Request) -> Response:
        token, _ = CalendarToken.objects.get_or_create(user=request.user)
        token.token = secrets.token_urlsafe(32)
        token.save(update_fields=["token", "created_at"])
        return self.get(request)

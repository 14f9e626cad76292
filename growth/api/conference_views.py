"""Conferences: CfP submissions, anonymised review, decisions, schedule editing and releases, public schedule,
session Q&A, sponsors and lead capture."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from growth.api.common import ERROR, TAGS, paginated
from growth.api.serializers import (
    GrowthAnonymisedSubmissionOutput,
    GrowthConferenceOutput,
    GrowthConflictOutput,
    GrowthDecisionInput,
    GrowthLeadInput,
    GrowthLeadOutput,
    GrowthModerateInput,
    GrowthQuestionInput,
    GrowthQuestionOutput,
    GrowthReleaseInput,
    GrowthReleaseOutput,
    GrowthReviewInput,
    GrowthReviewOutput,
    GrowthScheduleOutput,
    GrowthSessionInput,
    GrowthSessionPatchInput,
    GrowthSessionSavedOutput,
    GrowthSponsorOutput,
    GrowthSubmissionInput,
    GrowthSubmissionOutput,
)
from growth.exceptions import NotFound, PermissionDenied, ValidationError
from growth.models import Conference, Question, Review, Room, Session, Sponsor, Submission, SubmissionType
from growth.permissions import can_manage_conference
from growth.selectors.conferences import PAST, UPCOMING, listed_conferences
from growth.selectors.review import anonymised_submission, anonymised_submissions, reviewable_submissions
from growth.selectors.schedule import release, schedule_json
from growth.services.cfp import submission_create
from growth.services.reviews import can_review, review_submit, submission_decide
from growth.services.schedule import conflicts, schedule_release, session_save, session_star
from growth.services.sponsors import can_see_leads, lead_capture, leads_csv
from growth.services.venue import can_attend, question_ask, question_moderate, question_upvote
from novacron.core.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent


def _conference(slug: str) -> Conference:
    return get_object_or_404(Conference.objects.select_related("event"), slug=slug)


class ConferenceListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAGS,
        operation_id="growth_conferences_list",
        summary="Conferences, upcoming and past",
        description="The list behind /community/conferences/: published (and cancelled) conferences with their "
        "dates, timezone, format, location and portal page. Drafts are not listed.",
        parameters=[
            OpenApiParameter(
                "when",
                str,
                enum=[UPCOMING, PAST],
                description="upcoming: not yet ended, soonest first; past: ended, latest first; "
                "omitted: all, in date order.",
            )
        ],
        responses={200: GrowthConferenceOutput(many=True), 400: ERROR},
    )
    def get(self, request: Request) -> Response:
        when = request.query_params.get("when", "")
        if when not in ("", UPCOMING, PAST):
            raise ValidationError("Use upcoming or past.", field="when")
        return paginated(
            request,
            self,
            listed_conferences(when=when).prefetch_related("tracks"),
            GrowthConferenceOutput,
        )


class ScheduleView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAGS,
        operation_id="growth_schedule_retrieve",
        summary="Released schedule (JSON export)",
        parameters=[OpenApiParameter("version", int, description="Default: the latest release")],
        responses={200: GrowthScheduleOutput, 404: ERROR},
    )
    def get(self, request: Request, slug: str) -> Response:
        conference = _conference(slug)
        version = request.query_params.get("version", "")
        found = release(conference, int(version) if version.isdigit() else None)
        if found is None:
            raise NotFound("No schedule released yet.")
        return Response(schedule_json(conference, found))


class ReleaseListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAGS,
        operation_id="growth_schedule_changelog",
        summary="Schedule versions and changelog",
        responses={200: GrowthReleaseOutput(many=True)},
    )
    def get(self, request: Request, slug: str) -> Response:
        return Response(GrowthReleaseOutput(_conference(slug).releases.all(), many=True).data)

    @extend_schema(
        tags=TAGS,
        operation_id="growth_schedule_release",
        summary="Release the next version",
        request=GrowthReleaseInput,
        responses={201: GrowthReleaseOutput, 400: ERROR, 403: ERROR},
    )
    def post(self, request: Request, slug: str) -> Response:
        data = GrowthReleaseInput(data=request.data)
        data.is_valid(raise_exception=True)
        found = schedule_release(
            conference=_conference(slug), actor=request.user, note=data.validated_data["note"]
        )
        return Response(GrowthReleaseOutput(found).data, status=status.HTTP_201_CREATED)

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [p() for p in APIView.permission_classes]


class SubmissionListView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="growth_submissions_list",
        summary="My submissions to this conference",
        responses={200: GrowthSubmissionOutput(many=True)},
    )
    def get(self, request: Request, slug: str) -> Response:
        qs = Submission.objects.filter(conference=_conference(slug), speakers__user=request.user)
        return Response(
            GrowthSubmissionOutput(
                qs.select_related("conference", "track", "submission_type"), many=True
            ).data
        )

    @extend_schema(
        tags=TAGS,
        operation_id="growth_submissions_create",
        summary="Submit to the call for papers",
        description="Needs a speaker profile. Co-speakers are existing members, by email.",
        request=GrowthSubmissionInput,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: GrowthSubmissionOutput, 400: ERROR},
    )
    @idempotent
    def post(self, request: Request, slug: str) -> Response:
        conference = _conference(slug)
        data = GrowthSubmissionInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        track = conference.tracks.filter(name=values["track"]).first()
        if track is None:
            raise NotFound("No such track.", field="track")
        sub_type = SubmissionType.objects.filter(conference=conference, kind=values["type"]).first()
        if sub_type is None:
            raise NotFound("This conference does not take this type.", field="type")
        try:
            answers = {int(k): v for k, v in values["answers"].items()}
        except ValueError as exc:
            raise NotFound("Answers are keyed by question id.", field="answers") from exc
        submission = submission_create(
            conference=conference,
            submitter=request.user,
            track=track,
            submission_type=sub_type,
            title=values["title"],
            abstract=values["abstract"],
            description=values["description"],
            notes=values["notes"],
            answers=answers,
            co_speaker_emails=values["co_speakers"],
        )
        return Response(GrowthSubmissionOutput(submission).data, status=status.HTTP_201_CREATED)


def _with_review(data: dict, own: Review | None) -> dict:
    """The anonymised submission with the reviewer's own review (`own`) of it."""
    data["my_review"] = (
        {"scores": own.scores, "score": str(own.score), "comment": own.comment} if own else None
    )
    return data


class ReviewQueueView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="growth_review_queue",
        summary="Submissions I review (anonymised)",
        responses={200: GrowthAnonymisedSubmissionOutput(many=True)},
    )
    def get(self, request: Request) -> Response:
        subs = [s for _, s in reviewable_submissions(request.user)]
        own = {r.submission_id: r for r in Review.objects.filter(reviewer=request.user, submission__in=subs)}
        items = [
            _with_review(data, own.get(s.pk))
            for s, data in zip(subs, anonymised_submissions(subs), strict=True)
        ]
        return Response(GrowthAnonymisedSubmissionOutput(items, many=True).data)


class ReviewDetailView(APIView):
    def _submission(self, request: Request, reference: str) -> Submission:
        submission = get_object_or_404(
            Submission.objects.select_related("conference", "track", "submission_type"), public_id=reference
        )
        if not can_review(request.user, submission):
            raise NotFound("No such submission in your review tracks.")
        return submission

    @extend_schema(
        tags=TAGS,
        operation_id="growth_review_retrieve",
        summary="A submission to review (anonymised)",
        responses={200: GrowthAnonymisedSubmissionOutput, 404: ERROR},
    )
    def get(self, request: Request, reference: str) -> Response:
        submission = self._submission(request, reference)
        own = Review.objects.filter(submission=submission, reviewer=request.user).first()
        return Response(
            GrowthAnonymisedSubmissionOutput(_with_review(anonymised_submission(submission), own)).data
        )

    @extend_schema(
        tags=TAGS,
        operation_id="growth_review_submit",
        summary="Score a submission",
        request=GrowthReviewInput,
        responses={200: GrowthReviewOutput, 400: ERROR, 404: ERROR},
    )
    def post(self, request: Request, reference: str) -> Response:
        submission = self._submission(request, reference)
        data = GrowthReviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        review = review_submit(
            submission=submission,
            reviewer=request.user,
            scores=data.validated_data["scores"],
            comment=data.validated_data["comment"],
        )
        return Response(GrowthReviewOutput(review).data)


class DecisionView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="growth_submissions_decide",
        summary="Accept, reject or waitlist",
        request=GrowthDecisionInput,
        responses={200: GrowthSubmissionOutput, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    def post(self, request: Request, public_id: str) -> Response:
        submission = get_object_or_404(Submission, public_id=public_id)
        data = GrowthDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        submission = submission_decide(
            submission=submission, actor=request.user, state=data.validated_data["state"]
        )
        return Response(GrowthSubmissionOutput(submission).data)


class SessionListView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="growth_sessions_create",
        summary="Place a session (schedule editor)",
        description="Saved even with conflicts; the room and speaker conflicts it has are returned.",
        request=GrowthSessionInput,
        responses={201: GrowthSessionSavedOutput, 400: ERROR, 403: ERROR},
    )
    def post(self, request: Request, slug: str) -> Response:
        conference = _conference(slug)
        if not can_manage_conference(request.user, conference):
            raise PermissionDenied("Only the conference's organisers edit the schedule.")
        data = GrowthSessionInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        room = Room.objects.filter(conference=conference, public_id=values["room"]).first()
        if room is None:
            raise NotFound("No such room.", field="room")
        submission = None
        if values["submission"]:
            submission = Submission.objects.filter(
                conference=conference, public_id=values["submission"]
            ).first()
            if submission is None:
                raise NotFound("No such submission.", field="submission")
        session, found = session_save(
            conference=conference,
            actor=request.user,
            room=room,
            starts_at=values["starts_at"],
            ends_at=values["ends_at"],
            submission=submission,
            title=values["title"],
        )
        return Response(
            GrowthSessionSavedOutput({"session": session, "conflicts": found}).data,
            status=status.HTTP_201_CREATED,
        )


class ConflictListView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="growth_schedule_conflicts",
        summary="Room and speaker conflicts",
        responses={200: GrowthConflictOutput(many=True), 403: ERROR},
    )
    def get(self, request: Request, slug: str) -> Response:
        conference = _conference(slug)
        if not can_manage_conference(request.user, conference):
            raise PermissionDenied("Only the conference's organisers see the editor.")
        return Response(GrowthConflictOutput(conflicts(conference), many=True).data)


class QuestionListView(APIView):
    def _session(self, public_id: str) -> Session:
        return get_object_or_404(Session.objects.select_related("conference__event"), public_id=public_id)

    @extend_schema(
        tags=TAGS,
        operation_id="growth_questions_list",
        summary="Session Q&A (most upvoted first)",
        responses={200: GrowthQuestionOutput(many=True)},
    )
    def get(self, request: Request, public_id: str) -> Response:
        session = self._session(public_id)
        qs = session.questions.all()
        if not can_manage_conference(request.user, session.conference):
            if not can_attend(request.user, session.conference.event_id):
                raise PermissionDenied("Only attendees see the Q&A.")
            qs = qs.exclude(state=Question.State.HIDDEN)
        return Response(GrowthQuestionOutput(qs, many=True).data)

    @extend_schema(
        tags=TAGS,
        operation_id="growth_questions_create",
        summary="Ask a question",
        request=GrowthQuestionInput,
        responses={201: GrowthQuestionOutput, 400: ERROR, 403: ERROR},
    )
    def post(self, request: Request, public_id: str) -> Response:
        data = GrowthQuestionInput(data=request.data)
        data.is_valid(raise_exception=True)
        question = question_ask(
            session=self._session(public_id), author=request.user, text=data.validated_data["text"]
        )
        return Response(GrowthQuestionOutput(question).data, status=status.HTTP_201_CREATED)


class QuestionActionView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="growth_questions_upvote",
        summary="Upvote (once per person)",
        request=None,
        responses={200: GrowthQuestionOutput, 400: ERROR, 403: ERROR},
    )
    def post(self, request: Request, public_id: str) -> Response:
        question = get_object_or_404(
            Question.objects.select_related("session__conference"), public_id=public_id
        )
        return Response(GrowthQuestionOutput(question_upvote(question=question, user=request.user)).data)

    @extend_schema(
        tags=TAGS,
        operation_id="growth_questions_moderate",
        summary="Moderate (organisers)",
        request=GrowthModerateInput,
        responses={200: GrowthQuestionOutput, 400: ERROR, 403: ERROR},
    )
    def patch(self, request: Request, public_id: str) -> Response:
        question = get_object_or_404(
            Question.objects.select_related("session__conference"), public_id=public_id
        )
        data = GrowthModerateInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(
            GrowthQuestionOutput(
                question_moderate(question=question, actor=request.user, state=data.validated_data["state"])
            ).data
        )


class SponsorListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAGS,
        operation_id="growth_sponsors_list",
        summary="Sponsors and exhibitors",
        responses={200: GrowthSponsorOutput(many=True)},
    )
    def get(self, request: Request, slug: str) -> Response:
        return Response(
            GrowthSponsorOutput(_conference(slug).sponsors.select_related("tier"), many=True).data
        )


class LeadListView(APIView):
    def _sponsor(self, request: Request, public_id: str) -> Sponsor:
        sponsor = get_object_or_404(Sponsor.objects.select_related("conference"), public_id=public_id)
        if not can_see_leads(request.user, sponsor):
            raise NotFound("No such sponsor.")
        return sponsor

    @extend_schema(
        tags=TAGS,
        operation_id="growth_leads_list",
        summary="The sponsor's leads (JSON or CSV)",
        parameters=[OpenApiParameter("format", str, enum=["json", "csv"])],
        responses={200: GrowthLeadOutput(many=True), 404: ERROR},
    )
    def get(self, request: Request, public_id: str) -> Response | HttpResponse:
        sponsor = self._sponsor(request, public_id)
        if request.query_params.get("format") == "csv":
            return HttpResponse(leads_csv(sponsor=sponsor, actor=request.user), content_type="text/csv")
        leads = sponsor.leads.select_related("ticket__holder", "ticket__ticket_type").filter(
            ticket__lead_consent=True
        )
        return Response(GrowthLeadOutput(leads, many=True).data)

    @extend_schema(
        tags=TAGS,
        operation_id="growth_leads_capture",
        summary="Capture a lead by badge scan",
        description="403 `no_consent` when the attendee has not agreed to share their details.",
        request=GrowthLeadInput,
        responses={201: GrowthLeadOutput, 200: GrowthLeadOutput, 403: ERROR, 404: ERROR},
    )
    def post(self, request: Request, public_id: str) -> Response:
        sponsor = self._sponsor(request, public_id)
        data = GrowthLeadInput(data=request.data)
        data.is_valid(raise_exception=True)
        lead, created = lead_capture(
            sponsor=sponsor,
            actor=request.user,
            secret=data.validated_data["qr_code"],
            notes=data.validated_data["notes"],
        )
        return Response(
            GrowthLeadOutput(lead).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class SessionDetailView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="growth_sessions_update",
        summary="Move a session or set its recording (organisers)",
        request=GrowthSessionPatchInput,
        responses={200: GrowthSessionSavedOutput, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    def patch(self, request: Request, public_id: str) -> Response:
        session = get_object_or_404(
            Session.objects.select_related("conference", "room", "submission"), public_id=public_id
        )
        conference = session.conference
        if not can_manage_conference(request.user, conference):
            raise PermissionDenied("Only the conference's organisers edit the schedule.")
        data = GrowthSessionPatchInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        room = session.room
        if "room" in values:
            room = Room.objects.filter(conference=conference, public_id=values["room"]).first()
            if room is None:
                raise NotFound("No such room.", field="room")
        if "recording_url" in values:
            session.recording_url = values["recording_url"]
        starts_at = values.get("starts_at", session.starts_at)
        duration = session.ends_at - session.starts_at
        session, found = session_save(
            conference=conference,
            actor=request.user,
            room=room,
            starts_at=starts_at,
            ends_at=values.get("ends_at", starts_at + duration),
            submission=session.submission,
            title=values.get("title", session.title),
            session=session,
        )
        return Response(GrowthSessionSavedOutput({"session": session, "conflicts": found}).data)


class SessionStarView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="growth_sessions_star",
        summary="Star (adds it to your calendar feed)",
        request=None,
        responses={204: None, 404: ERROR},
    )
    def post(self, request: Request, public_id: str) -> Response:
        session_star(user=request.user, session=get_object_or_404(Session, public_id=public_id), starred=True)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        tags=TAGS, operation_id="growth_sessions_unstar", summary="Unstar", responses={204: None, 404: ERROR}
    )
    def delete(self, request: Request, public_id: str) -> Response:
        session_star(
            user=request.user, session=get_object_or_404(Session, public_id=public_id), starred=False
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

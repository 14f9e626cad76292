"""Conference pages: CfP and speakers, anonymised review, decisions, schedule editor and public schedule,
virtual venue with Q&A, sponsors and lead capture, and staff review of funding requests."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from growth import calendars
from growth.forms import DecisionForm, ReviewForm, SessionForm, SpeakerProfileForm, SubmissionForm
from growth.models import (
    Conference,
    FundingRequest,
    Question,
    Review,
    Room,
    Session,
    SessionStar,
    SpeakerProfile,
    Sponsor,
    Submission,
)
from growth.permissions import can_manage_conference, is_community_staff, reviewer_track_ids, sponsor_staff
from growth.selectors.conferences import conference_lists, conference_location
from growth.selectors.review import (
    anonymised_submission,
    anonymised_submissions,
    review_summaries,
    reviewable_submissions,
)
from growth.selectors.schedule import release, released_sessions, schedule_json, schedule_rows
from growth.services.cfp import cfp_is_open, speaker_profile_save, submission_create, submission_withdraw
from growth.services.funding import funding_approve, funding_reject
from growth.services.reviews import can_review, review_submit, submission_decide
from growth.services.schedule import (
    conflicts,
    schedule_release,
    session_save,
    session_speaker_names,
    session_star,
)
from growth.services.sponsors import can_see_leads, lead_capture, leads_csv
from growth.services.venue import can_attend, question_ask, question_moderate, question_upvote
from growth.views.common import run


def _conference(slug: str) -> Conference:
    return get_object_or_404(Conference.objects.select_related("event"), slug=slug)


def _organiser(request: HttpRequest, conference: Conference) -> None:
    if not can_manage_conference(request.user, conference):
        raise Http404


def conference_list(request: HttpRequest) -> HttpResponse:
    lists = conference_lists()

    def rows(conferences: list[Conference]) -> list[dict]:
        return [{"conference": c, "event": c.event, "location": conference_location(c)} for c in conferences]

    return render(
        request, "growth/conferences.html", {"upcoming": rows(lists.upcoming), "past": rows(lists.past)}
    )


def conference_detail(request: HttpRequest, slug: str) -> HttpResponse:
    conference = _conference(slug)
    return render(
        request,
        "growth/conference.html",
        {
            "conference": conference,
            "event": conference.event,
            "cfp_open": cfp_is_open(conference),
            "release": release(conference),
            "rooms": conference.rooms.all(),
            "sponsors": conference.sponsors.select_related("tier"),
            "can_manage": can_manage_conference(request.user, conference),
            "reviews": bool(reviewer_track_ids(request.user, conference)),
        },
    )


# --- CfP ---------------------------------------------------------------------------------------------------------


@login_required
def speaker_profile(request: HttpRequest) -> HttpResponse:
    profile = SpeakerProfile.objects.filter(user=request.user).first()
    initial = {"name": request.user.display_name}
    if profile:
        initial = {f: getattr(profile, f) for f in ("name", "bio", "company", "job_title", "website")}
    form = SpeakerProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        _, ok = run(
            request,
            lambda: speaker_profile_save(user=request.user, **form.cleaned_data),
            form=form,
            success="Speaker profile saved.",
        )
        if ok:
            return redirect(request.GET.get("next") or "growth:speaker_profile")
    return render(request, "growth/speaker_profile.html", {"form": form})


@login_required
def cfp_submit(request: HttpRequest, slug: str) -> HttpResponse:
    conference = _conference(slug)
    if not SpeakerProfile.objects.filter(user=request.user).exists():
        return redirect(f"/community/speaker/?next=/community/conferences/{slug}/cfp/")
    form = SubmissionForm(request.POST or None, conference=conference)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        _, ok = run(
            request,
            lambda: submission_create(
                conference=conference,
                submitter=request.user,
                track=data["track"],
                submission_type=data["submission_type"],
                title=data["title"],
                abstract=data["abstract"],
                description=data["description"],
                notes=data["notes"],
                answers=form.answers(),
                co_speaker_emails=[e for e in data["co_speakers"].split(",") if e.strip()],
            ),
            form=form,
            success="Submitted! We've emailed you a confirmation.",
        )
        if ok:
            return redirect("growth:my_submissions")
    return render(
        request, "growth/cfp.html", {"conference": conference, "form": form, "open": cfp_is_open(conference)}
    )


@login_required
def my_submissions(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        submission = get_object_or_404(Submission, public_id=request.POST.get("submission"))
        run(
            request,
            lambda: submission_withdraw(submission=submission, actor=request.user),
            success="Withdrawn.",
        )
        return redirect("growth:my_submissions")
    submissions = Submission.objects.filter(speakers__user=request.user).select_related(
        "conference", "track", "submission_type"
    )
    return render(request, "growth/my_submissions.html", {"submissions": submissions})


# --- review (anonymised) -------------------------------------------------------------------------------------------


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """Submissions in the reviewer's tracks: anonymised data only, with the reviewer's own score."""
    mine = dict(Review.objects.filter(reviewer=request.user).values_list("submission_id", "score"))
    pairs = list(reviewable_submissions(request.user))
    items = [
        {"conference": conference.name, "data": data, "my_score": mine.get(submission.pk)}
        for (conference, submission), data in zip(
            pairs, anonymised_submissions([s for _, s in pairs]), strict=True
        )
    ]
    return render(request, "growth/review_queue.html", {"items": items})


@login_required
def review_detail(request: HttpRequest, reference: str) -> HttpResponse:
    submission = get_object_or_404(
        Submission.objects.select_related("conference", "track", "submission_type"), public_id=reference
    )
    if not can_review(request.user, submission):
        raise Http404
    criteria = submission.conference.criteria.all()
    own = Review.objects.filter(submission=submission, reviewer=request.user).first()
    initial = {"comment": own.comment, **{f"score_{k}": v for k, v in own.scores.items()}} if own else {}
    form = ReviewForm(request.POST or None, criteria=criteria, initial=initial)
    if request.method == "POST" and form.is_valid():
        _, ok = run(
            request,
            lambda: review_submit(
                submission=submission,
                reviewer=request.user,
                scores=form.scores(),
                comment=form.cleaned_data["comment"],
            ),
            form=form,
            success="Review saved.",
        )
        if ok:
            return redirect("growth:review_queue")
    return render(
        request, "growth/review_detail.html", {"data": anonymised_submission(submission), "form": form}
    )


# --- organisers: submissions, decisions, schedule editor ------------------------------------------------------------


@login_required
def conference_submissions(request: HttpRequest, slug: str) -> HttpResponse:
    conference = _conference(slug)
    _organiser(request, conference)
    if request.method == "POST":
        submission = get_object_or_404(
            Submission, conference=conference, public_id=request.POST.get("submission")
        )
        form = DecisionForm(request.POST)
        if form.is_valid():
            run(
                request,
                lambda: submission_decide(
                    submission=submission, actor=request.user, state=form.cleaned_data["state"]
                ),
                success="Decision sent.",
            )
        return redirect("growth:conference_submissions", slug=slug)
    submissions = list(
        conference.submissions.select_related("track", "submission_type", "submitter").prefetch_related(
            "speakers__user"
        )
    )
    summaries = review_summaries(submissions)
    rows = [
        {
            "submission": submission,
            "summary": summaries[submission.pk],
            "speakers": ", ".join(s.user.display_name or s.user.email for s in submission.speakers.all()),
        }
        for submission in submissions
    ]
    rows.sort(key=lambda r: -(r["summary"]["mean"] or -1))
    return render(
        request,
        "growth/conference_submissions.html",
        {"conference": conference, "rows": rows, "decision_form": DecisionForm()},
    )


@login_required
def schedule_editor(request: HttpRequest, slug: str) -> HttpResponse:
    conference = _conference(slug)
    _organiser(request, conference)
    form = SessionForm(request.POST or None, conference=conference)
    warnings = []
    if request.method == "POST" and request.POST.get("action") == "release":
        _, ok = run(
            request,
            lambda: schedule_release(
                conference=conference, actor=request.user, note=request.POST.get("note", "")
            ),
            success="Schedule released.",
        )
        return redirect("growth:schedule_editor", slug=slug)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        result, ok = run(
            request,
            lambda: session_save(
                conference=conference,
                actor=request.user,
                room=data["room"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                submission=data["submission"],
                title=data["title"],
                session=data["session"],
            ),
            form=form,
        )
        if ok:
            warnings = result[1]
            if not warnings:
                messages.success(request, "Session saved.")
                return redirect("growth:schedule_editor", slug=slug)
    sessions = conference.sessions.select_related("room", "submission")
    return render(
        request,
        "growth/schedule_editor.html",
        {
            "conference": conference,
            "form": form,
            "sessions": sessions,
            "warnings": warnings,
            "conflicts": conflicts(conference),
            "releases": conference.releases.all()[:10],
            "unscheduled": conference.submissions.filter(state="accepted", session__isnull=True),
        },
    )


# --- public schedule and exports --------------------------------------------------------------------------------


def _version(request: HttpRequest) -> int | None:
    value = request.GET.get("version", "")
    return int(value) if value.isdigit() else None


def schedule_public(request: HttpRequest, slug: str) -> HttpResponse:
    conference = _conference(slug)
    found = release(conference, _version(request))
    starred = set()
    if request.user.is_authenticated:
        starred = {
            str(s)
            for s in SessionStar.objects.filter(
                user=request.user, session__conference=conference
            ).values_list("session__public_id", flat=True)
        }
    return render(
        request,
        "growth/schedule.html",
        {
            "conference": conference,
            "release": found,
            "rows": schedule_rows(found.snapshot) if found else [],
            "starred": starred,
            "versions": conference.releases.values_list("version", flat=True),
        },
    )


def schedule_changes(request: HttpRequest, slug: str) -> HttpResponse:
    conference = _conference(slug)
    return render(
        request,
        "growth/schedule_changes.html",
        {"conference": conference, "releases": conference.releases.all()},
    )


def schedule_export_json(request: HttpRequest, slug: str) -> HttpResponse:
    conference = _conference(slug)
    found = release(conference, _version(request))
    if found is None:
        raise Http404
    return JsonResponse(schedule_json(conference, found), json_dumps_params={"indent": 2})


def schedule_export_ics(request: HttpRequest, slug: str) -> HttpResponse:
    conference = _conference(slug)
    body = calendars.sessions_ics(conference.name, released_sessions(conference, _version(request)))
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


@login_required
@require_POST
def session_star_view(request: HttpRequest, public_id: str) -> HttpResponse:
    session = get_object_or_404(Session.objects.select_related("conference"), public_id=public_id)
    session_star(user=request.user, session=session, starred=request.POST.get("starred") == "1")
    return redirect("growth:schedule", slug=session.conference.slug)


# --- virtual venue and Q&A -----------------------------------------------------------------------------------------


def room_page(request: HttpRequest, slug: str, room_id: str) -> HttpResponse:
    conference = _conference(slug)
    room = get_object_or_404(Room, conference=conference, public_id=room_id)
    now = timezone.now()
    sessions = list(room.sessions.order_by("starts_at"))
    return render(
        request,
        "growth/room.html",
        {
            "conference": conference,
            "room": room,
            "attendee": can_attend(request.user, conference.event_id),
            "live": next((s for s in sessions if s.starts_at <= now < s.ends_at), None),
            "upcoming": [s for s in sessions if s.starts_at > now][:5],
            "past": [s for s in sessions if s.ends_at <= now],
        },
    )


def session_page(request: HttpRequest, public_id: str) -> HttpResponse:
    session = get_object_or_404(
        Session.objects.select_related("conference__event", "room"), public_id=public_id
    )
    conference = session.conference
    moderator = can_manage_conference(request.user, conference)
    if request.method == "POST" and request.user.is_authenticated:
        action = request.POST.get("action")
        if action == "ask":
            run(
                request,
                lambda: question_ask(session=session, author=request.user, text=request.POST.get("text", "")),
                success="Question posted.",
            )
        else:
            question = get_object_or_404(Question, session=session, public_id=request.POST.get("question"))
            if action == "upvote":
                run(request, lambda: question_upvote(question=question, user=request.user))
            else:
                run(
                    request,
                    lambda: question_moderate(
                        question=question, actor=request.user, state=request.POST.get("state", "")
                    ),
                )
        return redirect("growth:session", public_id=public_id)
    questions = (
        session.questions.all() if moderator else session.questions.exclude(state=Question.State.HIDDEN)
    )
    return render(
        request,
        "growth/session.html",
        {
            "session": session,
            "conference": conference,
            "speakers": session_speaker_names(session),
            "questions": questions,
            "moderator": moderator,
            "attendee": can_attend(request.user, conference.event_id),
            "ended": session.ends_at <= timezone.now(),
        },
    )


# --- sponsors -------------------------------------------------------------------------------------------------


def sponsors_page(request: HttpRequest, slug: str) -> HttpResponse:
    conference = _conference(slug)
    mine = [s for s in conference.sponsors.all() if sponsor_staff(request.user, s)]
    return render(
        request,
        "growth/sponsors.html",
        {
            "conference": conference,
            "tiers": conference.sponsor_tiers.prefetch_related("sponsors"),
            "mine": mine,
        },
    )


@login_required
def sponsor_leads(request: HttpRequest, public_id: str) -> HttpResponse:
    sponsor = get_object_or_404(Sponsor.objects.select_related("conference"), public_id=public_id)
    if not can_see_leads(request.user, sponsor):
        raise Http404
    if request.method == "POST":
        result, ok = run(
            request,
            lambda: lead_capture(
                sponsor=sponsor,
                actor=request.user,
                secret=request.POST.get("secret", ""),
                notes=request.POST.get("notes", ""),
            ),
        )
        if ok:
            messages.success(
                request,
                ("Lead captured: " if result[1] else "Already a lead: ") + result[0].ticket.attendee_name,
            )
        return redirect("growth:sponsor_leads", public_id=public_id)
    if request.GET.get("format") == "csv":
        response = HttpResponse(leads_csv(sponsor=sponsor, actor=request.user), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="leads-{sponsor.pk}.csv"'
        return response
    leads = sponsor.leads.select_related("ticket__holder", "ticket__ticket_type").filter(
        ticket__lead_consent=True
    )
    return render(
        request,
        "growth/sponsor_leads.html",
        {"sponsor": sponsor, "leads": leads, "can_scan": sponsor_staff(request.user, sponsor)},
    )


# --- staff: funding -------------------------------------------------------------------------------------------------


@login_required
def funding_review(request: HttpRequest) -> HttpResponse:
    if not is_community_staff(request.user):
        raise Http404
    if request.method == "POST":
        funding = get_object_or_404(FundingRequest, public_id=request.POST.get("request"))
        note = request.POST.get("note", "")
        if request.POST.get("action") == "approve":
            run(
                request,
                lambda: funding_approve(request=funding, actor=request.user, note=note),
                success="Approved and paid to the organiser's balance.",
            )
        else:
            run(
                request,
                lambda: funding_reject(request=funding, actor=request.user, note=note),
                success="Rejected.",
            )
        return redirect("growth:funding_review")
    requests_ = FundingRequest.objects.select_related("chapter", "requested_by", "event")
    return render(
        request,
        "growth/funding_review.html",
        {
            "pending": requests_.filter(state__in=["submitted", "approved"]),
            "decided": requests_.filter(state__in=["paid", "rejected"])[:50],
            "budget_json": json,
        },
    )

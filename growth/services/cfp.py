"""Call for papers: speaker profiles, submissions with custom answers and co-speakers, withdrawal."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from growth import notifications
from growth.exceptions import PermissionDenied, ValidationError
from growth.models import (
    CfPQuestion,
    Conference,
    ReviewTeam,
    SpeakerProfile,
    Submission,
    SubmissionAnswer,
    SubmissionHistory,
    SubmissionSpeaker,
    SubmissionType,
    Track,
)
from growth.selectors.review import anonymised_submission


def cfp_is_open(conference: Conference, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    opens, closes = conference.cfp_opens_at, conference.cfp_closes_at
    return bool(opens and closes and opens <= now < closes)


def speaker_profile_save(
    *, user: Any, name: str, bio: str = "", company: str = "", job_title: str = "", website: str = ""
) -> SpeakerProfile:
    if not name.strip():
        raise ValidationError("Enter the name to show on the schedule.", field="name")
    profile, _ = SpeakerProfile.objects.update_or_create(
        user=user,
        defaults={
            "name": name.strip(),
            "bio": bio,
            "company": company,
            "job_title": job_title,
            "website": website,
        },
    )
    return profile


def history_add(submission: Submission, *, actor: Any, role: str, action: str, **detail: Any) -> None:
    SubmissionHistory.objects.create(
        submission=submission, actor=actor, actor_role=role, action=action, detail=detail
    )


def submission_create(
    *,
    conference: Conference,
    submitter: Any,
    track: Track,
    submission_type: SubmissionType,
    title: str,
    abstract: str,
    description: str = "",
    notes: str = "",
    answers: dict[int, str] | None = None,
    co_speaker_emails: list[str] | None = None,
    now: datetime | None = None,
) -> Submission:
    if not cfp_is_open(conference, now):
        raise ValidationError("The call for papers is closed.", field="conference")
    if track.conference_id != conference.pk:
        raise ValidationError("Choose a track of this conference.", field="track")
    if submission_type.conference_id != conference.pk:
        raise ValidationError("Choose a submission type of this conference.", field="submission_type")
    if not title.strip():
        raise ValidationError("Give your session a title.", field="title")
    if len(abstract.strip()) < 20:
        raise ValidationError("Write an abstract of at least 20 characters.", field="abstract")
    if not SpeakerProfile.objects.filter(user=submitter).exists():
        raise ValidationError("Fill in your speaker profile first.", field="speaker_profile")
    answers = answers or {}
    questions = list(CfPQuestion.objects.filter(conference=conference))
    for question in questions:
        if question.required and not str(answers.get(question.pk, "")).strip():
            raise ValidationError(f"Answer “{question.text}”.", field=f"question_{question.pk}")
    unknown = set(answers) - {q.pk for q in questions}
    if unknown:
        raise ValidationError("Unknown question.", field=f"question_{sorted(unknown)[0]}")
    users = get_user_model().objects
    co_speakers = []
    for raw in co_speaker_emails or []:
        email = raw.strip()
        if not email:
            continue
        found = users.filter(email__iexact=email, is_active=True).first()
        if found is None:
            raise ValidationError(
                f"No member with the email {email}: they need an account first.", field="co_speakers"
            )
        if found.pk != submitter.pk:
            co_speakers.append(found)
    with transaction.atomic():
        submission = Submission.objects.create(
            conference=conference,
            track=track,
            submission_type=submission_type,
            title=title.strip(),
            abstract=abstract.strip(),
            description=description,
            notes=notes,
            submitter=submitter,
        )
        SubmissionSpeaker.objects.create(submission=submission, user=submitter, is_primary=True)
        for user in co_speakers:
            SubmissionSpeaker.objects.get_or_create(submission=submission, user=user)
        SubmissionAnswer.objects.bulk_create(
            SubmissionAnswer(submission=submission, question_id=qid, value=str(value))
            for qid, value in answers.items()
            if str(value).strip()
        )
        history_add(submission, actor=submitter, role="speaker", action="submitted")
        speaker_emails = [submitter.email, *(u.email for u in co_speakers)]
        notifications.submission_received(speaker_emails, submission)
        reviewers = ReviewTeam.objects.filter(conference=conference, track=track).values_list(
            "members__email", flat=True
        )
        notifications.submission_to_review([e for e in reviewers if e], anonymised_submission(submission))
    return submission


def submission_withdraw(*, submission: Submission, actor: Any) -> Submission:
    if not submission.speakers.filter(user=actor).exists():
        raise PermissionDenied("Only the speakers withdraw a submission.")
    with transaction.atomic():
        submission.state = Submission.State.WITHDRAWN
        submission.save(update_fields=["state"])
        history_add(submission, actor=actor, role="speaker", action="withdrawn")
    return submission

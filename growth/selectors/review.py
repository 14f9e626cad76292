"""What reviewers may see of a submission: never a speaker's identity.

Reviewer pages, API responses, history and notifications are all built from `anonymised_submissions` (one
or many at once, in a fixed number of queries), which returns plain data without speakers, submitter, organiser notes or answers to questions hidden from reviewers.
Speaker names and emails that a speaker wrote into the text itself are redacted too."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef

from growth.models import (
    Conference,
    Review,
    ReviewCriterion,
    ReviewTeam,
    SpeakerProfile,
    Submission,
    SubmissionAnswer,
    SubmissionHistory,
    SubmissionSpeaker,
)

REDACTED = "[redacted]"


def _identities_of(submissions: Sequence[Submission]) -> dict[int, list[str]]:
    """Submission id → the strings that would identify its speakers (longest first), in two queries."""
    speakers = list(
        SubmissionSpeaker.objects.filter(submission__in=[s.pk for s in submissions]).select_related("user")
    )
    profiles = {
        p.user_id: p for p in SpeakerProfile.objects.filter(user_id__in={s.user_id for s in speakers})
    }
    found: dict[int, set[str]] = {s.pk: set() for s in submissions}
    for speaker in speakers:
        user, names = speaker.user, found[speaker.submission_id]
        names.update(
            v for v in (user.email, user.display_name, user.email.split("@")[0]) if v and len(v) >= 3
        )
        names.update(part for part in (user.display_name or "").split() if len(part) >= 3)
        profile = profiles.get(speaker.user_id)
        if profile is not None:
            names.update(v for v in (profile.name, profile.company, profile.website) if v and len(v) >= 3)
            names.update(part for part in profile.name.split() if len(part) >= 3)
    return {pk: sorted(names, key=len, reverse=True) for pk, names in found.items()}


def redact(text: str, identities: list[str]) -> str:
    for identity in identities:
        text = re.sub(rf"(?<!\w){re.escape(identity)}(?!\w)", REDACTED, text, flags=re.IGNORECASE)
    return text


def anonymised_submissions(submissions: Sequence[Submission]) -> list[dict[str, Any]]:
    """The anonymised view of many submissions in four queries whatever their number (review queues). The
    submissions need their track and submission type loaded (select_related)."""
    if not submissions:
        return []
    ids = [s.pk for s in submissions]
    identities = _identities_of(submissions)
    answers: dict[int, list[SubmissionAnswer]] = defaultdict(list)
    for answer in (
        SubmissionAnswer.objects.filter(submission_id__in=ids, question__visible_to_reviewers=True)
        .select_related("question")
        .order_by("pk")
    ):
        answers[answer.submission_id].append(answer)
    history: dict[int, list[SubmissionHistory]] = defaultdict(list)
    for entry in SubmissionHistory.objects.filter(submission_id__in=ids):
        history[entry.submission_id].append(entry)
    return [_anonymised(s, identities[s.pk], answers[s.pk], history[s.pk]) for s in submissions]


def anonymised_submission(submission: Submission) -> dict[str, Any]:
    return anonymised_submissions([submission])[0]


def _anonymised(
    submission: Submission,
    identities: list[str],
    answers: list[SubmissionAnswer],
    history: list[SubmissionHistory],
) -> dict[str, Any]:
    return {
        "reference": str(submission.public_id),
        "title": redact(submission.title, identities),
        "abstract": redact(submission.abstract, identities),
        "description": redact(submission.description, identities),
        "type": submission.submission_type.get_kind_display(),
        "duration_minutes": submission.submission_type.duration_minutes,
        "track": submission.track.name,
        "state": submission.state,
        "submitted_at": submission.created_at,
        "answers": [{"question": a.question.text, "answer": redact(a.value, identities)} for a in answers],
        "history": [{"at": h.created_at, "by": h.actor_role, "action": h.action} for h in history],
    }


def weighted_score(scores: dict[str, int], criteria: list[ReviewCriterion]) -> Decimal:
    total_weight = sum(c.weight for c in criteria)
    if not total_weight:
        return Decimal("0.00")
    value = sum(Decimal(scores[str(c.pk)]) * c.weight for c in criteria) / total_weight
    return value.quantize(Decimal("0.01"))


def review_summaries(submissions: Sequence[Submission]) -> dict[int, dict[str, Any]]:
    """Submission id → {"count", "mean"} of its reviews' scores (mean None without reviews), in one query."""
    scores: dict[int, list[Decimal]] = {s.pk: [] for s in submissions}
    for submission_id, score in Review.objects.filter(submission_id__in=list(scores)).values_list(
        "submission_id", "score"
    ):
        scores[submission_id].append(score)
    return {
        pk: {
            "count": len(found),
            "mean": (sum(found) / len(found)).quantize(Decimal("0.01")) if found else None,
        }
        for pk, found in scores.items()
    }


def reviewable_submissions(user: Any) -> Iterator[tuple[Conference, Submission]]:
    """The submissions `user` reviews (their review teams' tracks, not withdrawn, not their own), per conference
    (newest conference first, oldest submission first), in one query."""
    if not (user and user.is_authenticated):
        return
    teams = ReviewTeam.objects.filter(
        members=user, conference=OuterRef("conference"), track=OuterRef("track")
    )
    submissions = (
        Submission.objects.filter(Exists(teams))
        .exclude(state=Submission.State.WITHDRAWN)
        .exclude(speakers__user=user)
        .select_related("conference", "track", "submission_type")
        .order_by("-conference__created_at", "conference_id", "created_at", "pk")
    )
    for submission in submissions:
        yield submission.conference, submission

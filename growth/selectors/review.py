"""What reviewers may see of a submission: never a speaker's identity.

Reviewer pages, API responses, history and notifications are all built from `anonymised_submission`, which
returns plain data without speakers, submitter, organiser notes or answers to questions hidden from reviewers.
Speaker names and emails that a speaker wrote into the text itself are redacted too."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from growth.models import Conference, Review, ReviewCriterion, Submission
from growth.permissions import reviewer_track_ids

REDACTED = "[redacted]"


def _identities(submission: Submission) -> list[str]:
    found: set[str] = set()
    from growth.models import SpeakerProfile

    speakers = list(submission.speakers.select_related("user"))
    profiles = SpeakerProfile.objects.filter(user_id__in=[s.user_id for s in speakers])
    for speaker in speakers:
        user = speaker.user
        found.update(
            v for v in (user.email, user.display_name, user.email.split("@")[0]) if v and len(v) >= 3
        )
        found.update(part for part in (user.display_name or "").split() if len(part) >= 3)
    for profile in profiles:
        found.update(v for v in (profile.name, profile.company, profile.website) if v and len(v) >= 3)
        found.update(part for part in profile.name.split() if len(part) >= 3)
    return sorted(found, key=len, reverse=True)


def redact(text: str, identities: list[str]) -> str:
    for identity in identities:
        text = re.sub(rf"(?<!\w){re.escape(identity)}(?!\w)", REDACTED, text, flags=re.IGNORECASE)
    return text


def anonymised_submission(submission: Submission, *, identities: list[str] | None = None) -> dict[str, Any]:
    identities = _identities(submission) if identities is None else identities
    answers = [
        {"question": a.question.text, "answer": redact(a.value, identities)}
        for a in submission.answers.select_related("question").filter(question__visible_to_reviewers=True)
    ]
    history = [{"at": h.created_at, "by": h.actor_role, "action": h.action} for h in submission.history.all()]
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
        "answers": answers,
        "history": history,
    }


def weighted_score(scores: dict[str, int], criteria: list[ReviewCriterion]) -> Decimal:
    total_weight = sum(c.weight for c in criteria)
    if not total_weight:
        return Decimal("0.00")
    value = sum(Decimal(scores[str(c.pk)]) * c.weight for c in criteria) / total_weight
    return value.quantize(Decimal("0.01"))


def review_summary(submission: Submission) -> dict[str, Any]:
    reviews = list(Review.objects.filter(submission=submission))
    if not reviews:
        return {"count": 0, "mean": None}
    mean = (sum(r.score for r in reviews) / len(reviews)).quantize(Decimal("0.01"))
    return {"count": len(reviews), "mean": mean}


def reviewable_submissions(user: Any) -> Iterator[tuple[Conference, Submission]]:
    """The submissions `user` reviews (their review teams' tracks, not withdrawn, not their own), per conference."""
    for conference in Conference.objects.all():
        tracks = reviewer_track_ids(user, conference)
        if not tracks:
            continue
        subs = (
            Submission.objects.filter(conference=conference, track_id__in=tracks)
            .exclude(state=Submission.State.WITHDRAWN)
            .exclude(speakers__user=user)
            .select_related("track", "submission_type")
            .order_by("created_at")
        )
        for submission in subs:
            yield conference, submission

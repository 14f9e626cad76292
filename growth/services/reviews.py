"""Reviewing submissions (per track, anonymised) and deciding on them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from growth import notifications
from growth.exceptions import PermissionDenied, ValidationError
from growth.models import Review, ReviewCriterion, Submission
from growth.permissions import can_manage_conference, reviewer_track_ids
from growth.selectors.review import weighted_score
from growth.services.cfp import history_add
from novacron.core.services.audit import audit_record

SCORE_RANGE = range(6)


def can_review(user: Any, submission: Submission) -> bool:
    """Members of a review team of the submission's track, never for their own submission."""
    if submission.track_id not in reviewer_track_ids(user, submission.conference):
        return False
    return not submission.speakers.filter(user_id=user.pk).exists()


def review_submit(
    *, submission: Submission, reviewer: Any, scores: dict[str, Any], comment: str = ""
) -> Review:
    """Create or replace the reviewer's review. `scores`: criterion id → 0..5 for every criterion."""
    if not can_review(reviewer, submission):
        raise PermissionDenied("You don't review this track.")
    if submission.state == Submission.State.WITHDRAWN:
        raise ValidationError("This submission was withdrawn.")
    criteria = list(ReviewCriterion.objects.filter(conference_id=submission.conference_id))
    clean: dict[str, int] = {}
    for criterion in criteria:
        raw = scores.get(str(criterion.pk), scores.get(criterion.pk))
        try:
            value = int(raw)
        except (TypeError, ValueError):
            value = -1
        if value not in SCORE_RANGE:
            raise ValidationError(f"Score “{criterion.name}” from 0 to 5.", field=f"score_{criterion.pk}")
        clean[str(criterion.pk)] = value
    with transaction.atomic():
        review, created = Review.objects.update_or_create(
            submission=submission,
            reviewer=reviewer,
            defaults={"scores": clean, "score": weighted_score(clean, criteria), "comment": comment},
        )
        history_add(
            submission, actor=reviewer, role="reviewer", action="reviewed" if created else "review updated"
        )
        audit_record(
            actor=reviewer, action="growth.review_submit", obj=submission, after={"score": str(review.score)}
        )
    return review


DECISIONS = (Submission.State.ACCEPTED, Submission.State.REJECTED, Submission.State.WAITLISTED)


def submission_decide(
    *, submission: Submission, actor: Any, state: str, now: datetime | None = None
) -> Submission:
    """Accept, reject or waitlist (organisers); the speakers are told by email."""
    if not can_manage_conference(actor, submission.conference):
        raise PermissionDenied("Only the conference's organisers decide.")
    if state not in DECISIONS:
        raise ValidationError("Choose accepted, rejected or waitlisted.", field="state")
    if submission.state == Submission.State.WITHDRAWN:
        raise ValidationError("This submission was withdrawn.", field="state")
    with transaction.atomic():
        before = submission.state
        submission.state = state
        submission.decided_at = now or timezone.now()
        submission.save(update_fields=["state", "decided_at"])
        history_add(submission, actor=actor, role="organiser", action=state)
        audit_record(
            actor=actor,
            action="growth.submission_decide",
            obj=submission,
            before={"state": before},
            after={"state": state},
        )
        emails = list(submission.speakers.values_list("user__email", flat=True))
        notifications.submission_decided(emails, submission)
    return submission

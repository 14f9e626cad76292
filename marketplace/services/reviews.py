"""Ratings and reviews. Only users who installed the app may review, once per app; the app's average and
distribution are recomputed from the visible reviews inside the same transaction (app row locked), so they are
always current and concurrent reviews cannot lose an update."""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from marketplace.exceptions import Conflict, PermissionDenied, ValidationError
from marketplace.models import AbuseReport, App, HelpfulVote, Installation, Review, SeatAssignment
from marketplace.services.permissions import can_manage_publisher, is_moderator
from novacron.core.services.audit import audit_record


def has_installed(user: Any, app: App) -> bool:
    """Installed it for themselves, installed it for an organisation, or hold a seat of it (any status:
    someone who uninstalled may still say why)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        Installation.objects.filter(app=app).filter(Q(user_id=user.pk) | Q(installed_by_id=user.pk)).exists()
        or SeatAssignment.objects.filter(installation__app=app, user_id=user.pk).exists()
    )


def rating_recompute(app_id: int) -> None:
    """Average (2 decimals, half up) and distribution of the visible reviews. Call with the app row locked."""
    rows = Review.objects.filter(app_id=app_id, is_hidden=False).values("rating").annotate(n=Count("id"))
    distribution = {str(star): 0 for star in range(1, 6)}
    for row in rows:
        distribution[str(row["rating"])] = row["n"]
    count = sum(distribution.values())
    total = sum(int(star) * n for star, n in distribution.items())
    average = (
        (Decimal(total) / Decimal(count)).quantize(Decimal("0.01"), ROUND_HALF_UP) if count else Decimal("0")
    )
    App.objects.filter(pk=app_id).update(
        rating_average=average, rating_count=count, rating_distribution=distribution
    )


def _validate(rating: Any, title: str, body: str) -> None:
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError("Rate from 1 to 5 stars.", field="rating")
    if not (title or "").strip():
        raise ValidationError("Give the review a title.", field="title")
    if len(title) > 120:
        raise ValidationError("At most 120 characters.", field="title")
    if not (body or "").strip():
        raise ValidationError("Write a few words about the app.", field="body")
    if len(body) > 5000:
        raise ValidationError("At most 5,000 characters.", field="body")


def review_create(*, app: App, user: Any, rating: int, title: str, body: str) -> Review:
    _validate(rating, title, body)
    if not has_installed(user, app):
        raise PermissionDenied("Only people who installed the app can review it.", code="not_installed")
    if can_manage_publisher(user, app.publisher):
        raise PermissionDenied("Publishers cannot review their own apps.")
    with transaction.atomic():
        App.objects.select_for_update().get(pk=app.pk)
        try:
            with transaction.atomic():
                review = Review.objects.create(
                    app=app, author=user, rating=rating, title=title.strip(), body=body.strip()
                )
        except IntegrityError as exc:
            raise Conflict(
                "You already reviewed this app; edit your review instead.", code="already_reviewed"
            ) from exc
        rating_recompute(app.pk)
        audit_record(actor=user, action="marketplace.review.create", obj=review, after={"rating": rating})
    return review


def review_update(*, review: Review, user: Any, rating: int, title: str, body: str) -> Review:
    if review.author_id != user.pk:
        raise PermissionDenied("You can only edit your own review.")
    _validate(rating, title, body)
    with transaction.atomic():
        App.objects.select_for_update().get(pk=review.app_id)
        before = {"rating": review.rating, "title": review.title}
        Review.objects.filter(pk=review.pk).update(
            rating=rating, title=title.strip(), body=body.strip(), updated_at=timezone.now()
        )
        review.refresh_from_db()
        rating_recompute(review.app_id)
        audit_record(
            actor=user,
            action="marketplace.review.update",
            obj=review,
            before=before,
            after={"rating": rating},
        )
    return review


def review_reply(*, review: Review, user: Any, body: str) -> Review:
    if not can_manage_publisher(user, review.app.publisher):
        raise PermissionDenied("Only the app's publisher can reply.")
    body = (body or "").strip()
    if not body:
        raise ValidationError("Write a reply.", field="body")
    with transaction.atomic():
        review.reply_body, review.reply_by, review.replied_at = body[:5000], user, timezone.now()
        review.save(update_fields=["reply_body", "reply_by", "replied_at", "updated_at"])
        audit_record(actor=user, action="marketplace.review.reply", obj=review, after={"reply": body[:500]})
    return review


def review_vote_helpful(*, review: Review, user: Any) -> bool:
    """Mark a review helpful (once per user). Returns False when the user had already voted."""
    if review.author_id == user.pk:
        raise ValidationError("You cannot vote on your own review.")
    with transaction.atomic():
        try:
            with transaction.atomic():
                HelpfulVote.objects.create(review=review, user=user)
        except IntegrityError:
            return False
        Review.objects.filter(pk=review.pk).update(helpful_count=F("helpful_count") + 1)
    return True


def review_report(*, review: Review, user: Any, reason: str, details: str = "") -> AbuseReport:
    if reason not in AbuseReport.Reason.values:
        raise ValidationError("Choose a reason.", field="reason")
    if review.author_id == user.pk:
        raise ValidationError("You cannot report your own review.")
    with transaction.atomic():
        try:
            with transaction.atomic():
                report = AbuseReport.objects.create(
                    review=review, reporter=user, reason=reason, details=details[:2000]
                )
        except IntegrityError as exc:
            raise Conflict("You already reported this review; a moderator will look at it.") from exc
        audit_record(actor=user, action="marketplace.review.report", obj=review, after={"reason": reason})
    return report


def report_resolve(*, report: AbuseReport, moderator: Any, uphold: bool, note: str = "") -> AbuseReport:
    """Uphold (hide the review; every open report on it is closed) or dismiss a report."""
    if not is_moderator(moderator):
        raise PermissionDenied("Only moderators resolve reports.")
    now = timezone.now()
    with transaction.atomic():
        App.objects.select_for_update().get(pk=report.review.app_id)
        report = AbuseReport.objects.select_for_update().select_related("review").get(pk=report.pk)
        if report.status != AbuseReport.Status.OPEN:
            raise Conflict("This report was already resolved.")
        status = AbuseReport.Status.UPHELD if uphold else AbuseReport.Status.DISMISSED
        targets = (
            AbuseReport.objects.filter(review=report.review, status=AbuseReport.Status.OPEN)
            if uphold
            else (AbuseReport.objects.filter(pk=report.pk))
        )
        targets.update(status=status, resolved_by=moderator, resolved_at=now, resolution_note=note[:2000])
        if uphold:
            Review.objects.filter(pk=report.review_id).update(is_hidden=True)
            rating_recompute(report.review.app_id)
        audit_record(
            actor=moderator,
            action=f"marketplace.review.report_{status}",
            obj=report.review,
            after={"report": str(report.public_id), "note": note[:500]},
        )
        report.refresh_from_db()
    return report


def review_restore(*, review: Review, moderator: Any) -> Review:
    if not is_moderator(moderator):
        raise PermissionDenied("Only moderators restore reviews.")
    with transaction.atomic():
        App.objects.select_for_update().get(pk=review.app_id)
        Review.objects.filter(pk=review.pk).update(is_hidden=False)
        rating_recompute(review.app_id)
        audit_record(actor=moderator, action="marketplace.review.restore", obj=review)
    review.refresh_from_db()
    return review

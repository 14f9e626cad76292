"""Ratings and reviews: one per user and app, publisher replies, helpful votes and abuse reports."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from novacron.core.models import PublicModel


class Review(PublicModel):
    app = models.ForeignKey("marketplace.App", on_delete=models.CASCADE, related_name="reviews")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    rating = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    title = models.CharField(max_length=120)
    body = models.TextField(max_length=5000)
    is_hidden = models.BooleanField(default=False, help_text="Hidden by a moderator; not counted")
    helpful_count = models.PositiveIntegerField(default=0)
    reply_body = models.TextField(blank=True, max_length=5000)
    reply_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    replied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["app", "author"], name="mkt_review_once"),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="mkt_review_rating"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating}★ {self.title}"


class HelpfulVote(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="helpful_votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "user"], name="mkt_helpful_once")]

    def __str__(self) -> str:
        return f"{self.user_id} found {self.review_id} helpful"


class AbuseReport(PublicModel):
    class Reason(models.TextChoices):
        SPAM = "spam", "Spam or advertising"
        OFFENSIVE = "offensive", "Offensive or abusive"
        OFF_TOPIC = "off_topic", "Not about the app"
        PERSONAL_DATA = "personal_data", "Contains personal data"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        UPHELD = "upheld", "Upheld (review hidden)"
        DISMISSED = "dismissed", "Dismissed"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="abuse_reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    details = models.TextField(blank=True, max_length=2000)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "reporter"], condition=models.Q(status="open"), name="mkt_report_open_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} on {self.review_id}"

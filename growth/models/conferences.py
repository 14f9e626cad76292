"""Conferences and their call for papers: tracks, submission types, custom questions, speakers, submissions,
reviewer teams, weighted criteria and reviews."""

import uuid

from django.conf import settings
from django.db import models

from growth.models.events import Event


class Conference(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    event = models.OneToOneField(Event, on_delete=models.PROTECT, related_name="conference")
    cfp_opens_at = models.DateTimeField(null=True, blank=True)
    cfp_closes_at = models.DateTimeField(null=True, blank=True)
    cfp_intro = models.TextField(blank=True)
    organisers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class Track(models.Model):
    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="tracks")
    name = models.CharField(max_length=100)
    color = models.CharField(max_length=7, default="#3b5bdb")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["conference", "name"], name="growth_track_unique")]

    def __str__(self) -> str:
        return self.name


class SubmissionType(models.Model):
    class Kind(models.TextChoices):
        TALK = "talk", "Talk"
        WORKSHOP = "workshop", "Workshop"
        KEYNOTE = "keynote", "Keynote"
        LIGHTNING = "lightning", "Lightning talk"

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="submission_types")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    duration_minutes = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["kind"]
        constraints = [models.UniqueConstraint(fields=["conference", "kind"], name="growth_subtype_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.duration_minutes} min)"


class CfPQuestion(models.Model):
    """A custom question of the CfP. Answers are shown to reviewers only with `visible_to_reviewers`."""

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(max_length=300)
    help_text = models.CharField(max_length=300, blank=True)
    required = models.BooleanField(default=False)
    visible_to_reviewers = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


class SpeakerProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    bio = models.TextField(blank=True)
    company = models.CharField(max_length=120, blank=True)
    job_title = models.CharField(max_length=120, blank=True)
    website = models.URLField(blank=True)

    def __str__(self) -> str:
        return self.name


class Submission(models.Model):
    class State(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        ACCEPTED = "accepted", "Accepted"
        WAITLISTED = "waitlisted", "Waitlisted"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="submissions")
    track = models.ForeignKey(Track, on_delete=models.PROTECT, related_name="submissions")
    submission_type = models.ForeignKey(SubmissionType, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    abstract = models.TextField()
    description = models.TextField(blank=True)
    notes = models.TextField(blank=True, help_text="For organisers only; never shown to reviewers")
    state = models.CharField(max_length=20, choices=State.choices, default=State.SUBMITTED)
    submitter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class SubmissionSpeaker(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="speakers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    is_primary = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["submission", "user"], name="growth_speaker_unique")]

    def __str__(self) -> str:
        return f"{self.user} on {self.submission}"


class SubmissionAnswer(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(CfPQuestion, on_delete=models.CASCADE, related_name="+")
    value = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["submission", "question"], name="growth_answer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.value[:40]}"


class SubmissionHistory(models.Model):
    """What happened to a submission. `actor_role` ("speaker", "reviewer", "organiser", "system") is what
    reviewers see; the actor itself only organisers."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="history")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_role = models.CharField(max_length=20)
    action = models.CharField(max_length=40)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.actor_role} {self.action}"


class ReviewTeam(models.Model):
    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="review_teams")
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="review_teams")
    name = models.CharField(max_length=100)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")

    def __str__(self) -> str:
        return self.name


class ReviewCriterion(models.Model):
    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(max_length=100)
    weight = models.PositiveSmallIntegerField(default=1)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ×{self.weight}"


class Review(models.Model):
    """Scores 0–5 per criterion; `score` is their weighted mean (Decimal, 2 places)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    scores = models.JSONField(default=dict)
    score = models.DecimalField(max_digits=4, decimal_places=2)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["submission", "reviewer"], name="growth_review_unique")
        ]

    def __str__(self) -> str:
        return f"review of {self.submission_id}: {self.score}"

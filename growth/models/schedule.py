"""The schedule (rooms, sessions, versioned releases), attendees' starred sessions and session Q&A."""

import uuid

from django.conf import settings
from django.db import models

from growth.models.conferences import Conference, Submission, Track


class Room(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=100)
    capacity = models.PositiveIntegerField(null=True, blank=True)
    stream_url = models.URLField(blank=True, help_text="Live stream (virtual venue); ticket holders only")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["conference", "name"], name="growth_room_unique")]

    def __str__(self) -> str:
        return self.name


class Session(models.Model):
    """A slot in the schedule: an accepted submission, or a break/plenary without one."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="sessions")
    submission = models.OneToOneField(
        Submission, on_delete=models.SET_NULL, null=True, blank=True, related_name="session"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="sessions")
    track = models.ForeignKey(Track, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    recording_url = models.URLField(blank=True)

    class Meta:
        ordering = ["starts_at", "room__position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="growth_session_ends"
            )
        ]

    def __str__(self) -> str:
        return self.title


class ScheduleRelease(models.Model):
    """A published version of the schedule: a frozen snapshot and what changed since the previous one."""

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="releases")
    version = models.PositiveIntegerField()
    snapshot = models.JSONField()
    changes = models.JSONField(default=list)
    note = models.CharField(max_length=300, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    released_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "version"], name="growth_release_unique")
        ]

    def __str__(self) -> str:
        return f"{self.conference} v{self.version}"


class SessionStar(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="stars")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "session"], name="growth_star_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} ★ {self.session_id}"


class Question(models.Model):
    class State(models.TextChoices):
        VISIBLE = "visible", "Visible"
        ANSWERED = "answered", "Answered"
        HIDDEN = "hidden", "Hidden by a moderator"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="questions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(max_length=500)
    state = models.CharField(max_length=20, choices=State.choices, default=State.VISIBLE)
    upvotes = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-upvotes", "created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class QuestionVote(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["question", "user"], name="growth_vote_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} ▲ {self.question_id}"

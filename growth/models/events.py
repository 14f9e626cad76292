"""Events (chapter meetups and platform events such as the Summit), RSVPs with a waitlist, and the secret token
behind each user's personal calendar feed."""

import secrets
import uuid

from django.conf import settings
from django.db import models

from growth.models.chapters import Chapter, validate_timezone


class Event(models.Model):
    class Format(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        VIRTUAL = "virtual", "Virtual"
        HYBRID = "hybrid", "Hybrid"

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        CANCELLED = "cancelled", "Cancelled"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(max_length=100, unique=True)
    chapter = models.ForeignKey(
        Chapter,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        help_text="Empty for platform events (the Summit, webinars)",
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    format = models.CharField(max_length=20, choices=Format.choices, default=Format.IN_PERSON)
    venue_name = models.CharField(max_length=200, blank=True)
    venue_address = models.TextField(blank=True, help_text="Shown to confirmed attendees only")
    stream_url = models.URLField(blank=True, help_text="Shown to confirmed attendees only")
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="Free RSVPs; empty = no limit")
    is_ticketed = models.BooleanField(default=False, help_text="Seats are sold as tickets (quotas)")
    offer_hours = models.PositiveSmallIntegerField(
        default=24, help_text="Paid events: hours a waitlist offer stays open before it passes on"
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.PUBLISHED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["state", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="growth_event_ends"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_platform(self) -> bool:
        return self.chapter_id is None


class RSVP(models.Model):
    """A person's place at an event. `going` holds a seat (free events count them against `capacity`; ticketed
    events get one per ticket holder), `waitlisted` queues by `waitlisted_at` then pk."""

    class State(models.TextChoices):
        GOING = "going", "Going"
        WAITLISTED = "waitlisted", "Waitlisted"
        CANCELLED = "cancelled", "Cancelled"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rsvps")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=20, choices=State.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    reminded_24h_at = models.DateTimeField(null=True, blank=True)
    reminded_1h_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="growth_rsvp_unique")]
        indexes = [models.Index(fields=["event", "state", "waitlisted_at"])]

    def __str__(self) -> str:
        return f"{self.user} → {self.event}: {self.state}"


class CalendarToken(models.Model):
    """The secret in a user's personal iCal feed URL; rotating it revokes the old URL."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True, default=secrets.token_urlsafe)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"calendar feed of {self.user}"

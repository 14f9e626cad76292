"""User groups: regional chapters, their organisers and members, the organiser resource library and the
onboarding checklist."""

import uuid
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known IANA timezone (e.g. Europe/Berlin).")


class Region(models.TextChoices):
    AFRICA = "africa", "Africa"
    ASIA_PACIFIC = "asia_pacific", "Asia-Pacific"
    EUROPE = "europe", "Europe"
    LATIN_AMERICA = "latin_america", "Latin America"
    MIDDLE_EAST = "middle_east", "Middle East"
    NORTH_AMERICA = "north_america", "North America"


class Chapter(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    city = models.CharField(max_length=100)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2")
    region = models.CharField(max_length=20, choices=Region.choices)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    language = models.CharField(max_length=10, default="en", help_text="BCP 47 language of the meetings")
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["country", "city", "name"]
        indexes = [models.Index(fields=["country", "region"])]
        permissions = [("manage_community", "Can manage community chapters, conferences and funding")]

    def __str__(self) -> str:
        return self.name


class ChapterOrganiser(models.Model):
    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="organisers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    is_lead = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["chapter", "user"], name="growth_organiser_unique")]

    def __str__(self) -> str:
        return f"{self.user} organises {self.chapter}"


class ChapterMember(models.Model):
    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["chapter", "user"], name="growth_member_unique")]

    def __str__(self) -> str:
        return f"{self.user} in {self.chapter}"


class Resource(models.Model):
    """The organiser library: templates (talk invitations, sponsor letters), guides and materials."""

    class Kind(models.TextChoices):
        TEMPLATE = "template", "Template"
        GUIDE = "guide", "Guide"
        MATERIAL = "material", "Material"

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    summary = models.CharField(max_length=300, blank=True)
    body = models.TextField(help_text="Markdown")
    url = models.URLField(blank=True, help_text="Optional download (slides, artwork)")
    is_published = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "title"]

    def __str__(self) -> str:
        return self.title


class OnboardingCompletion(models.Model):
    """One ticked step of a chapter's organiser onboarding checklist (steps: growth.onboarding.STEPS)."""

    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="onboarding")
    step = models.CharField(max_length=40)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    completed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["chapter", "step"], name="growth_onboarding_unique")]

    def __str__(self) -> str:
        return f"{self.chapter}: {self.step}"

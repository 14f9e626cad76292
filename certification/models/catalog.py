"""Catalog: tracks, certifications (track × level), courses → modules → lessons, translations, resources."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from novacron.core.models import PublicModel, TimestampedModel


class Level(models.TextChoices):
    DEVELOPER = "developer", "Developer"
    ARCHITECT = "architect", "Architect"
    EXPERT = "expert", "Expert"


LEVEL_ORDER = {Level.DEVELOPER: 1, Level.ARCHITECT: 2, Level.EXPERT: 3}


class Track(TimestampedModel):
    """A specialisation track (AI/ML, security, ...). Its item bank is the items that point at it."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    summary = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Certification(PublicModel):
    """What a certificate attests: a track at a level. Its learning path is its courses (by `path_position`);
    it is earned by completing every course of the path, whose completion includes passing the exam."""

    track = models.ForeignKey(Track, on_delete=models.PROTECT, related_name="certifications")
    level = models.CharField(max_length=20, choices=Level.choices)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    criteria = models.TextField(blank=True, help_text="What a holder has shown; goes into the credential.")
    validity_days = models.PositiveIntegerField(default=730, help_text="Certificates expire after this.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["track__position", "level"]
        constraints = [
            models.UniqueConstraint(fields=["track", "level"], name="cert_certification_track_level")
        ]

    def __str__(self) -> str:
        return self.name


class Course(PublicModel):
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    track = models.ForeignKey(Track, on_delete=models.PROTECT, related_name="courses")
    level = models.CharField(max_length=20, choices=Level.choices, default=Level.DEVELOPER)
    certification = models.ForeignKey(
        Certification,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="courses",
        help_text="The certification whose learning path this course is on.",
    )
    path_position = models.PositiveSmallIntegerField(default=0)
    prerequisites = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="unlocks")
    instructor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="taught_courses",
    )
    default_language = models.CharField(max_length=10, default="en")
    estimated_minutes = models.PositiveIntegerField(default=60)
    price_amount = models.PositiveIntegerField(default=0, help_text="Minor units; 0 means free.")
    price_currency = models.CharField(max_length=3, default="USD")
    instructor_sells = models.BooleanField(
        default=False, help_text="Sold by the instructor's seller (70/30 share) rather than the platform."
    )
    cohort_days = models.PositiveSmallIntegerField(
        default=42, help_text="Length of a cohort run: the course deadline is the cohort start plus this."
    )
    is_published = models.BooleanField(default=False)

    class Meta:
        ordering = ["track__position", "path_position", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_free(self) -> bool:
        return self.price_amount == 0


class Module(TimestampedModel):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    title = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)
    due_offset_days = models.PositiveSmallIntegerField(
        default=7, help_text="In a cohort, this module is due this many days after the cohort starts."
    )

    class Meta:
        ordering = ["course", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class Lesson(PublicModel):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lessons")
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown in the course's default language (sanitised when shown).")
    video_url = models.URLField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    estimated_minutes = models.PositiveSmallIntegerField(default=10)
    is_required = models.BooleanField(default=True)

    class Meta:
        ordering = ["module__position", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class LessonTranslation(TimestampedModel):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=10)
    title = models.CharField(max_length=200)
    body = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lesson", "language"], name="cert_lesson_translation_lang")
        ]

    def __str__(self) -> str:
        return f"{self.lesson} [{self.language}]"


class Resource(TimestampedModel):
    """A downloadable file or a link attached to a lesson."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="resources")
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to="certification/resources/", blank=True)
    url = models.URLField(blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(file="") | ~models.Q(url=""), name="cert_resource_file_or_url"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def href(self) -> str:
        """The link, or for a file the learners-only download page (uploads are never public)."""
        if not self.file:
            return self.url
        lesson = self.lesson
        return reverse(
            "certification:resource",
            kwargs={"slug": lesson.module.course.slug, "lesson_id": lesson.public_id, "pk": self.pk},
        )

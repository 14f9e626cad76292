"""Enrolments, cohorts, lesson progress and the learner's public profile."""

from datetime import timedelta

from django.conf import settings
from django.db import models

from certification.models.catalog import Course, Lesson
from novacron.core.models import PublicModel, TimestampedModel


class Cohort(PublicModel):
    """A scheduled run of a course; module and course deadlines derive from `starts_on`."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="cohorts")
    name = models.CharField(max_length=120)
    starts_on = models.DateField()
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: unlimited.")

    class Meta:
        ordering = ["course", "starts_on"]

    def __str__(self) -> str:
        return f"{self.course} — {self.name}"

    @property
    def ends_on(self):
        return self.starts_on + timedelta(days=self.course.cohort_days)


class Enrolment(PublicModel):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Source(models.TextChoices):
        FREE = "free", "Free"
        PAID = "paid", "Paid"
        STAFF = "staff", "Granted by staff"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrolments")
    cohort = models.ForeignKey(
        Cohort, null=True, blank=True, on_delete=models.SET_NULL, related_name="enrolments"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.FREE)
    order_id = models.CharField(max_length=64, blank=True, help_text="Revenue order for paid enrolments.")
    language = models.CharField(max_length=10, blank=True, help_text="The learner's chosen language.")
    last_lesson = models.ForeignKey(
        Lesson, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="cert_enrolment_user_course")]

    def __str__(self) -> str:
        return f"{self.user} in {self.course}"


class LessonProgress(TimestampedModel):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="progress")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "lesson"], name="cert_progress_enrolment_lesson")
        ]


class LearnerProfile(TimestampedModel):
    """Opt-in public profile listing a learner's certificates at /learn/people/<handle>/."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learner_profile"
    )
    handle = models.SlugField(max_length=60, unique=True)
    is_public = models.BooleanField(default=False)
    headline = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return self.handle

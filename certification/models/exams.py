"""Item banks, exams with blueprints, attempts and their drawn items.

The answer key (`Item.answer`) is server-side only: serializers and templates never read it before an attempt is
submitted, and `AttemptItem.option_order` holds only option ids in the shuffled order shown to the learner.
"""

from django.conf import settings
from django.db import models

from certification.models.catalog import Certification, Track
from novacron.core.models import PublicModel, TimestampedModel


class Difficulty(models.IntegerChoices):
    EASY = 1, "Easy"
    MEDIUM = 2, "Medium"
    HARD = 3, "Hard"


class Item(PublicModel):
    """One exam question in a track's item bank.

    `options`: [{"id": "a", "text": "..."}] for single/multiple choice and ordering.
    `answer` by kind — single: {"correct": "a"}; multiple: {"correct": ["a", "c"]};
    numeric: {"value": 2.5, "tolerance": 0.1}; text: {"accepted": ["etcd"], "pattern": "", "case_sensitive": false};
    ordering: {"order": ["b", "a", "c"]}.
    """

    class Kind(models.TextChoices):
        SINGLE = "single", "Single choice"
        MULTIPLE = "multiple", "Multiple choice"
        NUMERIC = "numeric", "Numeric"
        TEXT = "text", "Short text"
        ORDERING = "ordering", "Ordering"

    track = models.ForeignKey(Track, on_delete=models.PROTECT, related_name="items")
    skill = models.SlugField(max_length=60, help_text="The skill this item measures, e.g. 'consensus'.")
    difficulty = models.PositiveSmallIntegerField(choices=Difficulty.choices, default=Difficulty.MEDIUM)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    stem = models.TextField(help_text="The question, Markdown.")
    options = models.JSONField(default=list, blank=True)
    answer = models.JSONField(default=dict)
    explanation = models.TextField(blank=True, help_text="Shown after submission.")
    points = models.PositiveSmallIntegerField(default=1)
    is_active = models.BooleanField(default=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Item statistics, recomputed by the certification.item_statistics task.
    responses = models.PositiveIntegerField(default=0)
    p_value = models.FloatField(null=True, blank=True, help_text="Difficulty: proportion correct.")
    point_biserial = models.FloatField(null=True, blank=True, help_text="Discrimination.")
    stats_updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["track", "skill", "difficulty", "pk"]
        indexes = [models.Index(fields=["track", "skill", "difficulty", "is_active"])]

    def __str__(self) -> str:
        return f"{self.track.slug}/{self.skill}: {self.stem[:60]}"


class Exam(PublicModel):
    """`blueprint`: [{"skill": "consensus", "difficulty": 2, "count": 3}, ...] drawn at random per attempt."""

    class Kind(models.TextChoices):
        CERTIFICATION = "certification", "Certification exam"
        RECERTIFICATION = "recertification", "Recertification exam"

    certification = models.ForeignKey(Certification, on_delete=models.PROTECT, related_name="exams")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.CERTIFICATION)
    title = models.CharField(max_length=200)
    blueprint = models.JSONField(default=list)
    time_limit_minutes = models.PositiveSmallIntegerField(default=30)
    grace_seconds = models.PositiveSmallIntegerField(
        default=30, help_text="Network slack after the deadline during which a submission is still scored."
    )
    pass_mark = models.PositiveSmallIntegerField(default=70, help_text="Percent of points needed to pass.")
    max_attempts = models.PositiveSmallIntegerField(default=3, help_text="0 means unlimited.")
    cooldown_hours = models.PositiveSmallIntegerField(default=24, help_text="Wait after a failed attempt.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["certification", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pass_mark__lte=100), name="cert_exam_pass_mark_percent"
            ),
            models.UniqueConstraint(
                fields=["certification", "kind"],
                condition=models.Q(is_active=True),
                name="cert_exam_one_active_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def item_count(self) -> int:
        return sum(int(row.get("count", 0)) for row in self.blueprint or [])


class Attempt(PublicModel):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Submitted"
        EXPIRED = "expired", "Auto-submitted at the time limit"

    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, related_name="attempts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exam_attempts")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    started_at = models.DateTimeField()
    deadline = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    score = models.PositiveIntegerField(null=True, blank=True)
    max_score = models.PositiveIntegerField(default=0)
    percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(null=True)
    skill_scores = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            # One open attempt per learner and exam: a second start returns the open one.
            models.UniqueConstraint(
                fields=["exam", "user"],
                condition=models.Q(status="in_progress"),
                name="cert_attempt_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.exam} · {self.status}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.IN_PROGRESS


class AttemptItem(TimestampedModel):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="attempt_items")
    position = models.PositiveSmallIntegerField()
    option_order = models.JSONField(default=list, help_text="Option ids in the shuffled order shown.")
    response = models.JSONField(null=True, blank=True)
    is_correct = models.BooleanField(null=True)
    points = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="cert_attempt_item_position"),
            models.UniqueConstraint(fields=["attempt", "item"], name="cert_attempt_item_once"),
        ]

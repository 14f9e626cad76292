"""Automated check results and reviewer comments of a version's submission."""

from django.conf import settings
from django.db import models


class CheckResult(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PASS = "pass", "Pass"
        WARN = "warn", "Warning"
        FAIL = "fail", "Fail"

    version = models.ForeignKey("marketplace.AppVersion", on_delete=models.CASCADE, related_name="checks")
    check_name = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    message = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    run = models.PositiveIntegerField(default=1, help_text="Submission number")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["version", "-run", "check_name"]
        constraints = [
            models.UniqueConstraint(fields=["version", "run", "check_name"], name="mkt_check_once_per_run")
        ]

    def __str__(self) -> str:
        return f"{self.check_name}: {self.status}"


class ReviewComment(models.Model):
    """A message on a submission, between the reviewers and the publisher."""

    version = models.ForeignKey("marketplace.AppVersion", on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_reviewer = models.BooleanField(default=True)
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:40]

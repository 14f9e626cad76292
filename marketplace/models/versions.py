"""App versions and their workflow: draft → submitted → in review → published, then deprecated or suspended.

The allowed transitions live in `TRANSITIONS`; `services.versions` is the only code that changes `state`.
"""

from django.conf import settings
from django.db import models

from novacron.core.models import PublicModel


class AppVersion(PublicModel):
    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted (automated checks)"
        IN_REVIEW = "in_review", "In review"
        PUBLISHED = "published", "Published"
        REJECTED = "rejected", "Rejected"
        DEPRECATED = "deprecated", "Deprecated"
        SUSPENDED = "suspended", "Suspended"

    app = models.ForeignKey("marketplace.App", on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(max_length=40)
    major = models.PositiveIntegerField(default=0)
    minor = models.PositiveIntegerField(default=0)
    patch = models.PositiveIntegerField(default=0)
    changelog = models.TextField(blank=True, help_text="Markdown")
    manifest = models.JSONField(default=dict, blank=True)
    source_bundle = models.FileField(upload_to="marketplace/bundles/", blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submission = models.PositiveIntegerField(default=0, help_text="How many times it was submitted")
    submitted_at = models.DateTimeField(null=True, blank=True)
    checks_completed_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True, help_text="Entered the manual review queue")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    checklist = models.JSONField(default=dict, blank=True, help_text="Reviewer checklist answers")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["app", "-major", "-minor", "-patch"]
        constraints = [models.UniqueConstraint(fields=["app", "version"], name="mkt_version_once")]
        indexes = [models.Index(fields=["state", "queued_at"], name="mkt_version_queue")]

    def __str__(self) -> str:
        return f"{self.app.name} {self.version}"

    @property
    def scopes(self) -> list[str]:
        return list(self.manifest.get("scopes", [])) if isinstance(self.manifest, dict) else []


S = AppVersion.State
# (from, to) -> who may do it: "publisher", "reviewer" or "system"
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.DRAFT, S.SUBMITTED): "publisher",
    (S.REJECTED, S.SUBMITTED): "publisher",
    (S.SUBMITTED, S.IN_REVIEW): "system",  # every automated check done, none failed
    (S.SUBMITTED, S.REJECTED): "system",  # a quality gate failed
    (S.IN_REVIEW, S.PUBLISHED): "reviewer",
    (S.IN_REVIEW, S.REJECTED): "reviewer",
    (S.PUBLISHED, S.DEPRECATED): "publisher",  # or the system, when a newer version is published
    (S.PUBLISHED, S.SUSPENDED): "reviewer",
    (S.SUSPENDED, S.PUBLISHED): "reviewer",
}
EDITABLE_STATES = (S.DRAFT, S.REJECTED)

REVIEW_CHECKLIST: tuple[tuple[str, str], ...] = (
    ("listing_accurate", "The listing text and screenshots match what the app does"),
    ("scopes_justified", "Every requested scope is needed by a declared feature"),
    ("privacy_terms", "The privacy policy and terms exist and cover this app"),
    ("tested_install", "Installed and tried the version on a test organisation"),
    ("no_harmful_content", "No harmful, misleading or infringing content"),
)

"""App certification: publishers apply for a badge with a security self-assessment, a declared support SLA and an
uptime SLO; reviewers grant it for a year."""

from decimal import Decimal

from django.conf import settings
from django.db import models

from novacron.core.models import PublicModel


class BadgeKind(models.TextChoices):
    CERTIFIED = "certified", "Certified"
    ENTERPRISE_READY = "enterprise_ready", "Enterprise ready"


class CertificationRequest(PublicModel):
    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        GRANTED = "granted", "Granted"
        REJECTED = "rejected", "Rejected"

    app = models.ForeignKey(
        "marketplace.App", on_delete=models.CASCADE, related_name="certification_requests"
    )
    kind = models.CharField(max_length=20, choices=BadgeKind.choices)
    questionnaire = models.JSONField(default=dict, help_text="Security self-assessment answers")
    support_response_hours = models.PositiveIntegerField(help_text="Declared first-response time")
    uptime_slo = models.DecimalField(max_digits=6, decimal_places=3, default=Decimal("99.0"))
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING, db_index=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["app", "kind"],
                condition=models.Q(state="pending"),
                name="mkt_cert_request_pending_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.app} — {self.get_kind_display()}"


class Badge(models.Model):
    app = models.ForeignKey("marketplace.App", on_delete=models.CASCADE, related_name="badges")
    kind = models.CharField(max_length=20, choices=BadgeKind.choices)
    request = models.OneToOneField(CertificationRequest, on_delete=models.PROTECT, related_name="badge")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-granted_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} until {self.expires_at:%Y-%m-%d}"

"""Issuer keys, certificates (signed Open Badges 3.0 credentials) and recertification reminders."""

from django.conf import settings
from django.db import models

from certification.models.catalog import Certification
from novacron.core.models import PublicModel, TimestampedModel


class IssuerKey(TimestampedModel):
    """An Ed25519 signing key. The private key is stored encrypted (Fernet, key derived from
    CERTIFICATION_KEY_SECRET or SECRET_KEY) unless CERTIFICATION_ISSUER_KEY_FILE points at a PEM file. Retired
    keys stay published so certificates they signed keep verifying."""

    kid = models.CharField(max_length=64, unique=True)
    public_jwk = models.JSONField()
    private_key_encrypted = models.TextField(blank=True)
    key_file = models.CharField(max_length=500, blank=True)
    is_active = models.BooleanField(default=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="cert_one_active_key"
            )
        ]

    def __str__(self) -> str:
        return self.kid


class Certificate(PublicModel):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        REVOKED = "revoked", "Revoked"
        SUPERSEDED = "superseded", "Superseded by a recertification"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates")
    certification = models.ForeignKey(Certification, on_delete=models.PROTECT, related_name="certificates")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    issued_at = models.DateTimeField()
    valid_from = models.DateTimeField()
    expires_at = models.DateTimeField()
    recipient_name = models.CharField(max_length=200)
    recipient_country = models.CharField(max_length=2, blank=True)
    status_list_index = models.PositiveIntegerField(unique=True)
    issuer_key = models.ForeignKey(IssuerKey, on_delete=models.PROTECT, related_name="certificates")
    credential = models.JSONField(help_text="The unsigned OpenBadgeCredential (what the JWT payload holds).")
    jwt = models.TextField(help_text="The signed VC-JWT: the credential as issued.")
    attempt = models.ForeignKey("certification.Attempt", null=True, blank=True, on_delete=models.SET_NULL)
    supersedes = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "certification"],
                condition=models.Q(status="active"),
                name="cert_one_active_certificate",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("valid_from")), name="cert_valid_window"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.certification} — {self.recipient_name}"


class ReminderSent(models.Model):
    """One row per certificate and threshold (90/30/7 days): the reminder task's idempotency record."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["certificate", "days_before"], name="cert_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.certificate_id}: {self.days_before} days"

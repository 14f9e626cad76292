"""Publishers (a user or an organisation) and the versioned developer agreement they accept."""

from django.conf import settings
from django.db import models

from novacron.core.models import PublicModel, TimestampedModel


class Publisher(PublicModel):
    """Who publishes apps. Exactly one of `user` / `organization`; `seller_id` is revenue's seller that receives
    the sales (a developer seller for a user, a partner seller for an organisation)."""

    class Kind(models.TextChoices):
        USER = "user", "Individual developer"
        ORGANIZATION = "organization", "Organisation"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    display_name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="marketplace_publisher",
    )
    organization = models.OneToOneField(
        "accounts.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="marketplace_publisher",
    )
    website = models.URLField(blank=True)
    support_email = models.EmailField(blank=True)
    seller_id = models.PositiveBigIntegerField(help_text="revenue seller receiving this publisher's sales")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["display_name"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="user", user__isnull=False, organization__isnull=True)
                    | models.Q(kind="organization", user__isnull=True, organization__isnull=False)
                ),
                name="mkt_publisher_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.display_name


class DeveloperAgreement(TimestampedModel):
    """A version of the developer agreement; the newest one with `effective_at` in the past is current."""

    version = models.CharField(max_length=20, unique=True)
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown")
    effective_at = models.DateTimeField()

    class Meta:
        ordering = ["-effective_at"]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class AgreementAcceptance(models.Model):
    publisher = models.ForeignKey(Publisher, on_delete=models.CASCADE, related_name="acceptances")
    agreement = models.ForeignKey(DeveloperAgreement, on_delete=models.PROTECT, related_name="acceptances")
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-accepted_at"]
        constraints = [
            models.UniqueConstraint(fields=["publisher", "agreement"], name="mkt_acceptance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.publisher} accepted v{self.agreement.version}"

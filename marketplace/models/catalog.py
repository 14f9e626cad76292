"""The listing side of an app: categories, verticals, tags, languages, logo and screenshots.

`App` carries denormalised catalog figures (rating average/distribution, install count, listed flag) that the
services keep current inside the transactions that change them, so the catalog never aggregates per request.
On PostgreSQL the table also has a generated, GIN-indexed `search_vector` column (migration 0002) that is not a
model field: SQLite has no tsvector, and the search selector reaches it with SQL.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from novacron.core.models import PublicModel


class Vertical(models.TextChoices):
    GENERAL = "general", "Cross-industry"
    HEALTHCARE = "healthcare", "Healthcare"
    FINANCE = "finance", "Finance"
    RETAIL = "retail", "Retail"
    MANUFACTURING = "manufacturing", "Manufacturing"
    EDUCATION = "education", "Education"
    PUBLIC_SECTOR = "public_sector", "Public sector"
    LOGISTICS = "logistics", "Logistics"


LANGUAGES: dict[str, str] = {
    "en": "English",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
    "ja": "Japanese",
    "zh": "Chinese",
    "hi": "Hindi",
}


# Facet bitmasks denormalised on App (kept by services.facets): one bit per pricing model and per language, so
# the catalog filters and counts them in the same single pass over the matching apps as the other facets.
PRICE_MODELS: tuple[str, ...] = ("free", "one_time", "subscription", "per_seat", "usage")


PRICE_BITS: dict[str, int] = {model: 1 << i for i, model in enumerate(PRICE_MODELS)}
LANGUAGE_BITS: dict[str, int] = {code: 1 << i for i, code in enumerate(LANGUAGES)}


def price_bit(model: str) -> int:
    return PRICE_BITS[model]


def language_bit(code: str) -> int:
    return LANGUAGE_BITS[code]


class Category(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=80)
    description = models.CharField(max_length=255, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    slug = models.SlugField(max_length=50, unique=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


class App(PublicModel):
    publisher = models.ForeignKey("marketplace.Publisher", on_delete=models.PROTECT, related_name="apps")
    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80, unique=True)
    tagline = models.CharField(max_length=140)
    description = models.TextField(help_text="Markdown; rendered sanitised")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="apps")
    vertical = models.CharField(max_length=20, choices=Vertical.choices, default=Vertical.GENERAL)
    tags = models.ManyToManyField(Tag, blank=True, related_name="apps")
    logo = models.ImageField(upload_to="marketplace/logos/", blank=True)
    documentation_url = models.URLField(blank=True)
    support_url = models.URLField(blank=True)
    privacy_policy_url = models.URLField(blank=True)
    terms_url = models.URLField(blank=True)
    # Catalog figures, kept current by the services.
    is_listed = models.BooleanField(default=False, help_text="Has a published version")
    published_at = models.DateTimeField(null=True, blank=True, help_text="First publication")
    install_count = models.PositiveIntegerField(default=0)
    price_model_bits = models.PositiveSmallIntegerField(default=0, help_text="Active plans' models (bitmask)")
    language_bits = models.PositiveIntegerField(default=0, help_text="Supported languages (bitmask)")
    rating_average = models.DecimalField(max_digits=3, decimal_places=2, default=Decimal("0"))
    rating_count = models.PositiveIntegerField(default=0)
    rating_distribution = models.JSONField(default=dict, blank=True, help_text='{"1": n, ..., "5": n}')
    # Entitlement API credential: sha256 of the secret; the secret is shown once to the publisher.
    api_key_hash = models.CharField(max_length=64, blank=True)
    api_key_prefix = models.CharField(max_length=12, blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["is_listed", "category"], name="mkt_app_listed_cat"),
            models.Index(fields=["is_listed", "vertical"], name="mkt_app_listed_vertical"),
            models.Index(fields=["is_listed", "-install_count"], name="mkt_app_listed_installs"),
            models.Index(fields=["is_listed", "-rating_average"], name="mkt_app_listed_rating"),
            models.Index(fields=["is_listed", "-published_at"], name="mkt_app_listed_newest"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("marketplace:app", kwargs={"slug": self.slug})


class AppLanguage(models.Model):
    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="languages")
    code = models.CharField(max_length=8, choices=list(LANGUAGES.items()))

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["app", "code"], name="mkt_app_language_once")]

    def __str__(self) -> str:
        return self.code


class Screenshot(models.Model):
    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="screenshots")
    image = models.ImageField(upload_to="marketplace/screenshots/")
    caption = models.CharField(max_length=140, blank=True)
    position = models.PositiveSmallIntegerField(
        default=0, validators=[MinValueValidator(0), MaxValueValidator(99)]
    )
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.caption or f"Screenshot {self.pk}"

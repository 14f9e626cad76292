"""Builders for marketplace tests. `make_app` writes rows directly (fast set-up for tests about something else);
the workflow itself is exercised through the services in the tests that are about it."""

import io
from itertools import count

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from marketplace.models import App, AppLanguage, AppVersion, Category, Plan, Publisher
from marketplace.services.facets import app_refresh_facet_bits
from marketplace.services.publishers import agreement_current, publisher_register

_seq = count(1)

GOOD_MANIFEST = {
    "manifest_version": 1,
    "scopes": ["schedules:read", "runs:read"],
    "features": ["dashboards"],
    "compatibility": {"min_platform": "3.0"},
}
DESCRIPTION = (
    "Cron Insights shows every schedule of your NovaCron organisation on one dashboard: run history, failure "
    "rates, slowest jobs and the trend of each. Filter by team, export to CSV and share a read-only link with "
    "stakeholders. Works with every NovaCron plan and needs only read access to schedules and runs."
)


def make_publisher(user, name: str | None = None) -> Publisher:
    return publisher_register(
        user=user,
        display_name=name or f"Publisher {next(_seq)}",
        agreement_version=agreement_current().version,
    )


def png(width: int = 1280, height: int = 720, fmt: str = "PNG", name: str = "shot.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (40, 90, 200)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def make_app(
    publisher: Publisher,
    *,
    name: str | None = None,
    published: bool = True,
    plans: list[dict] | None = None,
    tagline: str = "Dashboards for your schedules",
    description: str = DESCRIPTION,
    category: str = "monitoring",
    vertical: str = "general",
    manifest: dict | None = None,
) -> App:
    n = next(_seq)
    name = name or f"Test App {n}"
    app = App.objects.create(
        publisher=publisher,
        name=name,
        slug=f"test-app-{n}",
        tagline=tagline,
        description=description,
        category=Category.objects.get(slug=category),
        vertical=vertical,
        is_listed=published,
        published_at=timezone.now() if published else None,
    )
    AppLanguage.objects.create(app=app, code="en")
    for i, spec in enumerate(plans if plans is not None else [{"name": "Free", "model": "free"}]):
        Plan.objects.create(app=app, position=i, **spec)
    app_refresh_facet_bits(app.pk)
    AppVersion.objects.create(
        app=app,
        version="1.0.0",
        major=1,
        state=AppVersion.State.PUBLISHED if published else AppVersion.State.DRAFT,
        manifest=manifest or GOOD_MANIFEST,
        published_at=timezone.now() if published else None,
    )
    return app

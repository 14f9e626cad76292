"""Listings: create and edit an app, its logo, screenshots, tags, languages and the entitlement API key."""

import hashlib
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from marketplace.exceptions import Conflict, ValidationError
from marketplace.models import App, AppLanguage, Category, Publisher, Screenshot, Tag, Vertical
from marketplace.models.catalog import LANGUAGES
from marketplace.services.facets import app_refresh_facet_bits
from marketplace.services.permissions import require_app_owner, require_publisher
from marketplace.services.uploads import LOGO, SCREENSHOT, validate_image
from novacron.core.services.audit import audit_record

LISTING_FIELDS = (
    "name",
    "tagline",
    "description",
    "vertical",
    "documentation_url",
    "support_url",
    "privacy_policy_url",
    "terms_url",
)
MAX_SCREENSHOTS = 8
MAX_TAGS = 10
# Portal paths under /marketplace/ that an app slug must not shadow.
RESERVED_SLUGS = {"publish", "review", "reviews", "installed", "schemas", "api", "static", "media"}


def _clean_tags(tags: list[str] | str | None) -> list[str]:
    if tags is None:
        return []
    if isinstance(tags, str):
        tags = tags.split(",")
    cleaned = sorted({slugify(t)[:50] for t in tags if slugify(t)})
    if len(cleaned) > MAX_TAGS:
        raise ValidationError(f"Use at most {MAX_TAGS} tags.", field="tags")
    return cleaned


def _clean_languages(languages: list[str] | None) -> list[str]:
    languages = sorted(set(languages or []))
    unknown = [code for code in languages if code not in LANGUAGES]
    if unknown:
        raise ValidationError(f"Unknown language code(s): {', '.join(unknown)}.", field="languages")
    return languages


def _validate_listing(values: dict[str, Any]) -> None:
    for field, label, limit in (("name", "a name", 80), ("tagline", "a tagline", 140)):
        if field in values and not str(values[field] or "").strip():
            raise ValidationError(f"Give the app {label}.", field=field)
        if field in values and len(values[field]) > limit:
            raise ValidationError(f"At most {limit} characters.", field=field)
    if "vertical" in values and values["vertical"] not in Vertical.values:
        raise ValidationError("Choose a vertical from the list.", field="vertical")


def _set_tags_and_languages(app: App, tags: list[str] | None, languages: list[str] | None) -> None:
    if tags is not None:
        app.tags.set([Tag.objects.get_or_create(slug=slug)[0] for slug in tags])
    if languages is not None:
        AppLanguage.objects.filter(app=app).exclude(code__in=languages).delete()
        for code in languages:
            AppLanguage.objects.get_or_create(app=app, code=code)
        app_refresh_facet_bits(app.pk)


def app_create(
    *,
    publisher: Publisher,
    user: Any,
    name: str,
    tagline: str,
    description: str,
    category: Category,
    slug: str = "",
    tags: list[str] | str | None = None,
    languages: list[str] | None = None,
    logo: Any = None,
    **links: Any,
) -> App:
    require_publisher(user, publisher)
    values = {"name": name, "tagline": tagline, "description": description, **links}
    values.setdefault("vertical", Vertical.GENERAL)
    _validate_listing(values)
    slug = slugify(slug or name)[:80]
    if not slug:
        raise ValidationError("The name needs at least one letter or digit.", field="name")
    if slug in RESERVED_SLUGS:
        raise ValidationError(f'"{slug}" is reserved; choose another slug.', field="slug")
    clean_tags, clean_languages = _clean_tags(tags), _clean_languages(languages or ["en"])
    if logo is not None:
        validate_image(logo, LOGO)
    unknown = set(values) - set(LISTING_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    try:
        with transaction.atomic():
            app = App(publisher=publisher, slug=slug, category=category, **values)
            if logo is not None:
                app.logo = logo
            app.save()
            _set_tags_and_languages(app, clean_tags, clean_languages)
            audit_record(
                actor=user, action="marketplace.app.create", obj=app, after={"slug": slug, "name": name}
            )
    except IntegrityError as exc:
        raise Conflict(f'The address "{slug}" is taken; choose another slug.', field="slug") from exc
    return app


def app_update(
    *,
    app: App,
    user: Any,
    category: Category | None = None,
    tags: list[str] | str | None = None,
    languages: list[str] | None = None,
    logo: Any = None,
    **values: Any,
) -> App:
    require_app_owner(user, app)
    unknown = set(values) - set(LISTING_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    _validate_listing(values)
    clean_tags = _clean_tags(tags) if tags is not None else None
    clean_languages = _clean_languages(languages) if languages is not None else None
    if logo is not None:
        validate_image(logo, LOGO)
    with transaction.atomic():
        app = App.objects.select_for_update().get(pk=app.pk)
        before = {k: getattr(app, k) for k in values}
        for key, value in values.items():
            setattr(app, key, value)
        if category is not None:
            app.category = category
        if logo is not None:
            app.logo = logo
        app.save()
        _set_tags_and_languages(app, clean_tags, clean_languages)
        audit_record(actor=user, action="marketplace.app.update", obj=app, before=before, after=values)
    return app


def screenshot_add(*, app: App, user: Any, image: Any, caption: str = "") -> Screenshot:
    require_app_owner(user, app)
    width, height = validate_image(image, SCREENSHOT)
    with transaction.atomic():
        App.objects.select_for_update().get(pk=app.pk)  # serialise the count check
        count = app.screenshots.count()
        if count >= MAX_SCREENSHOTS:
            raise ValidationError(f"An app has at most {MAX_SCREENSHOTS} screenshots.", field="image")
        shot = Screenshot.objects.create(
            app=app,
            image=image,
            caption=caption[:140],
            position=count,
            width=width,
            height=height,
            uploaded_by=user,
        )
        audit_record(actor=user, action="marketplace.screenshot.add", obj=app, after={"screenshot": shot.pk})
    return shot


def screenshot_delete(*, screenshot: Screenshot, user: Any) -> None:
    require_app_owner(user, screenshot.app)
    with transaction.atomic():
        audit_record(
            actor=user,
            action="marketplace.screenshot.delete",
            obj=screenshot.app,
            before={"screenshot": screenshot.pk},
        )
        screenshot.delete()


def _hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_key_rotate(*, app: App, user: Any) -> str:
    """A new entitlement API key for the app (the old one stops working). The key is returned once."""
    require_app_owner(user, app)
    secret = "mkt_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        App.objects.filter(pk=app.pk).update(api_key_hash=_hash_key(secret), api_key_prefix=secret[:12])
        audit_record(
            actor=user, action="marketplace.app.rotate_api_key", obj=app, after={"prefix": secret[:12]}
        )
    app.api_key_hash, app.api_key_prefix = _hash_key(secret), secret[:12]
    return secret


def app_for_api_key(secret: str) -> App | None:
    if not secret or not secret.startswith("mkt_"):
        return None
    return App.objects.filter(api_key_hash=_hash_key(secret)).first()

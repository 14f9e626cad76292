"""Organisations: create (the creator becomes the owner) and update their details."""

import uuid
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator, validate_slug
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from novacron.accounts import rules
from novacron.accounts.countries import is_country_code
from novacron.accounts.models import Membership, Organization, OrgRole, User
from novacron.accounts.services._shared import lock_organization, role_in, staff_can
from novacron.core.exceptions import Conflict, PermissionDenied, ValidationError
from novacron.core.services.audit import audit_record

NAME_MAX_LENGTH = Organization._meta.get_field("name").max_length
SLUG_MAX_LENGTH = Organization._meta.get_field("slug").max_length
_UNSET: Any = object()


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError("Give the organisation a name.", field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(f"Use at most {NAME_MAX_LENGTH} characters.", field="name")
    return name


def _clean_slug(slug: str) -> str:
    slug = (slug or "").strip().lower()
    try:
        validate_slug(slug)
    except DjangoValidationError:
        raise ValidationError(
            "Use only lowercase letters, numbers, hyphens and underscores.", field="slug"
        ) from None
    if len(slug) > SLUG_MAX_LENGTH:
        raise ValidationError(f"Use at most {SLUG_MAX_LENGTH} characters.", field="slug")
    try:
        uuid.UUID(slug)
    except ValueError:
        return slug
    # URLs accept a slug or a public id, so a slug must never parse as a UUID.
    raise ValidationError("A slug cannot look like an ID; choose a readable one.", field="slug")


def _clean_kind(kind: str) -> str:
    if kind not in Organization.Kind.values:
        raise ValidationError(
            f"Choose one of: {', '.join(Organization.Kind.values)}.", field="kind", code="invalid_choice"
        )
    return kind


def _clean_country(country: str) -> str:
    country = (country or "").strip().upper()
    if country and not is_country_code(country):
        raise ValidationError("Use a two-letter ISO 3166 country code such as DE or BR.", field="country")
    return country


def _clean_website(website: str) -> str:
    website = (website or "").strip()
    if website:
        try:
            URLValidator(schemes=["http", "https"])(website)
        except DjangoValidationError:
            raise ValidationError(
                "Enter a full web address starting with https://.", field="website"
            ) from None
    return website


def _free_slug(base: str) -> str:
    base = base[:SLUG_MAX_LENGTH].strip("-") or "org"
    candidate, n = base, 1
    while Organization.objects.filter(slug=candidate).exists():
        n += 1
        suffix = f"-{n}"
        candidate = f"{base[: SLUG_MAX_LENGTH - len(suffix)]}{suffix}"
    return candidate


def _details(organization: Organization) -> dict[str, Any]:
    return {
        "name": organization.name,
        "slug": organization.slug,
        "kind": organization.kind,
        "country": organization.country,
        "website": organization.website,
    }


def organization_create(
    *,
    creator: User,
    name: str,
    slug: str = "",
    kind: str = Organization.Kind.COMPANY,
    country: str = "",
    website: str = "",
) -> Organization:
    """Create an organisation with `creator` as its owner. Without a slug one is made from the name;
    an explicit slug that is taken is a Conflict."""
    name = _clean_name(name)
    kind = _clean_kind(kind)
    country = _clean_country(country)
    website = _clean_website(website)
    explicit_slug = bool((slug or "").strip())
    if explicit_slug:
        slug = _clean_slug(slug)
    else:
        slug = slugify(name)[:SLUG_MAX_LENGTH].strip("-")
        if not slug:
            raise ValidationError(
                "The name needs some letters or digits to make a web address from.", field="name"
            )
        slug = _clean_slug(slug)
    try:
        with transaction.atomic():
            if explicit_slug and Organization.objects.filter(slug=slug).exists():
                raise Conflict("This slug is taken; choose another.", field="slug", code="slug_taken")
            organization = Organization.objects.create(
                name=name,
                slug=slug if explicit_slug else _free_slug(slug),
                kind=kind,
                country=country,
                website=website,
            )
            membership = Membership.objects.create(
                organization=organization, user=creator, role=OrgRole.OWNER
            )
            audit_record(
                actor=creator, action="organization.created", obj=organization, after=_details(organization)
            )
            audit_record(
                actor=creator,
                action="membership.created",
                obj=organization,
                after={"user": str(creator.public_id), "email": creator.email, "role": membership.role},
            )
    except IntegrityError:  # a concurrent create took the slug between our check and insert
        raise Conflict("This slug is taken; choose another.", field="slug", code="slug_taken") from None
    return organization


def organization_update(
    *,
    actor: User,
    organization: Organization,
    name: str = _UNSET,
    slug: str = _UNSET,
    kind: str = _UNSET,
    country: str = _UNSET,
    website: str = _UNSET,
) -> Organization:
    """Change an organisation's details (owners and admins). Arguments left out stay as they are."""
    changes: dict[str, Any] = {}
    if name is not _UNSET:
        changes["name"] = _clean_name(name)
    if slug is not _UNSET:
        changes["slug"] = _clean_slug(slug)
    if kind is not _UNSET:
        changes["kind"] = _clean_kind(kind)
    if country is not _UNSET:
        changes["country"] = _clean_country(country)
    if website is not _UNSET:
        changes["website"] = _clean_website(website)
    try:
        with transaction.atomic():
            organization = lock_organization(organization)
            if not (
                rules.can_manage(role_in(organization, actor))
                or staff_can(actor, "accounts.change_organization")
            ):
                raise PermissionDenied("Only the organisation's owners and admins can change its details.")
            before = _details(organization)
            changes = {key: value for key, value in changes.items() if getattr(organization, key) != value}
            if not changes:
                return organization
            if "slug" in changes and Organization.objects.filter(slug=changes["slug"]).exists():
                raise Conflict("This slug is taken; choose another.", field="slug", code="slug_taken")
            for key, value in changes.items():
                setattr(organization, key, value)
            organization.save(update_fields=[*changes, "updated_at"])
            audit_record(
                actor=actor,
                action="organization.updated",
                obj=organization,
                before={key: before[key] for key in changes},
                after=changes,
            )
    except IntegrityError:
        raise Conflict("This slug is taken; choose another.", field="slug", code="slug_taken") from None
    return organization

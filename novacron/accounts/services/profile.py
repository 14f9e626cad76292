"""The signed-in user's own profile: display name, country, time zone and language."""

import zoneinfo
from typing import Any

from django.conf import settings
from django.db import transaction

from novacron.accounts.countries import is_country_code
from novacron.accounts.models import User
from novacron.core.exceptions import ValidationError

DISPLAY_NAME_MAX_LENGTH = User._meta.get_field("display_name").max_length
_UNSET: Any = object()


def profile_update(
    *,
    user: User,
    display_name: str = _UNSET,
    country: str = _UNSET,
    timezone: str = _UNSET,
    preferred_language: str = _UNSET,
) -> User:
    """Update the given fields; arguments left out stay as they are. An empty country clears it."""
    changes: dict[str, str] = {}
    if display_name is not _UNSET:
        display_name = (display_name or "").strip()
        if len(display_name) > DISPLAY_NAME_MAX_LENGTH:
            raise ValidationError(f"Use at most {DISPLAY_NAME_MAX_LENGTH} characters.", field="display_name")
        changes["display_name"] = display_name
    if country is not _UNSET:
        country = (country or "").strip().upper()
        if country and not is_country_code(country):
            raise ValidationError("Use a two-letter ISO 3166 country code such as DE or BR.", field="country")
        changes["country"] = country
    if timezone is not _UNSET:
        timezone = (timezone or "").strip()
        if timezone not in zoneinfo.available_timezones():
            raise ValidationError(
                "Choose a time zone by its IANA name, such as Europe/Berlin or America/Sao_Paulo.",
                field="timezone",
            )
        changes["timezone"] = timezone
    if preferred_language is not _UNSET:
        languages = dict(settings.LANGUAGES)
        if preferred_language not in languages:
            raise ValidationError(f"Choose one of: {', '.join(languages)}.", field="preferred_language")
        changes["preferred_language"] = preferred_language
    changes = {key: value for key, value in changes.items() if getattr(user, key) != value}
    if not changes:
        return user
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(**changes)
        for key, value in changes.items():
            setattr(user, key, value)
    return user

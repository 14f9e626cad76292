"""Instants shown in a time zone — the event's (the same for everyone) or the viewer's. Pages (the `in_tz` and
`in_viewer_tz` filters), emails and the API all convert through here."""

from __future__ import annotations

import zoneinfo
from datetime import datetime

from django.utils import timezone

DISPLAY_FORMAT = "%a %d %b %Y, %H:%M %Z"  # "Tue 12 May 2026, 18:30 CEST"


def zone(tz_name: str | None) -> zoneinfo.ZoneInfo:
    """The named zone; UTC when the name is empty or unknown (a page never fails on a bad zone name)."""
    try:
        return zoneinfo.ZoneInfo(tz_name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def in_zone(value: datetime, tz_name: str | None) -> datetime:
    return timezone.localtime(value, zone(tz_name))


def format_in_zone(value: datetime | None, tz_name: str | None) -> str:
    return "" if value is None else in_zone(value, tz_name).strftime(DISPLAY_FORMAT)


def format_for_viewer(value: datetime | None) -> str:
    """In the active time zone: the viewer's (UserTimezoneMiddleware), UTC when signed out."""
    return "" if value is None else timezone.localtime(value).strftime(DISPLAY_FORMAT)


def wall_clock_in_zone(value: datetime, tz_name: str | None) -> datetime:
    """A form's date and time read as a wall-clock time in `tz_name` (the event's zone, not the viewer's)."""
    return value.replace(tzinfo=None).replace(tzinfo=zone(tz_name))

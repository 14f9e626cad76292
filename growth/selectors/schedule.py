"""Public schedule reads: the latest release (or a given version), as plain data for pages and exports."""

from __future__ import annotations

from typing import Any

from django.utils.dateparse import parse_datetime

from growth.models import Conference, ScheduleRelease, Session


def release(conference: Conference, version: int | None = None) -> ScheduleRelease | None:
    releases = ScheduleRelease.objects.filter(conference=conference)
    if version is not None:
        return releases.filter(version=version).first()
    return releases.order_by("-version").first()


def schedule_rows(snapshot: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    rows = [
        {
            **data,
            "id": key,
            "starts_at": parse_datetime(data["starts_at"]),
            "ends_at": parse_datetime(data["ends_at"]),
        }
        for key, data in snapshot.items()
    ]
    return sorted(rows, key=lambda r: (r["starts_at"], r["room"], r["title"]))


def released_sessions(conference: Conference, version: int | None = None) -> list[Session]:
    found = release(conference, version)
    if found is None:
        return []
    ids = list(found.snapshot)
    return list(
        Session.objects.filter(public_id__in=ids).select_related("room", "track").order_by("starts_at")
    )


def schedule_json(conference: Conference, found: ScheduleRelease) -> dict[str, Any]:
    return {
        "conference": conference.name,
        "timezone": conference.event.timezone,
        "version": found.version,
        "released_at": found.released_at.isoformat(),
        "sessions": [
            {**data, "id": key}
            for key, data in sorted(found.snapshot.items(), key=lambda kv: kv[1]["starts_at"])
        ],
    }

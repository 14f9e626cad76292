"""The schedule editor: place sessions in rooms and times, detect room and speaker conflicts (warnings, the
editor may still save), and release versions with a changelog computed against the previous release."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q

from growth.exceptions import PermissionDenied, ValidationError
from growth.models import (
    Conference,
    Room,
    ScheduleRelease,
    Session,
    SessionStar,
    Submission,
    SubmissionSpeaker,
)
from growth.permissions import can_manage_conference
from novacron.core.services.audit import audit_record


@dataclass(frozen=True)
class Conflict:
    kind: str  # "room" or "speaker"
    session_id: str
    other_id: str
    message: str


def _speakers(session: Session) -> set[int]:
    if session.submission_id is None:
        return set()
    return set(
        SubmissionSpeaker.objects.filter(submission_id=session.submission_id).values_list(
            "user_id", flat=True
        )
    )


def conflicts_for(session: Session) -> list[Conflict]:
    """Room double-bookings and speakers in two places at once, for one (saved or unsaved) session."""
    overlapping = (
        Session.objects.filter(
            conference_id=session.conference_id, starts_at__lt=session.ends_at, ends_at__gt=session.starts_at
        )
        .exclude(pk=session.pk)
        .select_related("room")
    )
    found = []
    speakers = _speakers(session)
    for other in overlapping:
        if other.room_id == session.room_id:
            found.append(
                Conflict(
                    "room",
                    str(session.public_id),
                    str(other.public_id),
                    f"{other.room.name} is already used by “{other.title}” at that time.",
                )
            )
        shared = speakers & _speakers(other)
        if shared:
            found.append(
                Conflict(
                    "speaker",
                    str(session.public_id),
                    str(other.public_id),
                    f"A speaker of this session also speaks in “{other.title}” at that time.",
                )
            )
    return found


def conflicts(conference: Conference) -> list[Conflict]:
    seen: set[tuple[str, str, str]] = set()
    result = []
    for session in Session.objects.filter(conference=conference).select_related("room"):
        for conflict in conflicts_for(session):
            key = (conflict.kind, *sorted((conflict.session_id, conflict.other_id)))
            if key not in seen:
                seen.add(key)
                result.append(conflict)
    return result


def session_save(
    *,
    conference: Conference,
    actor: Any,
    room: Room,
    starts_at: datetime,
    submission: Submission | None = None,
    title: str = "",
    ends_at: datetime | None = None,
    session: Session | None = None,
    description: str = "",
) -> tuple[Session, list[Conflict]]:
    """Create or move a session. Returns it with the conflicts it now has (saved anyway: the editor decides)."""
    if not can_manage_conference(actor, conference):
        raise PermissionDenied("Only the conference's organisers edit the schedule.")
    if room.conference_id != conference.pk:
        raise ValidationError("Choose a room of this conference.", field="room")
    if submission is not None:
        if submission.conference_id != conference.pk or submission.state != Submission.State.ACCEPTED:
            raise ValidationError("Only accepted submissions go on the schedule.", field="submission")
        title = title or submission.title
        ends_at = ends_at or starts_at + timedelta(minutes=submission.submission_type.duration_minutes)
    if not title:
        raise ValidationError("Give the session a title.", field="title")
    if ends_at is None or ends_at <= starts_at:
        raise ValidationError("The session must end after it starts.", field="ends_at")
    with transaction.atomic():
        session = session or Session(conference=conference)
        session.submission = submission
        session.title, session.description, session.room = title, description or session.description, room
        session.starts_at, session.ends_at = starts_at, ends_at
        session.track_id = submission.track_id if submission else session.track_id
        session.save()
        audit_record(actor=actor, action="growth.session_save", obj=session)
    return session, conflicts_for(session)


def _snapshot(conference: Conference) -> dict[str, dict[str, Any]]:
    sessions = Session.objects.filter(conference=conference).select_related("room", "track", "submission")
    return {
        str(s.public_id): {
            "title": s.title,
            "room": s.room.name,
            "track": s.track.name if s.track else "",
            "starts_at": s.starts_at.isoformat(),
            "ends_at": s.ends_at.isoformat(),
            "speakers": session_speaker_names(s),
        }
        for s in sessions
    }


def session_speaker_names(session: Session) -> list[str]:
    if session.submission_id is None:
        return []
    from growth.models import SpeakerProfile

    speakers = SubmissionSpeaker.objects.filter(submission_id=session.submission_id).select_related("user")
    profiles = {
        p.user_id: p.name for p in SpeakerProfile.objects.filter(user_id__in=[s.user_id for s in speakers])
    }
    return [
        profiles.get(s.user_id) or s.user.display_name or "Speaker"
        for s in speakers.order_by("-is_primary", "pk")
    ]


def _diff(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    changes = []
    for key in sorted(after.keys() - before.keys(), key=lambda k: after[k]["starts_at"]):
        changes.append({"change": "added", "session": key, "title": after[key]["title"]})
    for key in sorted(before.keys() - after.keys()):
        changes.append({"change": "removed", "session": key, "title": before[key]["title"]})
    for key in sorted(before.keys() & after.keys(), key=lambda k: after[k]["starts_at"]):
        fields = [
            f
            for f in ("title", "room", "starts_at", "ends_at", "speakers")
            if before[key][f] != after[key][f]
        ]
        if fields:
            changes.append(
                {
                    "change": "changed",
                    "session": key,
                    "title": after[key]["title"],
                    "fields": fields,
                    "before": {f: before[key][f] for f in fields},
                    "after": {f: after[key][f] for f in fields},
                }
            )
    return changes


def schedule_release(*, conference: Conference, actor: Any, note: str = "") -> ScheduleRelease:
    """Publish the current schedule as the next version, with what changed since the last one."""
    if not can_manage_conference(actor, conference):
        raise PermissionDenied("Only the conference's organisers release the schedule.")
    with transaction.atomic():
        Conference.objects.select_for_update().get(pk=conference.pk)  # one release at a time
        previous = ScheduleRelease.objects.filter(conference=conference).order_by("-version").first()
        snapshot = _snapshot(conference)
        changes = _diff(previous.snapshot if previous else {}, snapshot)
        if previous is not None and not changes:
            raise ValidationError(f"Nothing changed since version {previous.version}.", field="note")
        release = ScheduleRelease.objects.create(
            conference=conference,
            version=(previous.version + 1) if previous else 1,
            snapshot=snapshot,
            changes=changes,
            note=note[:300],
            released_by=actor,
        )
        audit_record(
            actor=actor, action="growth.schedule_release", obj=release, after={"changes": len(changes)}
        )
    return release


def session_star(*, user: Any, session: Session, starred: bool) -> None:
    if starred:
        SessionStar.objects.get_or_create(user=user, session=session)
    else:
        SessionStar.objects.filter(user=user, session=session).delete()


def sessions_now(conference: Conference, at: datetime) -> Any:
    return Session.objects.filter(conference=conference).filter(Q(starts_at__lte=at) & Q(ends_at__gt=at))

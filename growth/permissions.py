"""Who may do what in the community app. Staff (is_staff or growth.manage_community) may do everything;
chapter organisers manage their chapter's events; conference organisers manage their conference."""

from __future__ import annotations

from typing import Any

from growth.models import ChapterOrganiser, Conference, Event, ReviewTeam, Sponsor

MANAGE_PERMISSION = "growth.manage_community"


def is_community_staff(user: Any) -> bool:
    return bool(user and user.is_authenticated and (user.is_staff or user.has_perm(MANAGE_PERMISSION)))


def organises_chapter(user: Any, chapter_id: int | None) -> bool:
    if not (user and user.is_authenticated) or chapter_id is None:
        return False
    return ChapterOrganiser.objects.filter(chapter_id=chapter_id, user_id=user.pk).exists()


def can_manage_chapter(user: Any, chapter_id: int) -> bool:
    return is_community_staff(user) or organises_chapter(user, chapter_id)


def can_manage_conference(user: Any, conference: Conference) -> bool:
    if is_community_staff(user):
        return True
    return bool(user and user.is_authenticated and conference.organisers.filter(pk=user.pk).exists())


def can_manage_event(user: Any, event: Event) -> bool:
    if is_community_staff(user):
        return True
    if event.chapter_id is not None:
        return organises_chapter(user, event.chapter_id)
    conference = Conference.objects.filter(event=event).first()
    return conference is not None and can_manage_conference(user, conference)


def reviewer_track_ids(user: Any, conference: Conference) -> set[int]:
    """Tracks the user reviews in (through their review teams)."""
    if not (user and user.is_authenticated):
        return set()
    return set(
        ReviewTeam.objects.filter(conference=conference, members=user).values_list("track_id", flat=True)
    )


def sponsor_staff(user: Any, sponsor: Sponsor) -> bool:
    return bool(user and user.is_authenticated and sponsor.staff.filter(pk=user.pk).exists())

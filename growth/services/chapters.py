"""Chapters: membership, organisers, the onboarding checklist."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from growth.exceptions import PermissionDenied, ValidationError
from growth.models import Chapter, ChapterMember, ChapterOrganiser, OnboardingCompletion
from growth.onboarding import STEP_KEYS
from growth.permissions import can_manage_chapter, is_community_staff
from growth.services.events import unique_slug
from novacron.core.services.audit import audit_record


def chapter_create(
    *,
    actor: Any,
    name: str,
    city: str,
    country: str,
    region: str,
    timezone: str,
    language: str = "en",
    description: str = "",
    organiser: Any = None,
) -> Chapter:
    if not is_community_staff(actor):
        raise PermissionDenied("Only community staff create chapters.")
    chapter = Chapter(
        name=name,
        city=city,
        country=country.upper(),
        region=region,
        timezone=timezone,
        language=language,
        description=description,
        slug=unique_slug(Chapter, name),
    )
    from django.core.exceptions import ValidationError as DjangoValidationError

    try:
        chapter.full_clean()
    except DjangoValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ValidationError(messages[0], field=field) from exc
    with transaction.atomic():
        chapter.save()
        if organiser is not None:
            ChapterOrganiser.objects.create(chapter=chapter, user=organiser, is_lead=True)
        audit_record(actor=actor, action="growth.chapter_create", obj=chapter)
    return chapter


def chapter_join(*, chapter: Chapter, user: Any) -> ChapterMember:
    if not chapter.is_active:
        raise ValidationError("This chapter is not active.")
    try:
        with transaction.atomic():
            member, _ = ChapterMember.objects.get_or_create(chapter=chapter, user=user)
    except IntegrityError:  # a concurrent join of the same person
        member = ChapterMember.objects.get(chapter=chapter, user=user)
    return member


def chapter_leave(*, chapter: Chapter, user: Any) -> None:
    ChapterMember.objects.filter(chapter=chapter, user=user).delete()


def organiser_add(*, chapter: Chapter, actor: Any, user: Any, is_lead: bool = False) -> ChapterOrganiser:
    if not can_manage_chapter(actor, chapter.pk):
        raise PermissionDenied("Only organisers of this chapter add organisers.")
    with transaction.atomic():
        organiser, _ = ChapterOrganiser.objects.update_or_create(
            chapter=chapter, user=user, defaults={"is_lead": is_lead}
        )
        ChapterMember.objects.get_or_create(chapter=chapter, user=user)
        audit_record(actor=actor, action="growth.organiser_add", obj=chapter, after={"user": user.pk})
    return organiser


def onboarding_set(*, chapter: Chapter, actor: Any, step: str, done: bool) -> None:
    if not can_manage_chapter(actor, chapter.pk):
        raise PermissionDenied("Only this chapter's organisers tick its checklist.")
    if step not in STEP_KEYS:
        raise ValidationError("Unknown checklist step.", field="step")
    if done:
        OnboardingCompletion.objects.get_or_create(
            chapter=chapter, step=step, defaults={"completed_by": actor}
        )
    else:
        OnboardingCompletion.objects.filter(chapter=chapter, step=step).delete()

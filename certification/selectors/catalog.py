"""Catalog reads: courses, outlines, lessons in order and in a language, certificates."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from certification.models import (
    Certificate,
    Certification,
    Course,
    Enrolment,
    Lesson,
    LessonTranslation,
    Module,
)
from certification.rendering import render_lesson_markdown
from novacron.accounts.facade import users_get


def published_courses() -> QuerySet[Course]:
    return Course.objects.filter(is_published=True).select_related("track", "certification")


def course_languages(course: Course) -> list[str]:
    languages = set(
        LessonTranslation.objects.filter(lesson__module__course=course).values_list("language", flat=True)
    )
    return [course.default_language, *sorted(languages - {course.default_language})]


@dataclass(frozen=True)
class LessonContent:
    title: str
    body_html: str
    language: str  # the language actually shown
    requested: str
    fallback: bool  # True when the requested translation is missing and the default language is shown


def lesson_content(lesson: Lesson, language: str) -> LessonContent:
    course = lesson.module.course
    if language and language != course.default_language:
        translation = lesson.translations.filter(language=language).first()
        if translation is not None:
            return LessonContent(
                translation.title, render_lesson_markdown(translation.body), language, language, False
            )
        return LessonContent(
            lesson.title, render_lesson_markdown(lesson.body), course.default_language, language, True
        )
    return LessonContent(
        lesson.title,
        render_lesson_markdown(lesson.body),
        course.default_language,
        language or course.default_language,
        False,
    )


def course_outline(course: Course) -> list[Module]:
    return list(course.modules.prefetch_related("lessons__translations").order_by("position", "pk"))


def lessons_in_order(course: Course) -> list[Lesson]:
    return list(
        Lesson.objects.filter(module__course=course)
        .select_related("module")
        .order_by("module__position", "module__pk", "position", "pk")
    )


def enrolment_for(user, course: Course) -> Enrolment | None:
    if not user.is_authenticated:
        return None
    return (
        Enrolment.objects.filter(user=user, course=course)
        .select_related("course", "cohort", "last_lesson")
        .first()
    )


def public_certificates(user_id: int) -> QuerySet[Certificate]:
    return (
        Certificate.objects.filter(user_id=user_id)
        .exclude(status=Certificate.Status.SUPERSEDED)
        .select_related("certification__track")
    )


def certifications_with_exams() -> QuerySet[Certification]:
    return (
        Certification.objects.filter(is_active=True)
        .select_related("track")
        .prefetch_related("exams", "courses")
    )


def user_names(user_ids: list[int]) -> dict[int, str]:
    return {uid: summary.name for uid, summary in users_get(user_ids).items()}

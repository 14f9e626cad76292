"""Reads shared by the portal, the API and the dashboards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import markdown
import nh3
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from certification.models import (
    Attempt,
    Certificate,
    Certification,
    Course,
    Enrolment,
    Exam,
    Item,
    Lesson,
    LessonProgress,
    LessonTranslation,
    Module,
)
from novacron.accounts.facade import users_get
from novacron.core.portal import ALLOWED_TAGS


def render_lesson_markdown(text: str) -> str:
    """Markdown → sanitised HTML with highlighted code blocks (Pygments classes when installed)."""
    html = markdown.markdown(
        text or "",
        extensions=["fenced_code", "codehilite", "tables", "sane_lists"],
        extension_configs={"codehilite": {"guess_lang": False, "css_class": "codehilite"}},
    )
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS | {"span", "div"},
        attributes={"*": {"class"}, "a": {"href", "title"}, "img": {"src", "alt"}},
    )


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
    return Enrolment.objects.filter(user=user, course=course).select_related("cohort", "last_lesson").first()


@dataclass(frozen=True)
class Progress:
    done: int
    required: int
    completed_ids: frozenset[int]
    percent: int
    resume: Lesson | None
    next_deadline: date | None
    exam: Exam | None
    exam_passed: bool


def enrolment_progress(enrolment: Enrolment, *, today: date | None = None) -> Progress:
    lessons = lessons_in_order(enrolment.course)
    completed = frozenset(
        LessonProgress.objects.filter(enrolment=enrolment).values_list("lesson_id", flat=True)
    )
    required = [lesson for lesson in lessons if lesson.is_required]
    done = sum(1 for lesson in required if lesson.pk in completed)
    resume = enrolment.last_lesson
    if resume is None or resume.pk in completed:
        resume = next((lesson for lesson in lessons if lesson.pk not in completed), enrolment.last_lesson)
    from certification.services.learning import course_exam, exam_passed

    exam = course_exam(enrolment.course)
    passed = bool(exam and exam_passed(user_id=enrolment.user_id, exam=exam))
    deadlines = [d for d in module_deadlines(enrolment).values() if d >= (today or timezone.localdate())]
    return Progress(
        done=done,
        required=len(required),
        completed_ids=completed,
        percent=int(100 * done / len(required)) if required else 100,
        resume=resume,
        next_deadline=min(deadlines) if deadlines else None,
        exam=exam,
        exam_passed=passed,
    )


def module_deadlines(enrolment: Enrolment) -> dict[int, date]:
    """Module id → due date, from the cohort's start date (empty outside a cohort)."""
    if enrolment.cohort is None:
        return {}
    start = enrolment.cohort.starts_on
    return {m.pk: start + timedelta(days=m.due_offset_days) for m in enrolment.course.modules.all()}


def course_deadline(enrolment: Enrolment) -> date | None:
    return enrolment.cohort.ends_on if enrolment.cohort else None


def learner_dashboard(user) -> dict[str, Any]:
    enrolments = list(
        Enrolment.objects.filter(user=user)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .select_related("course", "cohort", "last_lesson")
    )
    rows = [
        {"enrolment": e, "progress": enrolment_progress(e), "deadline": course_deadline(e)}
        for e in enrolments
    ]
    certificates = list(
        Certificate.objects.filter(user=user).select_related("certification__track").order_by("-issued_at")
    )
    attempts = list(Attempt.objects.filter(user=user).select_related("exam")[:10])
    return {"rows": rows, "certificates": certificates, "attempts": attempts}


def instructor_courses(user) -> QuerySet[Course]:
    courses = Course.objects.select_related("track", "certification")
    return courses if user.is_staff else courses.filter(instructor=user)


def instructor_dashboard(user) -> dict[str, Any]:
    """Per course: enrolments and the completion funnel (enrolled → started → half-way → all required
    lessons → completed)."""
    rows = []
    for course in instructor_courses(user):
        enrolments = Enrolment.objects.filter(course=course).exclude(status=Enrolment.Status.WITHDRAWN)
        required = Lesson.objects.filter(module__course=course, is_required=True).count()
        done = enrolments.annotate(
            done=Count("progress", filter=Q(progress__lesson__is_required=True))
        ).values_list("done", flat=True)
        done = list(done)
        rows.append(
            {
                "course": course,
                "enrolled": len(done),
                "started": sum(1 for d in done if d > 0),
                "halfway": sum(1 for d in done if required and d * 2 >= required),
                "lessons_done": sum(1 for d in done if required and d >= required),
                "completed": enrolments.filter(status=Enrolment.Status.COMPLETED).count(),
            }
        )
    track_ids = {row["course"].track_id for row in rows}
    items = (
        Item.objects.filter(track_id__in=track_ids)
        .select_related("track")
        .order_by("track__position", "skill", "pk")
    )
    return {"rows": rows, "items": items}


def platform_metrics(*, now: datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    valid = Certificate.objects.filter(status=Certificate.Status.ACTIVE, expires_at__gt=now)
    per_track = list(
        valid.values("certification__track__name").annotate(n=Count("user", distinct=True)).order_by("-n")
    )
    per_country = list(
        valid.values("recipient_country").annotate(n=Count("user", distinct=True)).order_by("-n")
    )
    enrolments = Enrolment.objects.exclude(status=Enrolment.Status.WITHDRAWN)
    total = enrolments.count()
    completed = enrolments.filter(status=Enrolment.Status.COMPLETED).count()
    finished = Attempt.objects.exclude(status=Attempt.Status.IN_PROGRESS)
    attempts = finished.count()
    passed = finished.filter(passed=True).count()
    return {
        "certified_total": valid.values("user").distinct().count(),
        "per_track": [{"track": r["certification__track__name"], "count": r["n"]} for r in per_track],
        "per_country": [{"country": r["recipient_country"] or "—", "count": r["n"]} for r in per_country],
        "enrolments": total,
        "completion_rate": round(completed / total, 4) if total else None,
        "attempts": attempts,
        "pass_rate": round(passed / attempts, 4) if attempts else None,
        "revoked": Certificate.objects.filter(status=Certificate.Status.REVOKED).count(),
    }


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

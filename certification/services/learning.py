"""Enrolment (free, paid through revenue, or granted), lesson progress, course completion and the certificate
that follows when a certification's whole learning path is complete."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from certification.models import (
    Attempt,
    Certificate,
    Cohort,
    Course,
    Enrolment,
    Exam,
    Lesson,
    LessonProgress,
)
from certification.selectors.progress import certification_exams, required_lessons
from novacron.core.exceptions import Conflict, PermissionDenied, ValidationError
from novacron.core.services.audit import audit_record


def missing_prerequisites(*, user_id: int, course: Course) -> list[Course]:
    done = set(
        Enrolment.objects.filter(user_id=user_id, status=Enrolment.Status.COMPLETED).values_list(
            "course_id", flat=True
        )
    )
    return [c for c in course.prerequisites.all() if c.pk not in done]


def _check_enrollable(*, user_id: int, course: Course, cohort: Cohort | None) -> None:
    if not course.is_published:
        raise ValidationError("This course is not open for enrolment.", field="course")
    missing = missing_prerequisites(user_id=user_id, course=course)
    if missing:
        names = ", ".join(c.title for c in missing)
        raise ValidationError(
            f"Complete the prerequisites first: {names}.", field="course", code="prerequisites"
        )
    if cohort is not None and cohort.course_id != course.pk:
        raise ValidationError("That cohort belongs to another course.", field="cohort")


def enrolment_create(
    *,
    user_id: int,
    course: Course,
    cohort: Cohort | None = None,
    source: str = Enrolment.Source.FREE,
    order_id: str = "",
    language: str = "",
    actor=None,
) -> Enrolment:
    """Enrol the learner; idempotent (an existing enrolment is returned, a withdrawn one re-activated).
    Free enrolment only for free courses — paid ones come through `enrolment_paid` after checkout."""
    if source == Enrolment.Source.FREE and not course.is_free:
        raise ValidationError(
            "This course is paid: buy it to enrol.", field="course", code="payment_required"
        )
    _check_enrollable(user_id=user_id, course=course, cohort=cohort)
    with transaction.atomic():
        if cohort is not None:
            cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)  # lock before counting seats
            if cohort.capacity is not None:
                taken = (
                    cohort.enrolments.exclude(status=Enrolment.Status.WITHDRAWN)
                    .exclude(user_id=user_id)
                    .count()
                )
                if taken >= cohort.capacity:
                    raise Conflict("This cohort is full.", code="cohort_full")
        enrolment = Enrolment.objects.select_for_update().filter(user_id=user_id, course=course).first()
        if enrolment is not None and enrolment.status != Enrolment.Status.WITHDRAWN:
            return enrolment
        if enrolment is None:
            try:
                with transaction.atomic():
                    enrolment = Enrolment.objects.create(
                        user_id=user_id,
                        course=course,
                        cohort=cohort,
                        source=source,
                        order_id=order_id,
                        language=language or course.default_language,
                    )
            except IntegrityError:  # a concurrent enrolment won; return it
                return Enrolment.objects.get(user_id=user_id, course=course)
        else:
            enrolment.status = Enrolment.Status.ACTIVE
            enrolment.withdrawn_at = None
            enrolment.source, enrolment.order_id, enrolment.cohort = source, order_id, cohort
            enrolment.save()
        audit_record(
            actor=actor,
            action="certification.enrolment.create",
            obj=enrolment,
            after={"course": course.slug, "source": source, "order": order_id},
        )
    return enrolment


def enrolment_withdraw(*, enrolment: Enrolment, reason: str = "", actor=None) -> Enrolment:
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if enrolment.status == Enrolment.Status.WITHDRAWN:
            return enrolment
        before = {"status": enrolment.status}
        enrolment.status = Enrolment.Status.WITHDRAWN
        enrolment.withdrawn_at = timezone.now()
        enrolment.save(update_fields=["status", "withdrawn_at", "updated_at"])
        audit_record(
            actor=actor,
            action="certification.enrolment.withdraw",
            obj=enrolment,
            before=before,
            after={"status": enrolment.status, "reason": reason},
        )
    return enrolment


def enrolment_set_language(*, enrolment: Enrolment, language: str) -> Enrolment:
    from certification.selectors.catalog import course_languages

    if language not in course_languages(enrolment.course):
        raise ValidationError("This course is not available in that language.", field="language")
    enrolment.language = language
    enrolment.save(update_fields=["language", "updated_at"])
    return enrolment


def lesson_open(*, enrolment: Enrolment, lesson: Lesson) -> None:
    """Remember where the learner is, so "Resume" brings them back."""
    if enrolment.last_lesson_id != lesson.pk:
        Enrolment.objects.filter(pk=enrolment.pk).update(last_lesson=lesson, updated_at=timezone.now())
        enrolment.last_lesson = lesson


def lesson_complete(*, enrolment: Enrolment, lesson: Lesson, now: datetime | None = None) -> LessonProgress:
    if enrolment.status == Enrolment.Status.WITHDRAWN:
        raise PermissionDenied("You are no longer enrolled in this course.")
    if lesson.module.course_id != enrolment.course_id:
        raise ValidationError("That lesson is not part of this course.", field="lesson")
    now = now or timezone.now()
    with transaction.atomic():
        progress, _ = LessonProgress.objects.get_or_create(
            enrolment=enrolment, lesson=lesson, defaults={"completed_at": now}
        )
        Enrolment.objects.filter(pk=enrolment.pk).update(last_lesson=lesson, updated_at=now)
    completion_check(enrolment=enrolment, now=now)
    return progress


def course_exam(course: Course) -> Exam | None:
    """The course's certification exam (completing the course needs it passed), if any."""
    return certification_exams([course.certification_id]).get(course.certification_id)


def exam_passed(*, user_id: int, exam: Exam) -> Attempt | None:
    return (
        Attempt.objects.filter(user_id=user_id, exam__certification_id=exam.certification_id, passed=True)
        .order_by("-submitted_at")
        .first()
    )


def completion_check(*, enrolment: Enrolment, now: datetime | None = None) -> bool:
    """Completion rule: every required lesson done and, for a course on a certification path, the
    certification exam passed. Completing the last course of a path issues the certificate."""
    if enrolment.status != Enrolment.Status.ACTIVE:
        return enrolment.status == Enrolment.Status.COMPLETED
    if not required_lessons([enrolment])[enrolment.pk].complete:
        return False
    exam = course_exam(enrolment.course)
    passed = exam_passed(user_id=enrolment.user_id, exam=exam) if exam else None
    if exam is not None and passed is None:
        return False
    now = now or timezone.now()
    with transaction.atomic():
        updated = Enrolment.objects.filter(pk=enrolment.pk, status=Enrolment.Status.ACTIVE).update(
            status=Enrolment.Status.COMPLETED, completed_at=now, updated_at=now
        )
        if updated:
            enrolment.status, enrolment.completed_at = Enrolment.Status.COMPLETED, now
            audit_record(actor=None, action="certification.enrolment.complete", obj=enrolment)
    if updated and enrolment.course.certification_id:
        certification_check(
            user_id=enrolment.user_id, certification_id=enrolment.course.certification_id, attempt=passed
        )
    return True


def certification_check(
    *, user_id: int, certification_id: int, attempt: Attempt | None = None
) -> Certificate | None:
    """Issue the certificate when every published course on the path is completed (and none is held yet)."""
    from certification.services.certificates import certificate_issue

    path = Course.objects.filter(certification_id=certification_id, is_published=True)
    completed = Enrolment.objects.filter(
        user_id=user_id, course__in=path, status=Enrolment.Status.COMPLETED
    ).count()
    if not path.exists() or completed < path.count():
        return None
    if Certificate.objects.filter(
        user_id=user_id, certification_id=certification_id, status=Certificate.Status.ACTIVE
    ).exists():
        return None
    certification = path.first().certification
    return certificate_issue(user_id=user_id, certification=certification, attempt=attempt)

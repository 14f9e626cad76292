"""Learner progress, for one enrolment or many in the same fixed number of queries (dashboards and API lists
never run a set of queries per enrolment).

The completion rule's lesson half lives here only (`required_lessons`): an enrolment's required lessons are its
course's lessons marked `is_required`; those with a LessonProgress row are done."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, QuerySet
from django.utils import timezone

from certification.models import Attempt, Enrolment, Exam, Lesson, LessonProgress, Module


@dataclass(frozen=True)
class RequiredLessons:
    done: int
    required: int

    @property
    def complete(self) -> bool:
        return self.done >= self.required

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.required) if self.required else 100


def required_lessons(enrolments: QuerySet[Enrolment] | Iterable[Enrolment]) -> dict[int, RequiredLessons]:
    """Enrolment id → required lessons done/total, in three queries (two for a list of enrolments) whatever
    their number. A queryset is used as a subquery, so a course's whole roster costs no long id list."""
    if isinstance(enrolments, QuerySet):
        pairs = list(enrolments.values_list("pk", "course_id"))
        progress = LessonProgress.objects.filter(enrolment__in=enrolments.values("pk"))
    else:
        pairs = [(e.pk, e.course_id) for e in enrolments]
        progress = LessonProgress.objects.filter(enrolment_id__in=[pk for pk, _ in pairs])
    if not pairs:
        return {}
    required = dict(
        Lesson.objects.filter(module__course_id__in={course for _, course in pairs}, is_required=True)
        .values("module__course_id")
        .annotate(n=Count("pk"))
        .values_list("module__course_id", "n")
    )
    done = dict(
        progress.filter(lesson__is_required=True)
        .values("enrolment_id")
        .annotate(n=Count("pk"))
        .values_list("enrolment_id", "n")
    )
    return {pk: RequiredLessons(done.get(pk, 0), required.get(course, 0)) for pk, course in pairs}


def certification_exams(certification_ids: Iterable[int | None]) -> dict[int, Exam]:
    """Certification id → its active certification exam (at most one, by constraint)."""
    ids = {pk for pk in certification_ids if pk is not None}
    if not ids:
        return {}
    exams = Exam.objects.filter(certification_id__in=ids, kind=Exam.Kind.CERTIFICATION, is_active=True)
    return {exam.certification_id: exam for exam in reversed(list(exams))}  # first one wins, as .first()


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
    completed_lessons: tuple[str, ...] = ()  # public ids of the completed lessons, sorted


def enrolments_progress(enrolments: Sequence[Enrolment], *, today: date | None = None) -> dict[int, Progress]:
    """Enrolment id → Progress, in at most seven queries for any number of enrolments. The enrolments need
    their course (and cohort, if any) loaded with select_related."""
    if not enrolments:
        return {}
    today = today or timezone.localdate()
    course_ids = {e.course_id for e in enrolments}
    lessons: dict[int, list[Lesson]] = defaultdict(list)
    for lesson in (
        Lesson.objects.filter(module__course_id__in=course_ids)
        .select_related("module")
        .order_by("module__position", "module__pk", "position", "pk")
    ):
        lessons[lesson.module.course_id].append(lesson)
    lesson_by_id = {lesson.pk: lesson for course in lessons.values() for lesson in course}
    completed: dict[int, set[int]] = defaultdict(set)
    completed_public: dict[int, list[str]] = defaultdict(list)
    for enrolment_id, lesson_id, public_id in LessonProgress.objects.filter(
        enrolment_id__in=[e.pk for e in enrolments]
    ).values_list("enrolment_id", "lesson_id", "lesson__public_id"):
        completed[enrolment_id].add(lesson_id)
        completed_public[enrolment_id].append(str(public_id))
    required = required_lessons(enrolments)
    exams = certification_exams(e.course.certification_id for e in enrolments)
    passed = set()
    if exams:
        passed = set(
            Attempt.objects.filter(
                user_id__in={e.user_id for e in enrolments}, exam__certification_id__in=exams, passed=True
            )
            .values_list("user_id", "exam__certification_id")
            .distinct()
        )
    due = _module_offsets({e.course_id for e in enrolments if e.cohort_id is not None})

    result = {}
    for enrolment in enrolments:
        done = completed[enrolment.pk]
        in_order = lessons[enrolment.course_id]
        resume = lesson_by_id.get(enrolment.last_lesson_id) if enrolment.last_lesson_id else None
        if enrolment.last_lesson_id and resume is None:
            resume = enrolment.last_lesson  # not a lesson of this course any more
        if resume is None or resume.pk in done:
            resume = next((lesson for lesson in in_order if lesson.pk not in done), resume)
        exam = exams.get(enrolment.course.certification_id)
        deadlines = [d for d in _deadlines(enrolment, due).values() if d >= today]
        state = required[enrolment.pk]
        result[enrolment.pk] = Progress(
            done=state.done,
            required=state.required,
            completed_ids=frozenset(done),
            percent=state.percent,
            resume=resume,
            next_deadline=min(deadlines) if deadlines else None,
            exam=exam,
            exam_passed=bool(exam and (enrolment.user_id, exam.certification_id) in passed),
            completed_lessons=tuple(sorted(completed_public[enrolment.pk])),
        )
        if enrolment.cohort is not None and enrolment.cohort.course_id == enrolment.course_id:
            enrolment.cohort.course = enrolment.course  # the cohort's end date needs it: no query per row
    return result


def enrolment_progress(enrolment: Enrolment, *, today: date | None = None) -> Progress:
    return enrolments_progress([enrolment], today=today)[enrolment.pk]


def _module_offsets(course_ids: set[int]) -> dict[int, list[tuple[int, int]]]:
    offsets: dict[int, list[tuple[int, int]]] = defaultdict(list)
    if course_ids:
        for course_id, pk, days in Module.objects.filter(course_id__in=course_ids).values_list(
            "course_id", "pk", "due_offset_days"
        ):
            offsets[course_id].append((pk, days))
    return offsets


def _deadlines(enrolment: Enrolment, offsets: dict[int, list[tuple[int, int]]]) -> dict[int, date]:
    if enrolment.cohort is None:
        return {}
    start = enrolment.cohort.starts_on
    return {pk: start + timedelta(days=days) for pk, days in offsets.get(enrolment.course_id, [])}


def module_deadlines(enrolment: Enrolment) -> dict[int, date]:
    """Module id → due date, from the cohort's start date (empty outside a cohort)."""
    if enrolment.cohort is None:
        return {}
    return _deadlines(enrolment, _module_offsets({enrolment.course_id}))


def course_deadline(enrolment: Enrolment) -> date | None:
    return enrolment.cohort.ends_on if enrolment.cohort else None

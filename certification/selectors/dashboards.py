"""Dashboards: the learner's (and its three-row portal panel), the instructor's, staff platform metrics. Each
runs a fixed number of queries whatever the number of enrolments or courses."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from certification.models import Attempt, Certificate, Course, Enrolment, Item
from certification.selectors.progress import course_deadline, enrolments_progress, required_lessons


def _learner_enrolments(user) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(user=user)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .select_related("course", "cohort")
    )


def _rows(enrolments: list[Enrolment]) -> list[dict[str, Any]]:
    progress = enrolments_progress(enrolments)
    return [{"enrolment": e, "progress": progress[e.pk], "deadline": course_deadline(e)} for e in enrolments]


def _certificates(user) -> QuerySet[Certificate]:
    return Certificate.objects.filter(user=user).select_related("certification__track").order_by("-issued_at")


def learner_dashboard(user) -> dict[str, Any]:
    return {
        "rows": _rows(list(_learner_enrolments(user))),
        "certificates": list(_certificates(user)),
        "attempts": list(Attempt.objects.filter(user=user).select_related("exam")[:10]),
    }


def learner_panel(user, *, limit: int = 3) -> dict[str, Any]:
    """The portal dashboard's Learn panel: the latest `limit` enrolments and certificates, nothing else."""
    return {
        "rows": _rows(list(_learner_enrolments(user)[:limit])),
        "certificates": list(_certificates(user)[:limit]),
    }


def instructor_courses(user) -> QuerySet[Course]:
    courses = Course.objects.select_related("track", "certification")
    return courses if user.is_staff else courses.filter(instructor=user)


def instructor_dashboard(user) -> dict[str, Any]:
    """Per course: enrolments and the completion funnel (enrolled → started → half-way → all required
    lessons → completed)."""
    courses = list(instructor_courses(user))
    enrolments = Enrolment.objects.filter(course__in=[c.pk for c in courses]).exclude(
        status=Enrolment.Status.WITHDRAWN
    )
    lessons = required_lessons(enrolments)
    per_course: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for pk, course_id, status in enrolments.values_list("pk", "course_id", "status"):
        per_course[course_id].append((pk, status))
    rows = []
    for course in courses:
        states = [(lessons[pk], status) for pk, status in per_course[course.pk] if pk in lessons]
        rows.append(
            {
                "course": course,
                "enrolled": len(states),
                "started": sum(1 for s, _ in states if s.done > 0),
                "halfway": sum(1 for s, _ in states if s.required and s.done * 2 >= s.required),
                "lessons_done": sum(1 for s, _ in states if s.required and s.complete),
                "completed": sum(1 for _, status in states if status == Enrolment.Status.COMPLETED),
            }
        )
    items = (
        Item.objects.filter(track_id__in={course.track_id for course in courses})
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

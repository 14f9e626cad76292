"""Reads shared by the portal, the API and the dashboards (one module per family, re-exported here)."""

from certification.rendering import render_lesson_markdown
from certification.selectors.attempts import attempt_item_rows
from certification.selectors.catalog import (
    LessonContent,
    certifications_with_exams,
    course_languages,
    course_outline,
    enrolment_for,
    lesson_content,
    lessons_in_order,
    public_certificates,
    published_courses,
    user_names,
)
from certification.selectors.dashboards import (
    instructor_courses,
    instructor_dashboard,
    learner_dashboard,
    learner_panel,
    platform_metrics,
)
from certification.selectors.progress import (
    Progress,
    RequiredLessons,
    certification_exams,
    course_deadline,
    enrolment_progress,
    enrolments_progress,
    module_deadlines,
    required_lessons,
)

__all__ = [
    "LessonContent",
    "Progress",
    "RequiredLessons",
    "attempt_item_rows",
    "certification_exams",
    "certifications_with_exams",
    "course_deadline",
    "course_languages",
    "course_outline",
    "enrolment_for",
    "enrolment_progress",
    "enrolments_progress",
    "instructor_courses",
    "instructor_dashboard",
    "learner_dashboard",
    "learner_panel",
    "lesson_content",
    "lessons_in_order",
    "module_deadlines",
    "platform_metrics",
    "public_certificates",
    "published_courses",
    "render_lesson_markdown",
    "required_lessons",
    "user_names",
]

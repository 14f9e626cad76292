"""Learn models: catalog, learning (enrolment, progress, cohorts), exams and credentials."""

from certification.models.catalog import (
    LEVEL_ORDER,
    Certification,
    Course,
    Lesson,
    LessonTranslation,
    Level,
    Module,
    Resource,
    Track,
)
from certification.models.credentials import Certificate, IssuerKey, ReminderSent
from certification.models.exams import Attempt, AttemptItem, Difficulty, Exam, Item
from certification.models.learning import Cohort, Enrolment, LearnerProfile, LessonProgress

__all__ = [
    "LEVEL_ORDER",
    "Attempt",
    "AttemptItem",
    "Certificate",
    "Certification",
    "Cohort",
    "Course",
    "Difficulty",
    "Enrolment",
    "Exam",
    "IssuerKey",
    "Item",
    "LearnerProfile",
    "Lesson",
    "LessonProgress",
    "LessonTranslation",
    "Level",
    "Module",
    "ReminderSent",
    "Resource",
    "Track",
]

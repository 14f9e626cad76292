import pytest

from certification.models import (
    Certification,
    Course,
    Exam,
    Item,
    Lesson,
    LessonTranslation,
    Level,
    Module,
    Track,
)
from tests.factories import UserFactory

BLUEPRINT = [{"skill": "s1", "difficulty": 1, "count": 2}, {"skill": "s2", "difficulty": 2, "count": 2}]


@pytest.fixture
def catalog(db):
    track = Track.objects.create(slug="distributed-systems", name="Distributed systems")
    certification = Certification.objects.create(
        track=track,
        level=Level.DEVELOPER,
        name="Certified DS Developer",
        description="Builds DS.",
        criteria="Passed.",
    )
    course = Course.objects.create(
        slug="ds-101", title="DS 101", track=track, certification=certification, is_published=True
    )
    module = Module.objects.create(course=course, title="M1", position=1, due_offset_days=7)
    lessons = [
        Lesson.objects.create(
            module=module, title=f"Lesson {i}", body=f"Body {i}\n\n```python\nx = {i}\n```", position=i
        )
        for i in (1, 2)
    ]
    LessonTranslation.objects.create(lesson=lessons[0], language="es", title="Lección 1", body="Cuerpo 1")
    for skill, difficulty in (("s1", 1), ("s2", 2)):
        for n in range(3):
            Item.objects.create(
                track=track,
                skill=skill,
                difficulty=difficulty,
                kind=Item.Kind.SINGLE,
                stem=f"{skill} question {n}?",
                options=[
                    {"id": "a", "text": f"SECRET-RIGHT-{skill}-{n}"},
                    {"id": "b", "text": "wrong b"},
                    {"id": "c", "text": "wrong c"},
                ],
                answer={"correct": "a"},
                explanation=f"EXPLANATION-{skill}-{n}",
            )
    exam = Exam.objects.create(
        certification=certification,
        title="DS exam",
        blueprint=BLUEPRINT,
        time_limit_minutes=10,
        pass_mark=70,
        max_attempts=2,
        cooldown_hours=24,
    )
    return {
        "track": track,
        "certification": certification,
        "course": course,
        "lessons": lessons,
        "exam": exam,
    }


@pytest.fixture
def learner(db):
    return UserFactory(display_name="Lea Learner", country="DE")


def correct_answers(attempt):
    return {ai.position: ai.item.answer["correct"] for ai in attempt.items.select_related("item")}

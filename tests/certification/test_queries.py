"""Dashboards, lists and pages run a fixed number of queries however many rows they show; the rules they share
(required lessons, what of the answer key shows) live in one place."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from certification.models import (
    Attempt,
    AttemptItem,
    Certification,
    Cohort,
    Course,
    Enrolment,
    Exam,
    Lesson,
    Level,
    Module,
    Track,
)
from certification.selectors import (
    enrolment_progress,
    enrolments_progress,
    instructor_dashboard,
    learner_dashboard,
    learner_panel,
    required_lessons,
)
from certification.services import exams as exam_service
from certification.services.learning import completion_check, enrolment_create, lesson_complete
from certification.views.dashboards import panel_context
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _courses(catalog, count: int, *, instructor=None) -> list[Course]:
    """`count` published courses, each with its own certification, exam, cohort and three lessons (two
    required)."""
    courses = []
    for n in range(count):
        track = Track.objects.create(slug=f"track-{n}", name=f"Track {n}", position=n + 1)
        certification = Certification.objects.create(
            track=track, level=Level.DEVELOPER, name=f"Cert {n}", description="d", criteria="c"
        )
        course = Course.objects.create(
            slug=f"course-{n}",
            title=f"Course {n}",
            track=track,
            certification=certification,
            is_published=True,
            instructor=instructor,
        )
        module = Module.objects.create(course=course, title="M", position=1, due_offset_days=3)
        for position in range(3):
            Lesson.objects.create(
                module=module, title=f"L{position}", body="b", position=position, is_required=position < 2
            )
        Cohort.objects.create(course=course, name="Spring", starts_on=timezone.localdate())
        Exam.objects.create(certification=certification, title=f"Exam {n}", blueprint=[])
        courses.append(course)
    return courses


def _enrol_with_progress(user, courses: list[Course]) -> list[Enrolment]:
    enrolments = []
    for course in courses:
        enrolment = enrolment_create(user_id=user.pk, course=course, cohort=course.cohorts.first())
        lesson_complete(enrolment=enrolment, lesson=Lesson.objects.filter(module__course=course).first())
        exam = course.certification.exams.get()
        now = timezone.now()
        Attempt.objects.create(
            exam=exam, user=user, started_at=now, deadline=now, status="submitted", passed=True
        )
        enrolments.append(enrolment)
    return enrolments


def test_learner_dashboard_runs_the_same_queries_for_one_course_or_eight(
    catalog, django_assert_max_num_queries
):
    # given a learner with one enrolment and another with eight, each with progress, a cohort and a passed exam
    courses = _courses(catalog, 8)
    one, many = UserFactory(), UserFactory()
    _enrol_with_progress(one, courses[:1])
    _enrol_with_progress(many, courses)

    # when both dashboards are built, then both stay under the same small bound
    with django_assert_max_num_queries(10):
        small = learner_dashboard(one)
    with django_assert_max_num_queries(10):
        large = learner_dashboard(many)
        # rendering reads each row's course, cohort end date and resume lesson: no query per row either
        _ = [(r["enrolment"].course.slug, r["deadline"], r["progress"].resume) for r in large["rows"]]

    assert len(small["rows"]) == 1
    assert len(large["rows"]) == 8
    progress = large["rows"][0]["progress"]
    assert (progress.done, progress.required, progress.percent) == (1, 2, 50)
    assert progress.exam_passed
    assert progress.next_deadline == timezone.localdate() + timedelta(days=3)


def test_the_batch_agrees_with_the_single_enrolment_progress(catalog):
    # given enrolments with different progress
    courses = _courses(catalog, 3)
    user = UserFactory()
    enrolments = _enrol_with_progress(user, courses)
    lesson_complete(
        enrolment=enrolments[1], lesson=Lesson.objects.filter(module__course=courses[1], position=1).get()
    )
    enrolments = list(Enrolment.objects.filter(user=user).select_related("course", "cohort"))

    # when progress is computed for all at once and one by one, then the answers are the same
    batch = enrolments_progress(enrolments)
    for enrolment in enrolments:
        assert batch[enrolment.pk] == enrolment_progress(enrolment)


def test_enrolments_api_list_runs_a_fixed_number_of_queries(
    api_client, catalog, django_assert_max_num_queries
):
    # given a learner enrolled in eight courses
    user = UserFactory()
    _enrol_with_progress(user, _courses(catalog, 8))
    api_client.force_authenticate(user)

    # when the list is read, then the queries do not grow with the rows
    with django_assert_max_num_queries(14):
        response = api_client.get("/api/v1/certification/enrolments/")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == 8
    first = next(r for r in rows if r["course"] == "course-0")
    assert first["progress"]["done"] == 1
    assert first["progress"]["required"] == 2
    assert first["progress"]["exam_passed"] is True
    assert len(first["progress"]["completed_lessons"]) == 1
    assert first["cohort"]["ends_on"]


def test_the_dashboard_panel_computes_only_the_three_rows_it_shows(
    rf, catalog, django_assert_max_num_queries
):
    # given a learner with eight enrolments
    user = UserFactory()
    _enrol_with_progress(user, _courses(catalog, 8))
    request = rf.get("/")
    request.user = user

    # when the panel is built
    with django_assert_max_num_queries(9):
        panel = panel_context(request)["panel"]

    # then it holds three rows, the newest first, and no exam attempts
    assert [row["enrolment"].course.slug for row in panel["rows"]] == ["course-7", "course-6", "course-5"]
    assert set(panel) == {"rows", "certificates"}
    assert learner_panel(user, limit=3)["rows"][0]["progress"].done == 1


def test_instructor_dashboard_runs_a_fixed_number_of_queries(catalog, django_assert_max_num_queries):
    # given an instructor with six courses, each with two learners at different stages
    instructor = UserFactory()
    courses = _courses(catalog, 6, instructor=instructor)
    for course in courses:
        lessons = list(Lesson.objects.filter(module__course=course, is_required=True))
        started, finished = UserFactory(), UserFactory()
        lesson_complete(enrolment=enrolment_create(user_id=started.pk, course=course), lesson=lessons[0])
        enrolment = enrolment_create(user_id=finished.pk, course=course)
        for lesson in lessons:
            lesson_complete(enrolment=enrolment, lesson=lesson)

    # when the dashboard is built (the item list included)
    with django_assert_max_num_queries(6):
        data = instructor_dashboard(instructor)
        list(data["items"])

    # then every course shows its funnel
    assert len(data["rows"]) == 6
    row = data["rows"][0]
    assert (row["enrolled"], row["started"], row["halfway"], row["lessons_done"], row["completed"]) == (
        2,
        2,
        2,
        1,
        0,
    )


def test_track_page_runs_a_fixed_number_of_queries(client, catalog, django_assert_max_num_queries):
    # given a track with three certifications, each with three published courses and a draft on its path
    track = catalog["track"]
    for level in (Level.ARCHITECT, Level.EXPERT):
        certification = Certification.objects.create(
            track=track, level=level, name=f"Cert {level}", description="d", criteria="c"
        )
        for n in range(4):
            Course.objects.create(
                slug=f"{level}-{n}",
                title=f"Course {level} {n}",
                track=track,
                certification=certification,
                path_position=n,
                is_published=n < 3,
            )

    # when the track page is shown
    with django_assert_max_num_queries(3):  # track, certifications, their published courses
        page = client.get(f"/learn/tracks/{track.slug}/")

    # then every path lists its published courses in path order, and no draft
    assert page.status_code == 200
    body = page.content.decode()
    assert (
        body.index("Course architect 0") < body.index("Course architect 1") < body.index("Course architect 2")
    )
    assert "Course expert 2" in body
    assert "Course expert 3" not in body
    assert "DS 101" in body


def test_completion_and_progress_share_the_required_lessons_rule(catalog, learner):
    # given an enrolment with one of two required lessons done and an optional lesson added
    course = catalog["course"]
    Lesson.objects.create(module=course.modules.get(), title="Extra", body="x", position=9, is_required=False)
    enrolment = enrolment_create(user_id=learner.pk, course=course)
    lesson_complete(enrolment=enrolment, lesson=catalog["lessons"][0])

    # when the rule is asked directly and through progress
    state = required_lessons([enrolment])[enrolment.pk]
    progress = enrolment_progress(Enrolment.objects.select_related("course").get(pk=enrolment.pk))

    # then both say 1 of 2, and the course is not complete
    assert (state.done, state.required, state.complete) == (1, 2, False)
    assert (progress.done, progress.required) == (1, 2)
    assert completion_check(enrolment=enrolment) is False


def test_an_attempts_items_are_inserted_in_one_statement(catalog, learner):
    # given an enrolled learner
    enrolment_create(user_id=learner.pk, course=catalog["course"])

    # when an attempt starts
    with CaptureQueriesContext(connection) as queries:
        attempt = exam_service.attempt_start(user=learner, exam=catalog["exam"])

    # then its four items were written by one INSERT, positions 1..4
    inserts = [q["sql"] for q in queries if q["sql"].startswith('INSERT INTO "certification_attemptitem"')]
    assert len(inserts) == 1
    assert sorted(AttemptItem.objects.filter(attempt=attempt).values_list("position", flat=True)) == [
        1,
        2,
        3,
        4,
    ]
    assert all(ai.created_at is not None for ai in attempt.items.all())


def test_portal_and_api_show_the_same_questions_and_no_key_before_submission(
    client, api_client, catalog, learner
):
    # given an open attempt
    enrolment_create(user_id=learner.pk, course=catalog["course"])
    attempt = exam_service.attempt_start(user=learner, exam=catalog["exam"])
    client.force_login(learner)
    api_client.force_authenticate(learner)

    # when the portal page and the API show it
    page = client.get(f"/learn/attempts/{attempt.public_id}/").content.decode()
    items = api_client.get(f"/api/v1/certification/attempts/{attempt.public_id}/").json()["items"]

    # then both show the same options and neither the key nor its explanation
    assert [i["position"] for i in items] == [1, 2, 3, 4]
    assert all(i["is_correct"] is None and i["explanation"] is None and i["points"] is None for i in items)
    for item in items:
        assert item["stem"] in page
    assert "EXPLANATION-" not in page


def test_lesson_markdown_is_the_portal_markdown_with_highlighted_code():
    from certification.rendering import render_lesson_markdown
    from novacron.core.portal import render_markdown

    text = "## Steps\n\nRun <script>alert(1)</script> this:\n\n```python\nx = '<b>'\n```\n"

    html = render_lesson_markdown(text)

    assert html.startswith(
        render_markdown(text).split("<pre>")[0]
    )  # the same sanitised prose and heading ids
    assert "<script>" not in html
    assert '<div class="codehilite">' in html
    assert '<span class="n">x</span>' in html
    assert "&lt;b&gt;" in html

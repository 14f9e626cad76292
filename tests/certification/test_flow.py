"""The newcomer's journey in the portal, the exam rules, answer secrecy and translation fallback."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from certification.models import Attempt, Certificate, Enrolment, Item
from certification.selectors import lesson_content
from certification.services import exams as exam_service
from certification.services.learning import enrolment_create, lesson_complete
from novacron.core.exceptions import Conflict
from tests.certification.conftest import correct_answers

pytestmark = pytest.mark.django_db
# Option texts are shown (they are the options); what must not show is which one is right.
SECRETS = (b"EXPLANATION-", b"correct")


def test_newcomer_enrols_completes_passes_and_a_stranger_verifies(client, catalog, learner):
    client.force_login(learner)
    course = catalog["course"]
    assert client.post(f"/learn/courses/{course.slug}/enrol/").status_code == 302
    for lesson in catalog["lessons"]:
        page = client.get(f"/learn/courses/{course.slug}/lessons/{lesson.public_id}/")
        assert page.status_code == 200
        client.post(f"/learn/courses/{course.slug}/lessons/{lesson.public_id}/complete/")
    enrolment = Enrolment.objects.get(user=learner)
    assert enrolment.status == Enrolment.Status.ACTIVE  # the exam is part of the completion rule

    response = client.post(f"/learn/exams/{catalog['exam'].public_id}/start/")
    attempt = Attempt.objects.get(user=learner)
    assert response.url == f"/learn/attempts/{attempt.public_id}/"
    page = client.get(response.url)
    for secret in SECRETS:
        assert secret not in page.content
    form = {f"q{pos}": value for pos, value in correct_answers(attempt).items()}
    client.post(response.url, {**form, "submit": "1"})

    attempt.refresh_from_db()
    assert attempt.passed
    assert attempt.skill_scores["s1"]["percent"] == 100.0
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.COMPLETED
    certificate = Certificate.objects.get(user=learner)
    client.logout()
    page = client.get(f"/learn/credentials/{certificate.public_id}/")
    assert b"Valid." in page.content
    assert b"Lea Learner" in page.content


def test_no_answer_leaks_before_submission_in_api(api_client, catalog, learner):
    api_client.force_authenticate(learner)
    enrolment_create(user_id=learner.pk, course=catalog["course"])
    exam = catalog["exam"]
    responses = [api_client.get(f"/api/v1/certification/exams/{exam.public_id}/")]
    started = api_client.post(f"/api/v1/certification/exams/{exam.public_id}/attempts/")
    responses.append(started)
    attempt_id = started.json()["id"]
    responses.append(api_client.get(f"/api/v1/certification/attempts/{attempt_id}/"))
    responses.append(
        api_client.post(
            f"/api/v1/certification/attempts/{attempt_id}/answers/", {"answers": {"1": "b"}}, format="json"
        )
    )
    responses.append(api_client.get(f"/api/v1/certification/courses/{catalog['course'].slug}/"))
    responses.append(api_client.get("/api/v1/certification/items/"))
    for response in responses:
        body = json.dumps(response.json()) if response.status_code != 403 else ""
        for secret in ("EXPLANATION-", '"correct"', '"answer"'):
            assert secret not in body, response.request
    item = started.json()["items"][0]
    assert item["is_correct"] is None
    assert item["explanation"] is None
    # The right option text is shown (it is an option) but nothing marks it as right.
    submitted = api_client.post(f"/api/v1/certification/attempts/{attempt_id}/submit/", {}, format="json")
    assert submitted.json()["items"][0]["explanation"].startswith("EXPLANATION-")


def test_blueprint_sampling_and_shuffled_options(catalog, learner):
    enrolment_create(user_id=learner.pk, course=catalog["course"])
    exam = catalog["exam"]
    exam.max_attempts = 0
    exam.cooldown_hours = 0
    exam.save()
    seen_orders, seen_items = set(), set()
    for _ in range(12):
        attempt = exam_service.attempt_start(user=learner, exam=exam)
        items = list(attempt.items.select_related("item"))
        skills = sorted((ai.item.skill, ai.item.difficulty) for ai in items)
        assert skills == [("s1", 1), ("s1", 1), ("s2", 2), ("s2", 2)]
        seen_items.add(frozenset(ai.item_id for ai in items))
        seen_orders.update(tuple(ai.option_order) for ai in items)
        for ai in items:
            assert sorted(ai.option_order) == ["a", "b", "c"]
        exam_service.attempt_submit(attempt=attempt)
    assert len(seen_items) > 1
    assert len(seen_orders) > 1


def test_time_limit_is_enforced_on_the_server(catalog, learner):
    enrolment_create(user_id=learner.pk, course=catalog["course"])
    now = timezone.now()
    attempt = exam_service.attempt_start(user=learner, exam=catalog["exam"], now=now)
    answers = correct_answers(attempt)
    exam_service.attempt_answer(attempt=attempt, answers={1: answers[1]}, now=now + timedelta(minutes=5))
    late = now + timedelta(minutes=10, seconds=31)

    with pytest.raises(Conflict) as refused:
        exam_service.attempt_answer(attempt=attempt, answers=answers, now=late)

    assert getattr(refused.value, "code", "") == "time_limit_passed"
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.EXPIRED
    assert attempt.score == 1


def test_late_submit_scores_only_saved_answers(catalog, learner):
    enrolment_create(user_id=learner.pk, course=catalog["course"])
    now = timezone.now()
    attempt = exam_service.attempt_start(user=learner, exam=catalog["exam"], now=now)
    result = exam_service.attempt_submit(
        attempt=attempt, answers=correct_answers(attempt), now=now + timedelta(hours=1)
    )
    assert result.status == Attempt.Status.EXPIRED
    assert result.score == 0
    assert not result.passed


def test_attempt_limit_and_cooldown(catalog, learner):
    enrolment_create(user_id=learner.pk, course=catalog["course"])
    exam, now = catalog["exam"], timezone.now()
    exam_service.attempt_submit(attempt=exam_service.attempt_start(user=learner, exam=exam, now=now), now=now)
    assert "retake" in exam_service.eligibility(user_id=learner.pk, exam=exam, now=now + timedelta(hours=1))
    later = now + timedelta(hours=25)
    exam_service.attempt_submit(
        attempt=exam_service.attempt_start(user=learner, exam=exam, now=later), now=later
    )
    assert "all 2 attempts" in exam_service.eligibility(
        user_id=learner.pk, exam=exam, now=later + timedelta(days=3)
    )


@pytest.mark.parametrize(
    ("kind", "options", "answer", "response", "correct"),
    [
        (
            "multiple",
            [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}, {"id": "c", "text": "C"}],
            {"correct": ["a", "c"]},
            ["c", "a"],
            True,
        ),
        (
            "multiple",
            [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}],
            {"correct": ["a"]},
            ["a", "b"],
            False,
        ),
        ("numeric", [], {"value": 2.5, "tolerance": 0.1}, "2.58", True),
        ("numeric", [], {"value": 2.5, "tolerance": 0.1}, "2.7", False),
        ("text", [], {"accepted": ["etcd"], "pattern": r"raft\s*log"}, "ETCD", True),
        ("text", [], {"accepted": [], "pattern": r"raft\s*log"}, "Raft  log", True),
        (
            "ordering",
            [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}],
            {"order": ["b", "a"]},
            ["b", "a"],
            True,
        ),
    ],
)
def test_item_types_score(kind, options, answer, response, correct):
    item = Item(kind=kind, options=options, answer=answer)
    assert (
        exam_service.is_correct(item, exam_service.normalise_response(item, response, field="x")) is correct
    )


def test_translation_falls_back_with_a_notice(client, catalog, learner):
    lessons = catalog["lessons"]
    assert lesson_content(lessons[0], "es").title == "Lección 1"
    fallback = lesson_content(lessons[1], "es")
    assert fallback.fallback
    assert fallback.language == "en"
    assert fallback.title == "Lesson 2"
    assert "codehilite" in fallback.body_html
    enrolment = enrolment_create(user_id=learner.pk, course=catalog["course"], language="es")
    client.force_login(learner)
    page = client.get(f"/learn/courses/ds-101/lessons/{lessons[1].public_id}/")
    assert b"not yet available" in page.content
    lesson_complete(enrolment=enrolment, lesson=lessons[0])
    assert client.get("/learn/courses/ds-101/resume/").url.endswith(f"{lessons[1].public_id}/")


def test_paid_enrolment_through_checkout_and_refund(
    api_client, catalog, learner, django_capture_on_commit_callbacks
):
    from revenue import facade as revenue

    course = catalog["course"]
    course.price_amount = 1500
    course.save()
    api_client.force_authenticate(learner)
    free = api_client.post(f"/api/v1/certification/courses/{course.slug}/enrol/", {}, format="json")
    assert free.status_code == 400
    assert free.json()["error"]["code"] == "payment_required"
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            f"/api/v1/certification/courses/{course.slug}/purchase/",
            {"payment_method": "4242424242424242"},
            format="json",
        )
    assert response.status_code == 201, response.json()
    order_id = response.json()["order_id"]
    assert response.json()["state"] == "paid"
    enrolment = Enrolment.objects.get(user=learner, course=course)
    assert enrolment.source == Enrolment.Source.PAID
    assert enrolment.order_id == order_id
    with django_capture_on_commit_callbacks(execute=True):
        revenue.refund(order_id=order_id, reason="changed mind")
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.WITHDRAWN

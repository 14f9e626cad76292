"""Exam attempts: eligibility (enrolment, attempt limit, cool-down), blueprint sampling, shuffled options,
server-side time limit, scoring with a per-skill breakdown.

Time limit: an attempt has a `deadline` (start + time limit). Answers arriving after deadline + the exam's grace
seconds are refused; the attempt is then auto-submitted with the answers saved before the deadline (status
"expired"), by the next request that touches it or by the `certification.expire_attempts` task.
"""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from certification.models import Attempt, AttemptItem, Certificate, Course, Enrolment, Exam, Item
from novacron.core.exceptions import Conflict, PermissionDenied, ValidationError
from novacron.core.services.audit import audit_record

RECERTIFICATION_WINDOW_DAYS = 90
MAX_TEXT_ANSWER = 500
_rng = random.SystemRandom()


# --- eligibility ---------------------------------------------------------------------------------------------


def eligibility(*, user_id: int, exam: Exam, now: datetime | None = None) -> str | None:
    """None when the learner may start an attempt now, else the reason they may not (shown as-is)."""
    now = now or timezone.now()
    if not exam.is_active:
        return "This exam is not available."
    certificate = (
        Certificate.objects.filter(user_id=user_id, certification_id=exam.certification_id)
        .exclude(status=Certificate.Status.SUPERSEDED)
        .order_by("-issued_at")
        .first()
    )
    if exam.kind == Exam.Kind.CERTIFICATION:
        enrolled = Enrolment.objects.filter(
            user_id=user_id, course__certification_id=exam.certification_id
        ).exclude(status=Enrolment.Status.WITHDRAWN)
        if not enrolled.exists():
            return "Enrol in a course of this certification's learning path first."
        if (
            certificate is not None
            and certificate.status == Certificate.Status.ACTIVE
            and certificate.expires_at > now
        ):
            return "You already hold this certification."
    else:
        if certificate is None or certificate.status != Certificate.Status.ACTIVE:
            return "The recertification exam is for holders of this certification."
        if certificate.expires_at - now > timedelta(days=RECERTIFICATION_WINDOW_DAYS):
            opens = certificate.expires_at - timedelta(days=RECERTIFICATION_WINDOW_DAYS)
            return f"Recertification opens on {opens:%Y-%m-%d}, {RECERTIFICATION_WINDOW_DAYS} days before expiry."
    finished = Attempt.objects.filter(user_id=user_id, exam=exam).exclude(status=Attempt.Status.IN_PROGRESS)
    if exam.max_attempts and finished.count() >= exam.max_attempts:
        return f"You have used all {exam.max_attempts} attempts for this exam."
    last = finished.order_by("-submitted_at").first()
    if last is not None and not last.passed and exam.cooldown_hours:
        available = last.submitted_at + timedelta(hours=exam.cooldown_hours)
        if available > now:
            return f"You can retake this exam after {available:%Y-%m-%d %H:%M} UTC."
    return None


# --- starting: blueprint sampling ------------------------------------------------------------------------------


def blueprint_validate(*, exam: Exam) -> list[str]:
    """Problems with the blueprint against the item bank (empty list: every row can be drawn)."""
    problems = []
    if not exam.blueprint:
        return ["The blueprint is empty."]
    for number, row in enumerate(exam.blueprint, start=1):
        try:
            skill, difficulty, count = str(row["skill"]), int(row["difficulty"]), int(row["count"])
        except (KeyError, TypeError, ValueError):
            problems.append(f"Row {number}: needs skill, difficulty (1-3) and count.")
            continue
        available = Item.objects.filter(
            track_id=exam.certification.track_id, skill=skill, difficulty=difficulty, is_active=True
        ).count()
        if count < 1 or available < count:
            problems.append(f"Row {number}: {count} × {skill}/difficulty {difficulty}, bank has {available}.")
    return problems


def _draw(exam: Exam, rng: random.Random) -> list[Item]:
    problems = blueprint_validate(exam=exam)
    if problems:
        raise ValidationError("This exam cannot be drawn: " + " ".join(problems), field="exam")
    drawn: list[Item] = []
    for row in exam.blueprint:
        pool = list(
            Item.objects.filter(
                track_id=exam.certification.track_id,
                skill=row["skill"],
                difficulty=int(row["difficulty"]),
                is_active=True,
            ).order_by("pk")
        )
        drawn.extend(rng.sample(pool, int(row["count"])))
    rng.shuffle(drawn)
    return drawn


def attempt_start(
    *, user, exam: Exam, now: datetime | None = None, rng: random.Random | None = None
) -> Attempt:
    """Start (or resume) an attempt. An open attempt is returned as it is; one past its deadline is
    auto-submitted first and a new one is started if the learner is still eligible."""
    now = now or timezone.now()
    rng = rng or _rng
    open_attempt = Attempt.objects.filter(user=user, exam=exam, status=Attempt.Status.IN_PROGRESS).first()
    if open_attempt is not None:
        if not attempt_overdue(open_attempt, now=now):
            return open_attempt
        attempt_finalize(attempt=open_attempt, now=now)
    reason = eligibility(user_id=user.pk, exam=exam, now=now)
    if reason:
        raise PermissionDenied(reason, code="not_eligible")
    items = _draw(exam, rng)
    try:
        with transaction.atomic():
            attempt = Attempt.objects.create(
                exam=exam,
                user=user,
                started_at=now,
                deadline=now + timedelta(minutes=exam.time_limit_minutes),
                max_score=sum(item.points for item in items),
            )
            drawn = []
            for position, item in enumerate(items, start=1):
                order = [str(option["id"]) for option in item.options or []]
                rng.shuffle(order)
                drawn.append(AttemptItem(attempt=attempt, item=item, position=position, option_order=order))
            AttemptItem.objects.bulk_create(drawn)
            audit_record(actor=user, action="certification.attempt.start", obj=attempt)
    except IntegrityError:  # a concurrent start created the open attempt
        return Attempt.objects.get(user=user, exam=exam, status=Attempt.Status.IN_PROGRESS)
    return attempt


# --- answering -----------------------------------------------------------------------------------------------


def attempt_overdue(attempt: Attempt, *, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return now > attempt.deadline + timedelta(seconds=attempt.exam.grace_seconds)


def normalise_response(item: Item, raw: Any, *, field: str) -> Any:
    """Check a response's shape against the item (never against the key) and return it in canonical form."""
    option_ids = {str(option["id"]) for option in item.options or []}
    if raw in (None, "", []):
        return None
    if item.kind == Item.Kind.SINGLE:
        value = raw[0] if isinstance(raw, list) and len(raw) == 1 else raw
        if str(value) not in option_ids:
            raise ValidationError("Choose one of the options.", field=field)
        return str(value)
    if item.kind == Item.Kind.MULTIPLE:
        values = raw if isinstance(raw, list) else [raw]
        chosen = sorted({str(v) for v in values})
        if not set(chosen) <= option_ids:
            raise ValidationError("Choose among the options.", field=field)
        return chosen
    if item.kind == Item.Kind.NUMERIC:
        try:
            number = Decimal(str(raw).strip().replace(",", "."))
        except ArithmeticError as exc:
            raise ValidationError("Enter a number.", field=field) from exc
        if not number.is_finite():
            raise ValidationError("Enter a number.", field=field)
        return str(number)
    if item.kind == Item.Kind.TEXT:
        text = str(raw).strip()
        if len(text) > MAX_TEXT_ANSWER:
            raise ValidationError(f"At most {MAX_TEXT_ANSWER} characters.", field=field)
        return text
    values = raw if isinstance(raw, list) else [v for v in str(raw).split(",") if v]
    order = [str(v).strip() for v in values]
    if sorted(order) != sorted(option_ids):
        raise ValidationError("Put every option in order, each once.", field=field)
    return order


def is_correct(item: Item, response: Any) -> bool:
    if response is None:
        return False
    key = item.answer or {}
    if item.kind == Item.Kind.SINGLE:
        return response == str(key.get("correct"))
    if item.kind == Item.Kind.MULTIPLE:
        return sorted(response) == sorted(str(v) for v in key.get("correct", []))
    if item.kind == Item.Kind.NUMERIC:
        value, tolerance = Decimal(str(key.get("value"))), Decimal(str(key.get("tolerance", 0)))
        return abs(Decimal(response) - value) <= tolerance
    if item.kind == Item.Kind.TEXT:
        sensitive = bool(key.get("case_sensitive"))
        given = response if sensitive else response.casefold()
        accepted = [a if sensitive else a.casefold() for a in key.get("accepted", [])]
        if given in accepted:
            return True
        pattern = key.get("pattern")
        flags = 0 if sensitive else re.IGNORECASE
        return bool(pattern) and re.fullmatch(pattern, response, flags) is not None
    return response == [str(v) for v in key.get("order", [])]


def attempt_answer(*, attempt: Attempt, answers: dict[int, Any], now: datetime | None = None) -> Attempt:
    """Save answers (position → response) while the attempt is open and within its time limit."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().select_related("exam").get(pk=attempt.pk)
        if not attempt.is_open:
            raise Conflict("This attempt is already submitted.", code="attempt_closed")
        if attempt_overdue(attempt, now=now):
            late = True
        else:
            late = False
            items = {ai.position: ai for ai in attempt.items.select_related("item")}
            for position, raw in answers.items():
                attempt_item = items.get(int(position))
                if attempt_item is None:
                    raise ValidationError(f"No question {position} in this attempt.", field="answers")
                attempt_item.response = normalise_response(
                    attempt_item.item, raw, field=f"answers.{position}"
                )
                attempt_item.save(update_fields=["response", "updated_at"])
    if late:
        attempt_finalize(attempt=attempt, now=now)
        raise Conflict(
            "The time limit has passed: this answer was not saved and the attempt was submitted with the "
            "answers saved before the deadline.",
            code="time_limit_passed",
        )
    return attempt


def attempt_submit(
    *, attempt: Attempt, answers: dict[int, Any] | None = None, now: datetime | None = None
) -> Attempt:
    """Submit: save the last answers (if still in time) and score. Late submissions are refused (their answers
    are discarded) and the attempt is scored on what was saved before the deadline."""
    now = now or timezone.now()
    if not attempt.is_open:
        raise Conflict("This attempt is already submitted.", code="attempt_closed")
    late = attempt_overdue(attempt, now=now)
    if answers and not late:
        attempt_answer(attempt=attempt, answers=answers, now=now)
    return attempt_finalize(attempt=attempt, now=now)


def _percent(score: int, maximum: int) -> Decimal:
    if maximum == 0:
        return Decimal("0.00")
    return (Decimal(score) * 100 / Decimal(maximum)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def attempt_finalize(*, attempt: Attempt, now: datetime | None = None) -> Attempt:
    """Score and close the attempt (idempotent). Status "expired" when closed after the time limit."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().select_related("exam__certification").get(pk=attempt.pk)
        if not attempt.is_open:
            return attempt
        score, skills = 0, {}
        for attempt_item in attempt.items.select_related("item"):
            item = attempt_item.item
            correct = is_correct(item, attempt_item.response)
            attempt_item.is_correct = correct
            attempt_item.points = item.points if correct else 0
            attempt_item.save(update_fields=["is_correct", "points", "updated_at"])
            score += attempt_item.points
            skill = skills.setdefault(item.skill, {"score": 0, "max": 0})
            skill["score"] += attempt_item.points
            skill["max"] += item.points
        for skill in skills.values():
            skill["percent"] = float(_percent(skill["score"], skill["max"]))
        overdue = attempt_overdue(attempt, now=now)
        attempt.status = Attempt.Status.EXPIRED if overdue else Attempt.Status.SUBMITTED
        attempt.submitted_at = min(now, attempt.deadline) if overdue else now
        attempt.score = score
        attempt.percent = _percent(score, attempt.max_score)
        attempt.passed = attempt.percent >= attempt.exam.pass_mark
        attempt.skill_scores = dict(sorted(skills.items()))
        attempt.save()
        audit_record(
            actor=None if overdue else attempt.user,
            action="certification.attempt.submit",
            obj=attempt,
            after={"status": attempt.status, "percent": attempt.percent, "passed": attempt.passed},
        )
    if attempt.passed:
        _after_pass(attempt, now=now)
    return attempt


def _after_pass(attempt: Attempt, *, now: datetime) -> None:
    from certification.services.certificates import certificate_issue
    from certification.services.learning import completion_check

    exam = attempt.exam
    if exam.kind == Exam.Kind.RECERTIFICATION:
        certificate_issue(user_id=attempt.user_id, certification=exam.certification, attempt=attempt, now=now)
        return
    path = Course.objects.filter(certification_id=exam.certification_id)
    for enrolment in Enrolment.objects.filter(
        user_id=attempt.user_id, course__in=path, status=Enrolment.Status.ACTIVE
    ):
        completion_check(enrolment=enrolment, now=now)


def attempts_expire(*, now: datetime | None = None) -> int:
    """Auto-submit every open attempt past its deadline and grace (the Celery task's body)."""
    now = now or timezone.now()
    count = 0
    for attempt in Attempt.objects.filter(status=Attempt.Status.IN_PROGRESS, deadline__lt=now).select_related(
        "exam"
    ):
        if attempt_overdue(attempt, now=now):
            attempt_finalize(attempt=attempt, now=now)
            count += 1
    return count

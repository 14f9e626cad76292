"""Taking exams in the portal. Before submission a page shows each item's stem and its options in the attempt's
shuffled order — never the answer key, correctness or explanations; those appear on the result page only."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from certification.models import Attempt, Exam, Item
from certification.rendering import render_lesson_markdown
from certification.selectors import attempt_item_rows
from certification.services import exams as exam_service
from certification.views.common import flash_error
from novacron.core.exceptions import DomainError


@login_required
def exam_detail(request: HttpRequest, public_id) -> HttpResponse:
    exam = get_object_or_404(Exam.objects.select_related("certification__track"), public_id=public_id)
    open_attempt = Attempt.objects.filter(
        user=request.user, exam=exam, status=Attempt.Status.IN_PROGRESS
    ).first()
    return render(
        request,
        "certification/exam.html",
        {
            "exam": exam,
            "reason": None if open_attempt else exam_service.eligibility(user_id=request.user.pk, exam=exam),
            "open_attempt": open_attempt,
            "attempts": Attempt.objects.filter(user=request.user, exam=exam).exclude(
                status=Attempt.Status.IN_PROGRESS
            ),
        },
    )


@login_required
@require_POST
def exam_start(request: HttpRequest, public_id) -> HttpResponse:
    exam = get_object_or_404(Exam, public_id=public_id)
    try:
        attempt = exam_service.attempt_start(user=request.user, exam=exam)
    except DomainError as exc:
        flash_error(request, exc)
        return redirect("certification:exam", public_id=public_id)
    return redirect("certification:attempt", public_id=attempt.public_id)


def _question_rows(attempt: Attempt) -> list[dict]:
    rows = attempt_item_rows(attempt)
    for row in rows:
        response = row["response"]
        row["stem_html"] = render_lesson_markdown(row["stem"])
        row["response_list"] = response if isinstance(response, list) else [response] if response else []
    return rows


def _answers_from_post(attempt: Attempt, post) -> dict[int, object]:
    answers: dict[int, object] = {}
    for attempt_item in attempt.items.select_related("item"):
        name = f"q{attempt_item.position}"
        if attempt_item.item.kind == Item.Kind.MULTIPLE:
            values = post.getlist(name)
            if values or f"{name}-present" in post:
                answers[attempt_item.position] = values
        elif attempt_item.item.kind == Item.Kind.ORDERING:
            ranks = {oid: post.get(f"{name}-{oid}", "") for oid in attempt_item.option_order}
            if all(ranks.values()):
                try:
                    answers[attempt_item.position] = sorted(ranks, key=lambda oid: int(ranks[oid]))
                except ValueError:
                    answers[attempt_item.position] = list(ranks.values())  # rejected with a field message
        elif name in post:
            answers[attempt_item.position] = post.get(name)
    return answers


@login_required
def attempt_detail(request: HttpRequest, public_id) -> HttpResponse:
    attempt = get_object_or_404(Attempt.objects.select_related("exam__certification"), public_id=public_id)
    if attempt.user_id != request.user.pk:
        raise Http404
    now = timezone.now()
    if attempt.is_open and exam_service.attempt_overdue(attempt, now=now):
        attempt = exam_service.attempt_finalize(attempt=attempt, now=now)
        messages.warning(request, "The time limit passed: the attempt was submitted with your saved answers.")
    if request.method == "POST" and attempt.is_open:
        answers = _answers_from_post(attempt, request.POST)
        try:
            if "submit" in request.POST:
                attempt = exam_service.attempt_submit(attempt=attempt, answers=answers, now=now)
                return redirect("certification:attempt", public_id=attempt.public_id)
            exam_service.attempt_answer(attempt=attempt, answers=answers, now=now)
            messages.success(request, "Answers saved.")
        except DomainError as exc:
            flash_error(request, exc)
        return redirect("certification:attempt", public_id=attempt.public_id)
    attempt.refresh_from_db()
    return render(
        request,
        "certification/attempt.html",
        {
            "attempt": attempt,
            "rows": _question_rows(attempt),
            "seconds_left": max(0, int((attempt.deadline - now).total_seconds())) if attempt.is_open else 0,
        },
    )


@login_required
@require_POST
def attempt_submit(request: HttpRequest, public_id) -> HttpResponse:
    attempt = get_object_or_404(Attempt, public_id=public_id, user=request.user)
    try:
        exam_service.attempt_submit(attempt=attempt)
    except DomainError as exc:
        flash_error(request, exc)
    return redirect("certification:attempt", public_id=public_id)

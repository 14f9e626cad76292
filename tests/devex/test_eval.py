"""The evaluation set and `manage.py eval_assistant`."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from devex.eval.harness import QUESTIONS_PATH, MethodResult, Question, QuestionOutcome, load_questions
from devex.retrieval.chunking import PATH_SEPARATOR, chunk_markdown, document_title
from devex.services.indexing import index_rebuild
from tests.devex.test_retrieval_support import configure

TINY_QUESTIONS = """\
answerable:
  - q: Which payout schedules can a seller choose?
    expect: ["payouts.md#Payout schedules"]
  - q: What happens when a token lacks a scope?
    expect: ["api/tokens.md#Scopes", "api/tokens.md#Errors"]
unanswerable:
  - What is the capital of France?
"""


def test_the_question_set_is_big_enough_and_points_at_real_sections():
    questions = load_questions()
    answerable = [q for q in questions if q.answerable]
    docs = Path(django_settings.BASE_DIR) / "docs"

    assert len(answerable) >= 50
    assert len(questions) - len(answerable) >= 10
    headings: dict[str, set[str]] = {}
    for doc, _ in {target for q in answerable for target in q.expect}:
        if (docs / doc).exists():  # an alternative on a page that is not there (yet) only never matches
            text = (docs / doc).read_text(encoding="utf-8")
            chunks = chunk_markdown(text, title=document_title(text, doc))
            headings[doc] = {part for c in chunks for part in c.heading_path.split(PATH_SEPARATOR)}
    renamed = [
        f"{doc}#{heading}"
        for q in answerable
        for doc, heading in q.expect
        if doc in headings and heading not in headings[doc]
    ]
    assert not renamed, f"{QUESTIONS_PATH} names sections that docs/ no longer has: {renamed}"
    unanswerable_now = [q.text for q in answerable if not any(doc in headings for doc, _ in q.expect)]
    assert not unanswerable_now, f"no page of these questions exists: {unanswerable_now}"


def test_eval_command_reports_every_method(settings, tmp_path, db):
    configure(settings, tmp_path)
    index_rebuild()
    questions = tmp_path / "questions.yaml"
    questions.write_text(TINY_QUESTIONS)
    out = StringIO()

    call_command("eval_assistant", "--questions", str(questions), "--json", "--calibrate", stdout=out)

    data = json.loads(out.getvalue())
    assert data["backend"]["name"] == "tfidf-lsa"
    assert data["unresolved"] == []
    by_method = {r["method"]: r for r in data["results"]}
    assert set(by_method) == {"lexical", "dense", "hybrid"}
    for result in by_method.values():
        assert result["answerable_questions"] == 2
        assert result["unanswerable_questions"] == 1
        assert result["recall_at_5"] == 1.0
        assert 0.5 <= result["mrr_at_10"] <= 1.0
        assert result["idk_correct"] == 1.0


def test_eval_command_prints_a_table_and_unresolved_sections(settings, tmp_path, db):
    configure(settings, tmp_path)
    index_rebuild()
    questions = tmp_path / "questions.yaml"
    questions.write_text(TINY_QUESTIONS.replace("payouts.md#Payout schedules", "payouts.md#Renamed heading"))
    out = StringIO()

    call_command("eval_assistant", "--questions", str(questions), "--method", "hybrid", "-v", "2", stdout=out)

    text = out.getvalue()
    assert "| hybrid  |" in text
    assert "recall@5" in text
    assert "payouts.md#Renamed heading" in text


def test_eval_command_without_an_index_says_what_to_do(settings, tmp_path, db):
    configure(settings, tmp_path)

    with pytest.raises(CommandError, match="reindex_docs"):
        call_command("eval_assistant")


def test_calibration_picks_the_threshold_between_the_two_groups():
    answerable = Question("a", expect=(("x.md", "X"),))
    unanswerable = Question("u")
    result = MethodResult(
        "hybrid",
        outcomes=[
            QuestionOutcome(answerable, 1, True, 0.6, ""),
            QuestionOutcome(answerable, None, True, 0.5, ""),
            QuestionOutcome(unanswerable, None, False, 0.2, ""),
            QuestionOutcome(unanswerable, None, True, 0.3, ""),
        ],
    )

    assert result.calibrate() == (0.4, 1.0, 1.0)
    assert result.recall_at_5 == 0.5
    assert result.mrr == 0.5
    assert result.idk_correct == 0.5
    assert result.answered == 1.0

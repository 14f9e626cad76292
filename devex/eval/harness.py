"""Evaluate retrieval on a question set: recall@5, MRR@10 and the "I don't know" rates, per method.

- recall@5: share of answerable questions with a passage from an expected section among the first 5.
- MRR@10: mean of 1/rank of the first passage from an expected section within the first 10 (0 when none).
- "I don't know" correct: share of unanswerable questions where none of the first 5 passages is confident
  (the rule the assistant applies: devex.retrieval.search.is_confident).
- answered: share of answerable questions where at least one of the first 5 passages is confident (the other
  side of the same threshold: a high "I don't know" rate bought by never answering would show here).

A passage comes from an expected section when its page is the expected docs path and the expected heading is
one of its heading path's headings (so a subsection of the expected section counts).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from devex.retrieval.chunking import PATH_SEPARATOR
from devex.retrieval.corpus import docs_url

QUESTIONS_PATH = Path(__file__).resolve().parent / "questions.yaml"
RECALL_AT = 5
MRR_AT = 10
CONFIDENCE_AT = 5


@dataclass(frozen=True)
class Question:
    text: str
    expect: tuple[tuple[str, str], ...] = ()  # (docs path, heading)

    @property
    def answerable(self) -> bool:
        return bool(self.expect)


def load_questions(path: Path | None = None) -> list[Question]:
    data = yaml.safe_load((path or QUESTIONS_PATH).read_text(encoding="utf-8")) or {}
    questions = []
    for item in data.get("answerable", []):
        expect = []
        for target in item["expect"]:
            doc, _, heading = target.partition("#")
            if not heading:
                raise ValueError(f"{target!r}: expected '<docs path>#<heading>'")
            expect.append((doc.strip(), heading.strip()))
        questions.append(Question(text=item["q"], expect=tuple(expect)))
    questions.extend(Question(text=text) for text in data.get("unanswerable", []))
    return questions


def passage_matches(passage: Any, doc: str, heading: str) -> bool:
    if passage.url.split("#", 1)[0] != docs_url(doc):
        return False
    return heading.casefold() in {part.casefold() for part in passage.heading_path.split(PATH_SEPARATOR)}


def unresolved(questions: Sequence[Question]) -> list[str]:
    """Expected sections that no indexed chunk belongs to (a renamed page or heading)."""
    from devex.models import Chunk

    paths: dict[str, set[str]] = {}
    for source_id, heading_path in Chunk.objects.filter(document__source="docs").values_list(
        "document__source_id", "heading_path"
    ):
        paths.setdefault(source_id, set()).update(p.casefold() for p in heading_path.split(PATH_SEPARATOR))
    missing = []
    for question in questions:
        for doc, heading in question.expect:
            if heading.casefold() not in paths.get(doc, set()):
                missing.append(f"{doc}#{heading} ({question.text})")
    return missing


@dataclass
class QuestionOutcome:
    question: Question
    rank: int | None  # 1-based rank of the first passage from an expected section (within MRR_AT)
    confident: bool
    relevance: float  # the best relevance among the first CONFIDENCE_AT passages
    top: str  # url of the first passage


@dataclass
class MethodResult:
    method: str
    outcomes: list[QuestionOutcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def answerable(self) -> list[QuestionOutcome]:
        return [o for o in self.outcomes if o.question.answerable]

    @property
    def unanswerable(self) -> list[QuestionOutcome]:
        return [o for o in self.outcomes if not o.question.answerable]

    @property
    def recall_at_5(self) -> float:
        hits = [o for o in self.answerable if o.rank is not None and o.rank <= RECALL_AT]
        return len(hits) / len(self.answerable) if self.answerable else 0.0

    @property
    def mrr(self) -> float:
        return (
            sum(1 / o.rank for o in self.answerable if o.rank) / len(self.answerable)
            if self.answerable
            else 0.0
        )

    @property
    def idk_correct(self) -> float:
        rows = self.unanswerable
        return sum(not o.confident for o in rows) / len(rows) if rows else 0.0

    @property
    def answered(self) -> float:
        rows = self.answerable
        return sum(o.confident for o in rows) / len(rows) if rows else 0.0

    @property
    def ms_per_query(self) -> float:
        return 1000 * self.seconds / len(self.outcomes) if self.outcomes else 0.0

    def calibrate(self) -> tuple[float, float, float]:
        """The threshold that maximises balanced accuracy (answered + "I don't know" correct) / 2 on this set,
        half-way between the neighbouring relevances; returns (threshold, answered, idk_correct)."""
        answerable = sorted(o.relevance for o in self.answerable)
        unanswerable = sorted(o.relevance for o in self.unanswerable)
        values = sorted(set(answerable) | set(unanswerable) | {0.0, 1.0})
        best = (-1.0, 0.0, 0.0, 0.0)
        for low, high in itertools.pairwise(values):
            threshold = (low + high) / 2
            answered = sum(r >= threshold for r in answerable) / max(1, len(answerable))
            idk = sum(r < threshold for r in unanswerable) / max(1, len(unanswerable))
            if (answered + idk) / 2 > best[0]:
                best = ((answered + idk) / 2, threshold, answered, idk)
        return round(best[1], 3), best[2], best[3]

    def summary(self) -> dict[str, Any]:
        threshold, answered, idk = self.calibrate()
        return {
            "method": self.method,
            "recall_at_5": round(self.recall_at_5, 3),
            "mrr_at_10": round(self.mrr, 3),
            "idk_correct": round(self.idk_correct, 3),
            "answered": round(self.answered, 3),
            "answerable_questions": len(self.answerable),
            "unanswerable_questions": len(self.unanswerable),
            "ms_per_query": round(self.ms_per_query, 1),
            "calibrated_threshold": threshold,
            "calibrated_answered": round(answered, 3),
            "calibrated_idk_correct": round(idk, 3),
        }


SearchFunction = Callable[..., list[Any]]


def evaluate(
    questions: Sequence[Question], *, methods: Sequence[str], search: SearchFunction | None = None
) -> list[MethodResult]:
    if search is None:
        from devex.retrieval.search import search
    results = []
    for method in methods:
        result = MethodResult(method)
        started = time.perf_counter()
        for question in questions:
            passages = search(question.text, k=MRR_AT, sources=["docs"], method=method)
            rank = next(
                (
                    index
                    for index, passage in enumerate(passages, start=1)
                    if any(passage_matches(passage, doc, heading) for doc, heading in question.expect)
                ),
                None,
            )
            head = passages[:CONFIDENCE_AT]
            result.outcomes.append(
                QuestionOutcome(
                    question=question,
                    rank=rank,
                    confident=any(getattr(p, "confident", False) for p in head),
                    relevance=max((float(getattr(p, "relevance", 0.0)) for p in head), default=0.0),
                    top=passages[0].url if passages else "",
                )
            )
        result.seconds = time.perf_counter() - started
        results.append(result)
    return results

"""The documentation assistant's answer pipeline (reads only; conversations.py stores the turns).

question (+ earlier user questions) → retrieval query (follow-up rule, `answering.build_retrieval_query`)
→ hybrid search → confidence rule → extractive answer with citations (`answering.compose_answer`)
→ optionally rewritten by the LLM backend from the same passages (`devex.llm`), falling back to the
extractive answer on any error → `AssistantAnswer`.

Retrieval is reached only through `search_passages`, `passage_is_confident` and `retrieval_status` below, so tests
can replace them (monkeypatch) with a fake corpus.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import datetime
from typing import Any

from devex import answering, llm

logger = logging.getLogger(__name__)

TOP_K = 5
METHODS = ("hybrid", "lexical", "dense")
EXTRACTIVE = "extractive"


@dataclass(frozen=True)
class AssistantAnswer:
    question: str
    content: str  # Markdown: answer body plus "Sources" (or the closest pages)
    body: str
    citations: list[dict[str, Any]]
    answered: bool
    backend: str  # "extractive" or "llm:<model>"
    retrieval: dict[str, Any] = field(default_factory=dict)

    @property
    def follow_up(self) -> bool:
        return bool(self.retrieval.get("follow_up"))


# --- the seams to retrieval ---------------------------------------------------------------------------------


def _engine() -> Any:
    from devex.retrieval import search as engine  # imported on use: pages that only show status stay light

    return engine


def search_passages(
    query: str,
    *,
    k: int = TOP_K,
    sources: list[str] | None = None,
    language: str | None = None,
    method: str = "hybrid",
) -> list[Any]:
    return list(_engine().search(query, k=k, sources=sources, language=language, method=method))


def passage_is_confident(passage: Any) -> bool:
    """Retrieval's confidence rule: a passage may be cited only when this is true."""
    engine = _engine()
    rule = getattr(engine, "is_confident", None)
    if rule is not None:
        return bool(rule(passage))
    return float(passage.score) >= float(engine.confidence_threshold())


_STATUS_KEYS = {
    "name": ("name",),
    "dims": ("dims", "dimensions"),
    "index": ("index_type", "index"),
    "chunks": ("chunk_count", "chunks"),
    "last_build": ("last_build",),
    "note": ("note",),
}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def retrieval_status() -> dict[str, Any]:
    """`active_backend()` as plain data: name, dims, index ("exact"/"hnsw"/"none"), chunks, last_build (ISO
    8601 or None), note, and `details` with everything it reported. Never raises: a broken index shows as
    "unavailable" rather than breaking the page that shows the status line."""
    try:
        status = _engine().active_backend()
    except Exception as exc:
        logger.exception("devex: active_backend() failed")
        status = {"name": "unavailable", "note": f"{type(exc).__name__}: {exc}"}
    if is_dataclass(status) and not isinstance(status, type):
        data = asdict(status)
    elif isinstance(status, dict):
        data = dict(status)
    else:
        data = {"name": str(status)}
    shaped = {
        key: _plain(next((data[c] for c in candidates if data.get(c) is not None), None))
        for key, candidates in _STATUS_KEYS.items()
    }
    shaped["name"] = shaped["name"] or "unavailable"
    shaped["details"] = _plain(data)
    return shaped


# --- the pipeline -------------------------------------------------------------------------------------------


def _passage_info(passage: Any, confident: bool) -> dict[str, Any]:
    return {
        "chunk_id": passage.chunk_id,
        "heading_path": passage.heading_path,
        "url": passage.url,
        "score": round(float(passage.score), 6),
        "relevance": round(float(getattr(passage, "relevance", 0.0) or 0.0), 6),
        "lexical_rank": getattr(passage, "lexical_rank", None),
        "dense_rank": getattr(passage, "dense_rank", None),
        "method": getattr(passage, "method", ""),
        "confident": confident,
    }


def assistant_answer(
    *,
    question: str,
    previous_questions: Sequence[str] = (),
    history: Sequence[tuple[str, str]] = (),
    sources: list[str] | None = None,
    language: str | None = None,
    method: str = "hybrid",
) -> AssistantAnswer:
    """Answer `question` from the docs. `previous_questions` are the conversation's earlier user questions
    (oldest first) for the follow-up rule; `history` the earlier (role, text) turns for the LLM backend."""
    query = answering.build_retrieval_query(question, previous_questions)
    passages = search_passages(query.text, k=TOP_K, sources=sources, language=language, method=method)
    verdicts = {id(p): passage_is_confident(p) for p in passages}
    composed = answering.compose_answer(
        question, passages, is_confident=lambda p: verdicts[id(p)], query=query.text
    )
    retrieval: dict[str, Any] = {
        "question": question,
        "query": query.text,
        "follow_up": query.follow_up,
        "context_terms": list(query.context_terms),
        "method": method,
        "filters": {"sources": sources or [], "language": language or ""},
        "backend": retrieval_status().get("name", ""),
        "passages": [_passage_info(p, verdicts[id(p)]) for p in passages],
        "suggestions": list(composed.suggestions),
        "llm": None,
    }
    content, body, citations, backend = (
        composed.content,
        composed.body,
        composed.citations_json(),
        EXTRACTIVE,
    )
    config = llm.llm_config()
    if composed.answered and config is not None:
        confident = [p for p in passages if verdicts[id(p)]]
        try:
            written = llm.llm_write_answer(question, confident, history=history, config=config)
        except llm.LLMError as exc:
            logger.warning("devex: LLM backend failed, using the extractive answer: %s", exc)
            retrieval["llm"] = {"model": config.model, "used": False, "error": str(exc)}
        else:
            cited = [
                answering.citation_for(confident[number - 1], n=i)
                for i, number in enumerate(written.cited, start=1)
            ]
            citations = [c.as_dict() for c in cited]
            body = written.body
            content = f"{body}\n\n{answering.sources_markdown(cited)}"
            backend = f"llm:{written.model}"
            retrieval["llm"] = {
                "model": written.model,
                "used": True,
                "dropped_citations": list(written.dropped_citations),
            }
    return AssistantAnswer(
        question=question,
        content=content,
        body=body,
        citations=citations,
        answered=composed.answered,
        backend=backend,
        retrieval=retrieval,
    )

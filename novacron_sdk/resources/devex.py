"""/api/v1/devex/: the documentation assistant (cited answers, conversations, feedback), docs search and the
assistant's status. Tokens need `devex:read` for GETs and `devex:write` to ask (or the global read/write)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from novacron_sdk.endpoints import endpoint
from novacron_sdk.pagination import Paginator
from novacron_sdk.resources._base import Resource


@dataclass(frozen=True, kw_only=True)
class Citation:
    n: int
    """The marker [n] in the answer's text."""
    title: str
    """The cited document's title."""
    heading_path: str
    """e.g. "Payouts › Schedules"."""
    url: str
    """The exact section: a path with its #anchor."""
    absolute_url: str
    """The same on the server that answered."""
    source: str
    score: float
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, kw_only=True)
class Answer:
    conversation: UUID
    """Pass it to the next `ask` to follow up in the same conversation."""
    message: UUID
    """The answer's id (for `feedback`)."""
    question: str
    answer: str
    """Markdown: the text with [n] markers, its code examples, then a Sources list."""
    answered: bool
    """False when the docs do not cover the question and the assistant says it does not know."""
    citations: tuple[Citation, ...]
    backend: str
    """Who wrote the answer: "extractive" or "llm:<model>"."""
    retrieval_backend: str
    follow_up: bool
    created_at: datetime
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, kw_only=True)
class Passage:
    chunk_id: int
    document_title: str
    heading_path: str
    url: str
    text: str
    score: float
    lexical_rank: int | None
    dense_rank: int | None
    source: str
    language: str
    confident: bool
    """Whether it passes the assistant's confidence rule (would be used for an answer)."""
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, kw_only=True)
class SearchResults:
    query: str
    method: str
    backend: str
    results: tuple[Passage, ...]
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, kw_only=True)
class RetrievalStatus:
    name: str
    """e.g. "sentence-transformers/all-MiniLM-L6-v2" or "tfidf-lsa"."""
    dims: int | None
    index: str | None
    """"exact" (numpy) or "hnsw"."""
    chunks: int | None
    last_build: datetime | None
    details: dict[str, Any]
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, kw_only=True)
class LlmStatus:
    enabled: bool
    model: str
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, kw_only=True)
class AssistantStatus:
    retrieval: RetrievalStatus
    answers: str
    """"extractive", or "llm:<model>" when the LLM backend is on."""
    llm: LlmStatus
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, kw_only=True)
class Conversation:
    public_id: UUID
    title: str
    language: str
    created_at: datetime
    updated_at: datetime
    message_count: int | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, kw_only=True)
class Feedback:
    message: UUID
    helpful: bool
    comment: str
    updated_at: datetime
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


ASK = endpoint("POST", "/api/v1/devex/assistant/ask/", Answer)
CONVERSATIONS = endpoint("GET", "/api/v1/devex/assistant/conversations/", Conversation, paginated=True)
FEEDBACK = endpoint("POST", "/api/v1/devex/assistant/messages/{public_id}/feedback/", Feedback)
SEARCH = endpoint("GET", "/api/v1/devex/search/", SearchResults)
STATUS = endpoint("GET", "/api/v1/devex/status/", AssistantStatus)


class DevexResource(Resource):
    """client.devex"""

    def ask(
        self,
        question: str,
        *,
        conversation: UUID | str | None = None,
        sources: Sequence[str] | None = None,
        language: str | None = None,
        idempotency_key: str | None = None,
    ) -> Answer:
        """Ask the documentation assistant. Without `conversation` a new one starts (its id is in the answer);
        with it, the earlier turns are used for follow-up questions. `sources` (docs, lesson, article) and
        `language` narrow the passages it may use."""
        body: dict[str, Any] = {"question": question}
        if conversation is not None:
            body["conversation"] = str(conversation)
        if sources:
            body["sources"] = list(sources)
        if language:
            body["language"] = language
        return self._client.call(ASK, json=body, idempotency_key=idempotency_key)

    def search(
        self,
        q: str,
        *,
        k: int | None = None,
        sources: Sequence[str] | None = None,
        language: str | None = None,
        method: str | None = None,
    ) -> SearchResults:
        """The passages retrieval finds, best first (k: 1-50, server default 5; method: hybrid, lexical or
        dense, default hybrid)."""
        params = {
            "q": q,
            "k": k,
            "source": list(sources) if sources else None,
            "language": language,
            "method": method,
        }
        return self._client.call(SEARCH, params=params)

    def status(self) -> AssistantStatus:
        """Which retrieval backend, vector index and answer backend the assistant runs on."""
        return self._client.call(STATUS)

    def conversations(self, *, limit: int | None = None) -> Paginator[Conversation]:
        """Your conversations with the assistant, most recent first."""
        return self._client.paginate(CONVERSATIONS, limit=limit)

    def feedback(self, message: UUID | str, *, helpful: bool, comment: str = "") -> Feedback:
        """Rate an answer (giving it again updates it)."""
        return self._client.call(
            FEEDBACK, path_params={"public_id": message}, json={"helpful": helpful, "comment": comment}
        )

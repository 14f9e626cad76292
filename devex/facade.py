"""The only module other apps may import from `devex` (enforced by import-linter).

Functions here take ids and plain values and return plain data or `devex` model instances; each documents
its contract.

Contract
--------
- `docs_answer(question)` answers a question from the documentation without storing anything (another app
  can show "the docs say..." next to a forum question, say). It never raises for "no answer": it returns
  `answered=False` with the closest pages as `suggestions`.
- `docs_page_url(path)` is the portal URL of a docs/ page ("api/overview" → "/devex/docs/api/overview/"), or
  None when there is no such page.
- Hook: `register_content_source(source, provider)` from a higher app's AppConfig.ready adds its published
  content to the assistant's index (devex never imports that app). `source` is a `Document.Source` value
  ("lesson", "article"); `provider()` returns every currently published document of that source on each call,
  as dicts with `source_id`, `title`, `url` (the page, no anchor), `text` (Markdown) and optional `language`
  and `updated_at`. Documents it stops returning leave the index at the next build; a provider that raises is
  reported in the build and its documents are kept. See devex.retrieval.corpus.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from devex import selectors
from devex.retrieval import corpus
from devex.services.assistant import assistant_answer

__all__ = ["DocsAnswer", "DocsCitation", "docs_answer", "docs_page_url", "register_content_source"]


@dataclass(frozen=True)
class DocsCitation:
    n: int
    title: str
    heading_path: str
    url: str


@dataclass(frozen=True)
class DocsAnswer:
    question: str
    answer: str  # Markdown with [n] markers and a Sources list (or the closest pages when not answered)
    answered: bool
    citations: tuple[DocsCitation, ...]
    suggestions: tuple[tuple[str, str], ...]  # (title, url) of the closest pages when not answered
    backend: str


def docs_answer(question: str) -> DocsAnswer:
    """Answer `question` from the docs (no conversation, nothing stored)."""
    result = assistant_answer(question=question)
    return DocsAnswer(
        question=question,
        answer=result.content,
        answered=result.answered,
        citations=tuple(
            DocsCitation(n=c["n"], title=c["title"], heading_path=c["heading_path"], url=c["url"])
            for c in result.citations
        ),
        suggestions=tuple((s["title"], s["url"]) for s in result.retrieval.get("suggestions", [])),
        backend=result.backend,
    )


def docs_page_url(path: str) -> str | None:
    """The portal URL of the docs/ page at `path` (with or without ".md"), or None if there is none."""
    found = selectors.docs_page_file(path)
    return found[0].url if found else None


def register_content_source(source: str, provider: Callable[[], Iterable[Mapping[str, Any]]]) -> None:
    """Index `provider()`'s documents as `source` ("lesson", "article"); call from AppConfig.ready."""
    corpus.register_source(source, provider)

"""What gets indexed: a registry of content sources.

`docs` (every `*.md` under docs/) is built in. Higher apps register their published content (course lessons,
articles) from their `AppConfig.ready()` through `devex.facade`, so devex never imports them:

    # certification/apps.py
    def ready(self):
        from devex.facade import register_content_source

        register_content_source("lesson", published_lessons)  # () -> iterable of dicts or SourceDocument

A provider returns the complete set of currently published documents of its source on every call, as
`SourceDocument`s or plain dicts with the same keys (`source_id`, `title`, `url`, `text` in Markdown, optional
`language`, `updated_at`). Documents it no longer returns are removed from the index. A provider that raises
is reported in the build and its documents are kept as they were.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from devex.retrieval import config
from devex.retrieval.chunking import document_title
from novacron.core.docs_links import DOCS_URL_PREFIX


@dataclass(frozen=True)
class SourceDocument:
    source: str  # "docs", "lesson", "article" (devex.models.Document.Source)
    source_id: str  # unique within the source and language: the docs path, or the content's public id
    title: str
    url: str  # the page, without an anchor; chunks add "#<anchor>"
    text: str  # Markdown
    language: str = "en"
    updated_at: dt.datetime | None = None


Provider = Callable[[], Iterable["SourceDocument | Mapping[str, Any]"]]
_providers: dict[str, Provider] = {}


def register_source(source: str, provider: Provider) -> None:
    """Add (or replace) the provider of one source. `source` is a `Document.Source` value."""
    from devex.models import Document

    if source not in Document.Source.values:
        raise ValueError(f"unknown source {source!r}; expected one of {Document.Source.values}")
    _providers[source] = provider


def unregister_source(source: str) -> None:
    _providers.pop(source, None)


def registered_sources() -> list[str]:
    return sorted(_providers)


def collect(source: str) -> list[SourceDocument]:
    """The documents a source publishes now (raises what its provider raises)."""
    documents = []
    for item in _providers[source]():
        document = item if isinstance(item, SourceDocument) else SourceDocument(source=source, **dict(item))
        if document.source != source:
            document = SourceDocument(**{**document.__dict__, "source": source})
        documents.append(document)
    return documents


# --- the docs/ folder -------------------------------------------------------------------------------------

_LANGUAGE_SUFFIX_RE = re.compile(r"^(?P<stem>.+)\.(?P<lang>[a-z]{2}(?:-[a-z]+)?)$")


def docs_url(relative_path: str) -> str:
    """`api/overview.md` → `/devex/docs/api/overview/` (the portal's doc page)."""
    return f"{DOCS_URL_PREFIX}{relative_path.removesuffix('.md')}/"


def _language_of(relative_path: str) -> str:
    """`getting-started.de.md` is German; every other page is in the default language."""
    match = _LANGUAGE_SUFFIX_RE.match(Path(relative_path).name.removesuffix(".md"))
    languages = {code for code, _ in settings.LANGUAGES}
    if match and match.group("lang") in languages:
        return match.group("lang")
    return settings.LANGUAGE_CODE


def docs_documents(root: Path | None = None) -> list[SourceDocument]:
    root = root or config.docs_dir()
    documents = []
    for path in sorted(root.rglob("*.md")):
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        relative = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8")
        documents.append(
            SourceDocument(
                source="docs",
                source_id=relative,
                title=document_title(text, fallback=path.stem.replace("-", " ").capitalize()),
                url=docs_url(relative),
                text=text,
                language=_language_of(relative),
                updated_at=dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC),
            )
        )
    return documents


_providers["docs"] = docs_documents

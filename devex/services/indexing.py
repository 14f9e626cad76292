"""(Re)building the documentation index: `index_rebuild`.

1. Documents: every registered source (devex.retrieval.corpus) is read; a document whose content hash
   (chunker version, title, URL and Markdown) is unchanged is skipped; a new or changed one is re-chunked in its
   own transaction (its chunks replaced); documents a source no longer publishes are deleted with their chunks.
   `full=True` re-chunks every document and re-embeds every chunk.
2. Index: the lexical (BM25) index and the dense vectors are built over all chunks and written to a new build
   folder (devex.retrieval.store), which searches switch to once it is complete. With MiniLM the vectors of
   chunks whose content hash is unchanged are copied from the previous build, so only new text is embedded;
   TF-IDF + LSA is refitted on the whole corpus (seconds at this size).
3. An `IndexBuild` row records the vectoriser, index kind, dimensions and counts (documents total / changed,
   chunks total); `error` says why a build failed, or which source could not be read (its documents are then
   kept as they were and the build still serves).

Safe to run twice and concurrently: a cache lock (shared with REDIS_URL) lets one build run at a time; a second
caller returns at once with `skipped` set. Running it again without changes re-chunks nothing.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from devex.models import Chunk, Document, IndexBuild
from devex.retrieval import corpus, store, vector_index, vectorisers
from devex.retrieval.chunking import CHUNKER_VERSION, chunk_markdown, sha256
from devex.retrieval.lexical import BM25Index

logger = logging.getLogger(__name__)

LOCK_KEY = "devex:index-rebuild"
LOCK_SECONDS = 60 * 60
EMBED_BATCH = 256


@dataclass
class IndexReport:
    build: IndexBuild | None = None
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    chunks_total: int = 0
    chunks_embedded: int = 0
    chunks_reused: int = 0
    source_errors: dict[str, str] = field(default_factory=dict)
    skipped: str = ""

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted

    def as_dict(self) -> dict:
        return {
            "build_id": self.build.id if self.build else None,
            "vectoriser": self.build.vectoriser if self.build else None,
            "vector_index": self.build.vector_index if self.build else None,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "chunks_total": self.chunks_total,
            "chunks_embedded": self.chunks_embedded,
            "chunks_reused": self.chunks_reused,
            "source_errors": self.source_errors,
            "skipped": self.skipped,
        }


def document_hash(document: corpus.SourceDocument) -> str:
    return sha256("\0".join([CHUNKER_VERSION, document.title, document.url, document.text]))


def index_text(heading_path: str, text: str) -> str:
    """What both indexes see for a chunk (the same string `ChunkDraft.index_text` hashes)."""
    return f"{heading_path}\n{text}"


def index_rebuild(*, full: bool = False, now: datetime | None = None) -> IndexReport:
    """Bring the index up to date with every registered source (see the module docstring)."""
    token = uuid.uuid4().hex
    if not cache.add(LOCK_KEY, token, timeout=LOCK_SECONDS):
        return IndexReport(skipped="another index build is running")
    try:
        return _rebuild(full=full, now=now)
    finally:
        if cache.get(LOCK_KEY) == token:
            cache.delete(LOCK_KEY)


def _rebuild(*, full: bool, now: datetime | None) -> IndexReport:
    now = now or timezone.now()
    from devex.retrieval.search import current_build

    vectoriser = vectorisers.select()
    serving = current_build()
    previous = _reusable_previous(vectoriser, serving, full=full)
    build = IndexBuild.objects.create(vectoriser=vectoriser.name, vector_index="pending")
    report = IndexReport(build=build)
    try:
        _sync_documents(report, full=full, now=now)
        bundle = _build_bundle(build, vectoriser, previous=previous, report=report)
        bundle.save()
    except Exception as exc:
        build.error = f"{type(exc).__name__}: {exc}"[:2000]
        build.finished_at = timezone.now()
        build.save(update_fields=["error", "finished_at"])
        logger.exception("devex: index build %s failed", build.id)
        raise
    build.vector_index = bundle.index_kind
    build.dimensions = bundle.dimensions
    build.documents_total = Document.objects.count()
    build.documents_changed = report.changed
    build.chunks_total = len(bundle)
    build.error = "; ".join(f"source {s!r} not read: {e}" for s, e in report.source_errors.items())[:2000]
    build.finished_at = timezone.now()
    build.save()
    store.prune(keep={build.id} | ({serving.id} if serving else set()))  # readers may still use `serving`
    report.chunks_total = len(bundle)
    logger.info("devex: index build %s done: %s", build.id, report.as_dict())
    return report


# --- documents --------------------------------------------------------------------------------------------


def _sync_documents(report: IndexReport, *, full: bool, now: datetime) -> None:
    existing = {(d.source, d.source_id, d.language): d for d in Document.objects.all()}
    seen: set[tuple[str, str, str]] = set()
    for source in corpus.registered_sources():
        try:
            documents = corpus.collect(source)
        except Exception as exc:
            logger.exception("devex: source %s could not be read", source)
            report.source_errors[source] = f"{type(exc).__name__}: {exc}"
            seen.update(key for key in existing if key[0] == source)
            continue
        for document in documents:
            key = (document.source, document.source_id, document.language)
            if key in seen:
                continue
            seen.add(key)
            content_hash = document_hash(document)
            current = existing.get(key)
            if current is not None and current.content_hash == content_hash and not full:
                report.unchanged += 1
                continue
            _store_document(document, current, content_hash=content_hash, now=now)
            if current is None:
                report.created += 1
            else:
                report.updated += 1
    removed = [d.pk for key, d in existing.items() if key not in seen]
    if removed:
        with transaction.atomic():
            Document.objects.filter(pk__in=removed).delete()
        report.deleted = len(removed)


def _store_document(
    document: corpus.SourceDocument, current: Document | None, *, content_hash: str, now: datetime
) -> None:
    drafts = chunk_markdown(document.text, title=document.title)
    with transaction.atomic():
        if current is None:
            current = Document(
                source=document.source, source_id=document.source_id, language=document.language
            )
        else:
            current.chunks.all().delete()
        current.title = document.title[:255]
        current.url = document.url[:500]
        current.content_hash = content_hash
        current.source_updated_at = document.updated_at
        current.indexed_at = now
        current.save()
        Chunk.objects.bulk_create(
            Chunk(
                document=current,
                position=draft.position,
                heading_path=draft.heading_path[:500],
                anchor=draft.anchor[:200],
                text=draft.text,
                content_hash=draft.content_hash,
                language=document.language,
            )
            for draft in drafts
        )


# --- the index --------------------------------------------------------------------------------------------


def _reusable_previous(
    vectoriser: vectorisers.Vectoriser, build: IndexBuild | None, *, full: bool
) -> tuple[int, dict[bytes, np.ndarray]] | None:
    """(build id, content hash → vector) of the serving build, when its vectors can be reused."""
    if full or vectoriser.fitted_on_corpus:
        return None
    if build is None or build.vectoriser != vectoriser.name:
        return None
    directory = store.build_dir(build.id)
    try:
        hashes = np.load(directory / "content_hashes.npy")
        vectors = np.load(directory / "vectors.npy", mmap_mode="r")
    except (OSError, ValueError):
        return None
    return build.id, {bytes(h): vectors[row] for row, h in enumerate(hashes)}


def _build_bundle(
    build: IndexBuild,
    vectoriser: vectorisers.Vectoriser,
    *,
    previous: tuple[int, dict[bytes, np.ndarray]] | None,
    report: IndexReport,
) -> store.IndexBundle:
    rows = list(
        Chunk.objects.order_by("id").values_list(
            "id", "content_hash", "heading_path", "text", "language", "document__source"
        )
    )
    texts = [index_text(heading_path, text) for _, _, heading_path, text, _, _ in rows]
    hashes = np.array([content_hash for _, content_hash, *_ in rows], dtype="S64")
    lexical = BM25Index.build(texts)
    if not rows:
        vectors = np.zeros((0, getattr(vectoriser, "dimensions", 0) or 0), dtype=np.float32)
    elif vectoriser.fitted_on_corpus:
        vectoriser.fit(texts)
        vectors = vectoriser.encode(texts)
        report.chunks_embedded = len(texts)
    else:
        vectors = _embed_reusing(vectoriser, texts, hashes, previous[1] if previous else {}, report)
    sources = sorted({source for *_, source in rows})
    languages = sorted({language for *_, language, _ in rows})
    kind = vector_index.choose_kind(len(rows))
    return store.IndexBundle(
        build_id=build.id,
        vectoriser_name=vectoriser.name,
        dimensions=int(vectors.shape[1]) if vectors.ndim == 2 else 0,
        index_kind=kind,
        chunk_ids=np.array([chunk_id for chunk_id, *_ in rows], dtype=np.int64),
        content_hashes=hashes,
        sources=sources,
        languages=languages,
        source_codes=np.array([sources.index(source) for *_, source in rows], dtype=np.int16),
        language_codes=np.array([languages.index(language) for *_, language, _ in rows], dtype=np.int16),
        lexical=lexical,
        vectors=vector_index.build(kind, vectors),
        vectoriser=vectoriser,
    )


def _embed_reusing(
    vectoriser: vectorisers.Vectoriser,
    texts: list[str],
    hashes: np.ndarray,
    previous: dict[bytes, np.ndarray],
    report: IndexReport,
) -> np.ndarray:
    vectors = np.zeros((len(texts), vectoriser.dimensions), dtype=np.float32)
    missing = []
    for row, content_hash in enumerate(hashes):
        vector = previous.get(bytes(content_hash))
        if vector is not None and vector.shape[0] == vectoriser.dimensions:
            vectors[row] = vector
        else:
            missing.append(row)
    for start in range(0, len(missing), EMBED_BATCH):
        batch = missing[start : start + EMBED_BATCH]
        vectors[batch] = vectoriser.encode([texts[row] for row in batch])
    report.chunks_embedded = len(missing)
    report.chunks_reused = len(texts) - len(missing)
    return vectors

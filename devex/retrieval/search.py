"""Hybrid search over the documentation index: the public API of devex.retrieval.

    search(query: str, *, k: int = 5, sources: list[str] | None = None, language: str | None = None,
           method: str = "hybrid") -> list[Passage]

- `method="lexical"`: BM25 (devex.retrieval.lexical). `"dense"`: cosine similarity of the query's vector to
  the chunks' vectors (MiniLM, or TF-IDF + LSA without the `ai` extra). `"hybrid"`: both lists (the best 50 of
  each) fused by reciprocal rank fusion with k = 60 (devex.retrieval.fusion).
- `Passage.score` is the fused RRF score: Σ 1/(60 + rank) over the lists that contain the chunk (for a single
  method, that one list). `lexical_rank` / `dense_rank` are the 1-based ranks in each list (None when absent).
- `sources` (Document.Source values: "docs", "lesson", "article") and `language` ("en", ...) filter before
  ranking. An empty query, or no index yet, gives [].
- When the index was built with MiniLM but the `ai` extra is gone, dense retrieval is unavailable: "dense" and
  "hybrid" then answer lexically and say so in `Passage.method` (and `active_backend().note`).

"Nothing relevant scores high enough" — the confidence rule (`is_confident(passage)`):

    relevance = lexical                      (method "lexical")
              = dense                        (method "dense")
              = (lexical + dense) / 2        (method "hybrid")
    lexical   = normalised BM25: the share of the query's idf mass the chunk matches
    dense     = cosine similarity × coverage, coverage = the share of the query's idf mass made of words the
                corpus contains at all
    confident ⇔ relevance ≥ confidence_threshold(method)

A word the docs never use counts fully against both signals ("How do I sign in with LDAP?": the docs say a lot
about signing in, nothing about LDAP), so off-topic and near-topic questions the docs do not cover score low
while a cosine alone would still find "similar" passages. RRF scores are rank-only and cannot say
"nothing is relevant", hence this separate, absolute rule. The thresholds are calibrated per vectoriser and
method on the evaluation set (`manage.py eval_assistant --calibrate` prints the best ones) and can be
overridden with DEVEX_CONFIDENCE_THRESHOLDS. The assistant answers only from confident passages and says it does
not know when there are none.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from devex.retrieval import config, store, vectorisers
from devex.retrieval.fusion import RRF_K, reciprocal_rank_fusion
from devex.retrieval.lexical import BM25Index

logger = logging.getLogger(__name__)

METHODS = ("lexical", "dense", "hybrid")
CANDIDATES = 50  # per list, before fusion
MAX_K = 50

# Calibrated on devex/eval/questions.yaml (see `manage.py eval_assistant --calibrate`), per vectoriser.
CALIBRATED_THRESHOLDS: dict[str, dict[str, float]] = {
    vectorisers.TFIDF_LSA: {"lexical": 0.245, "dense": 0.37, "hybrid": 0.29},
    vectorisers.MINILM: {"lexical": 0.245, "dense": 0.30, "hybrid": 0.21},
}
DEFAULT_THRESHOLDS = {"lexical": 0.245, "dense": 0.33, "hybrid": 0.25}


@dataclass(frozen=True)
class Passage:
    """One retrieved chunk. The first ten fields are the contract the assistant relies on; the trailing ones
    explain the scores."""

    chunk_id: int
    document_title: str
    heading_path: str
    url: str  # the portal page with the section's #anchor
    text: str  # Markdown, code blocks included
    score: float  # fused RRF score (see module docstring)
    lexical_rank: int | None
    dense_rank: int | None
    source: str
    language: str
    lexical_score: float | None = None  # normalised BM25 in [0, 1)
    dense_score: float | None = None  # cosine similarity
    relevance: float = 0.0  # what the confidence rule compares with the threshold
    method: str = "hybrid"  # the method that actually ranked it
    confident: bool = False  # relevance >= confidence_threshold(method) at search time


@dataclass(frozen=True)
class RankedRow:
    row: int
    score: float
    lexical_rank: int | None
    dense_rank: int | None
    lexical_score: float | None
    dense_score: float | None
    relevance: float


@dataclass(frozen=True)
class BackendStatus:
    name: (
        str  # the vectoriser serving dense retrieval ("sentence-transformers/all-MiniLM-L6-v2", "tfidf-lsa")
    )
    dims: int
    index_type: str  # "exact" or "hnsw"
    chunk_count: int
    last_build: datetime | None
    build_id: int | None
    dense_available: bool
    selected: str  # what the next build will use (DEVEX_VECTORISER)
    note: str = ""


# --- thresholds -------------------------------------------------------------------------------------------


def confidence_threshold(method: str = "hybrid", vectoriser: str | None = None) -> float:
    """The relevance a passage needs for the assistant to cite it (see the module docstring)."""
    overrides = config.threshold_overrides()
    if method in overrides:
        return overrides[method]
    if vectoriser is None:
        bundle = current_bundle()
        vectoriser = bundle.vectoriser_name if bundle is not None else vectorisers.selected_name()
    return CALIBRATED_THRESHOLDS.get(vectoriser, DEFAULT_THRESHOLDS).get(method, DEFAULT_THRESHOLDS[method])


def is_confident(passage: Passage) -> bool:
    """True when `passage` scores high enough to be cited (decided at search time)."""
    return bool(getattr(passage, "confident", False))


def relevance(method: str, lexical_score: float | None, dense_score: float | None, coverage: float) -> float:
    lexical = lexical_score or 0.0
    dense = (dense_score or 0.0) * coverage
    if method == "lexical":
        return lexical
    if method == "dense":
        return dense
    return (lexical + dense) / 2


# --- the index in use -------------------------------------------------------------------------------------


def current_build():
    """The latest finished build whose files exist here, or None."""
    from devex.models import IndexBuild

    for build in IndexBuild.objects.filter(finished_at__isnull=False).order_by("-finished_at", "-id")[:5]:
        if store.exists(build.id):
            return build
    return None


def current_bundle() -> store.IndexBundle | None:
    build = current_build()
    return store.cached(build.id) if build is not None else None


def active_backend() -> BackendStatus:
    """What serves retrieval now: for the API and the status page."""
    try:
        selected = vectorisers.selected_name()
    except vectorisers.VectoriserUnavailable as exc:
        selected = f"unavailable: {exc}"
    build = current_build()
    if build is None:
        return BackendStatus(
            name=selected,
            dims=0,
            index_type="none",
            chunk_count=0,
            last_build=None,
            build_id=None,
            dense_available=False,
            selected=selected,
            note="No index yet: run `python manage.py reindex_docs`.",
        )
    bundle = store.cached(build.id)
    note = bundle.vectoriser_error
    if not note and bundle.vectoriser_name != selected:
        note = f"The next build will switch to {selected}."
    return BackendStatus(
        name=bundle.vectoriser_name,
        dims=bundle.dimensions,
        index_type=bundle.index_kind,
        chunk_count=len(bundle),
        last_build=build.finished_at,
        build_id=build.id,
        dense_available=bundle.dense_available,
        selected=selected,
        note=note,
    )


# --- ranking ----------------------------------------------------------------------------------------------


def rank(
    bundle: store.IndexBundle,
    query: str,
    *,
    k: int,
    method: str = "hybrid",
    mask: np.ndarray | None = None,
    query_vector: np.ndarray | None = None,
) -> tuple[str, list[RankedRow]]:
    """The ranking itself, on a loaded bundle (no database): the effective method and the best `k` rows."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    if method != "lexical" and not bundle.dense_available:
        method = "lexical"
    candidates = max(CANDIDATES, k)
    rankings: dict[str, list[int]] = {}
    lexical_scores, best = bundle.lexical.scores(query)
    coverage = bundle.lexical.coverage(query)
    if method in ("lexical", "hybrid"):
        hits = BM25Index.top_hits(lexical_scores, best, top=candidates, mask=mask)
        rankings["lexical"] = [hit.row for hit in hits]
    dense_scores: dict[int, float] = {}
    vector = None
    if method in ("dense", "hybrid"):
        vector = query_vector if query_vector is not None else bundle.embed_query(query)
        hits = bundle.vectors.search(vector, top=candidates, mask=mask)
        rankings["dense"] = [hit.row for hit in hits]
        dense_scores = {hit.row: hit.score for hit in hits}
    fused = reciprocal_rank_fusion(rankings, k=RRF_K)[:k]
    rows = []
    for item in fused:
        row = int(item.key)
        lexical_score = float(lexical_scores[row]) / best if best else 0.0
        dense_score = None
        if vector is not None:
            dense_score = dense_scores.get(row)
            if dense_score is None:
                dense_score = float(bundle.vectors.vectors[row] @ vector)
        rows.append(
            RankedRow(
                row=row,
                score=item.score,
                lexical_rank=item.ranks.get("lexical"),
                dense_rank=item.ranks.get("dense"),
                lexical_score=lexical_score,
                dense_score=dense_score,
                relevance=relevance(method, lexical_score, dense_score, coverage),
            )
        )
    return method, rows


def search(
    query: str,
    *,
    k: int = 5,
    sources: list[str] | None = None,
    language: str | None = None,
    method: str = "hybrid",
) -> list[Passage]:
    """The `k` passages that best answer `query`, best first (see the module docstring)."""
    from devex.models import Chunk

    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    k = max(0, min(int(k), MAX_K))
    if not query or not query.strip() or k == 0:
        return []
    bundle = current_bundle()
    if bundle is None or len(bundle) == 0:
        return []
    mask = bundle.mask(sources=sources, language=language)
    if mask is not None and not mask.any():
        return []
    used, ranked = rank(bundle, query.strip(), k=k + 10, method=method, mask=mask)
    threshold = confidence_threshold(used, bundle.vectoriser_name)
    ids = [int(bundle.chunk_ids[r.row]) for r in ranked]
    chunks = Chunk.objects.select_related("document").in_bulk(ids)
    passages: list[Passage] = []
    for ranked_row, chunk_id in zip(ranked, ids, strict=True):
        chunk = chunks.get(chunk_id)
        if chunk is None:  # replaced by a build that is still being written: skip it
            continue
        document = chunk.document
        passages.append(
            Passage(
                chunk_id=chunk.id,
                document_title=document.title,
                heading_path=chunk.heading_path,
                url=f"{document.url}#{chunk.anchor}" if chunk.anchor else document.url,
                text=chunk.text,
                score=ranked_row.score,
                lexical_rank=ranked_row.lexical_rank,
                dense_rank=ranked_row.dense_rank,
                source=document.source,
                language=chunk.language,
                lexical_score=ranked_row.lexical_score,
                dense_score=ranked_row.dense_score,
                relevance=ranked_row.relevance,
                method=used,
                confident=ranked_row.relevance >= threshold,
            )
        )
        if len(passages) == k:
            break
    return passages

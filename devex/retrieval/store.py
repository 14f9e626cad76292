"""The persisted index of one build: `<DEVEX_INDEX_DIR>/build-<IndexBuild.id>/`.

    meta.json              build id, vectoriser, dimensions, index kind, chunk count, facets
    chunk_ids.npy          Chunk primary keys, one per row (row = position in every array below)
    content_hashes.npy     Chunk.content_hash per row (MiniLM vectors of unchanged chunks are reused)
    source_codes.npy       per row, an index into meta["sources"]
    language_codes.npy     per row, an index into meta["languages"]
    vectors.npy            unit float32 vectors (rows × dimensions)
    bm25.npz, bm25_idf.npy, bm25_vocabulary.json    the lexical index
    lsa.joblib             the fitted TF-IDF + LSA model (tfidf-lsa builds only)
    hnsw.usearch, hnsw.json                          the HNSW graph (hnsw builds only)

A build is written to `build-<id>.tmp/` and renamed into place when complete, so readers never see half a
build. Web and worker processes share the folder (it lives under MEDIA_ROOT by default); each process keeps
the latest build it loaded in memory and reloads when a newer finished build appears.
"""

from __future__ import annotations

import json
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from devex.retrieval import config, vector_index, vectorisers
from devex.retrieval.lexical import BM25Index

KEEP_BUILDS = 2


def build_dir(build_id: int) -> Path:
    return config.index_dir() / f"build-{build_id}"


@dataclass
class IndexBundle:
    build_id: int
    vectoriser_name: str
    dimensions: int
    index_kind: str
    chunk_ids: np.ndarray
    content_hashes: np.ndarray
    sources: list[str]
    languages: list[str]
    source_codes: np.ndarray
    language_codes: np.ndarray
    lexical: BM25Index
    vectors: vector_index.ExactIndex | vector_index.HnswIndex
    vectoriser: vectorisers.Vectoriser | None
    vectoriser_error: str = ""
    row_of_chunk: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.row_of_chunk = {int(chunk_id): row for row, chunk_id in enumerate(self.chunk_ids)}

    def __len__(self) -> int:
        return len(self.chunk_ids)

    @property
    def dense_available(self) -> bool:
        return self.vectoriser is not None and len(self) > 0

    def mask(self, *, sources: list[str] | None = None, language: str | None = None) -> np.ndarray | None:
        """Boolean row filter, or None when nothing is filtered."""
        if not sources and not language:
            return None
        mask = np.ones(len(self), dtype=bool)
        if sources:
            codes = [self.sources.index(s) for s in sources if s in self.sources]
            mask &= np.isin(self.source_codes, codes)
        if language:
            code = self.languages.index(language) if language in self.languages else -1
            mask &= self.language_codes == code
        return mask

    def embed_query(self, query: str) -> np.ndarray | None:
        if self.vectoriser is None:
            return None
        return self.vectoriser.encode([query])[0]

    # --- writing ----------------------------------------------------------------------------------------

    def save(self) -> Path:
        final = build_dir(self.build_id)
        temporary = final.with_name(final.name + ".tmp")
        shutil.rmtree(temporary, ignore_errors=True)
        temporary.mkdir(parents=True)
        meta = {
            "build_id": self.build_id,
            "vectoriser": self.vectoriser_name,
            "dimensions": self.dimensions,
            "index_kind": self.index_kind,
            "chunks": len(self),
            "sources": self.sources,
            "languages": self.languages,
        }
        (temporary / "meta.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
        np.save(temporary / "chunk_ids.npy", self.chunk_ids.astype(np.int64))
        np.save(temporary / "content_hashes.npy", self.content_hashes.astype("S64"))
        np.save(temporary / "source_codes.npy", self.source_codes.astype(np.int16))
        np.save(temporary / "language_codes.npy", self.language_codes.astype(np.int16))
        np.save(temporary / "vectors.npy", self.vectors.vectors)
        self.lexical.save(temporary)
        self.vectors.save(temporary)
        if self.vectoriser is not None:
            self.vectoriser.save(temporary)
        shutil.rmtree(final, ignore_errors=True)
        temporary.rename(final)
        return final


def load(build_id: int) -> IndexBundle:
    directory = build_dir(build_id)
    meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
    vectors = np.load(directory / "vectors.npy")
    vectoriser: vectorisers.Vectoriser | None = None
    error = ""
    try:
        vectoriser = vectorisers.load(meta["vectoriser"], directory)
    except vectorisers.VectoriserUnavailable as exc:
        error = str(exc)
    return IndexBundle(
        build_id=build_id,
        vectoriser_name=meta["vectoriser"],
        dimensions=meta["dimensions"],
        index_kind=meta["index_kind"],
        chunk_ids=np.load(directory / "chunk_ids.npy"),
        content_hashes=np.load(directory / "content_hashes.npy"),
        sources=meta["sources"],
        languages=meta["languages"],
        source_codes=np.load(directory / "source_codes.npy"),
        language_codes=np.load(directory / "language_codes.npy"),
        lexical=BM25Index.load(directory),
        vectors=vector_index.load(meta["index_kind"], directory, vectors),
        vectoriser=vectoriser,
        vectoriser_error=error,
    )


def exists(build_id: int) -> bool:
    return (build_dir(build_id) / "meta.json").exists()


def prune(keep: set[int]) -> None:
    """Remove build folders except `keep` (and unfinished .tmp folders of other builds)."""
    root = config.index_dir()
    if not root.exists():
        return
    for path in root.iterdir():
        name = path.name.removesuffix(".tmp")
        if not name.startswith("build-") or not path.is_dir():
            continue
        try:
            build_id = int(name.removeprefix("build-"))
        except ValueError:
            continue
        if build_id not in keep:
            shutil.rmtree(path, ignore_errors=True)


# --- the in-process cache ---------------------------------------------------------------------------------

_lock = threading.Lock()
_cached: dict[tuple[str, int], IndexBundle] = {}


def cached(build_id: int) -> IndexBundle:
    """The bundle of `build_id`, loaded once per process (only the latest one is kept)."""
    key = (str(config.index_dir()), build_id)
    bundle = _cached.get(key)
    if bundle is None:
        with _lock:
            bundle = _cached.get(key)
            if bundle is None:
                bundle = load(build_id)
                _cached.clear()
                _cached[key] = bundle
    return bundle


def forget() -> None:
    _cached.clear()

"""Nearest-neighbour search over unit vectors (cosine similarity = dot product).

- `ExactIndex`: brute force with numpy (one matrix-vector product and a partial sort). Exact, no build cost,
  about 5–9 ms per query at 100k × 384 on this machine: the default up to DEVEX_HNSW_THRESHOLD chunks.
- `HnswIndex`: an HNSW graph from usearch (connectivity 32, expansion 256 on add and on search by default),
  for larger corpora. Approximate: `bench/search` measures its recall@10 against the exact index.

Both keep the vectors themselves (also needed to score lexical hits densely for fusion and confidence) and
support a boolean row mask (source/language filters). HNSW filters by over-fetching and falls back to an
exact search over the allowed rows when too few of its neighbours pass the mask.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from devex.retrieval import config

EXACT = "exact"
HNSW = "hnsw"
# Chosen with bench/search (100k synthetic chunks, 256-d LSA vectors): M = 16 with ef = 64 reached only 0.87
# recall@10; M = 32, ef_add = ef_search = 256 keeps the search under ~2 ms (p50) at a higher recall.
HNSW_CONNECTIVITY = 32
HNSW_EXPANSION_ADD = 256
HNSW_EXPANSION_SEARCH = 256
OVERFETCH = 8


@dataclass(frozen=True)
class DenseHit:
    row: int
    score: float  # cosine similarity


def _top(scores: np.ndarray, rows: np.ndarray, top: int) -> list[DenseHit]:
    if rows.size > top:
        part = np.argpartition(-scores, top - 1)[:top]
        scores, rows = scores[part], rows[part]
    order = np.lexsort((rows, -scores))
    return [DenseHit(int(rows[i]), float(scores[i])) for i in order]


class ExactIndex:
    kind = EXACT

    def __init__(self, vectors: np.ndarray):
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)

    def __len__(self) -> int:
        return self.vectors.shape[0]

    def search(self, query: np.ndarray, *, top: int, mask: np.ndarray | None = None) -> list[DenseHit]:
        if len(self) == 0 or top <= 0:
            return []
        if mask is None:
            return _top(self.vectors @ query, np.arange(len(self)), top)
        rows = np.flatnonzero(mask)
        if rows.size == 0:
            return []
        return _top(self.vectors[rows] @ query, rows, top)

    def search_many(self, queries: np.ndarray, *, top: int) -> np.ndarray:
        """Row ids of the `top` nearest neighbours of each query, best first (the benchmark's baseline)."""
        scores = queries @ self.vectors.T
        part = np.argpartition(-scores, top - 1, axis=1)[:, :top]
        picked = np.take_along_axis(scores, part, axis=1)
        return np.take_along_axis(part, np.argsort(-picked, axis=1), axis=1)

    def save(self, directory: Path) -> None:
        """The vectors are saved by the bundle (vectors.npy); nothing else to keep."""


class HnswIndex:
    kind = HNSW

    def __init__(self, vectors: np.ndarray, graph=None, *, expansion_search: int = HNSW_EXPANSION_SEARCH):
        from usearch.index import Index

        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if graph is None:
            graph = Index(
                ndim=self.vectors.shape[1],
                metric="ip",
                dtype="f32",
                connectivity=HNSW_CONNECTIVITY,
                expansion_add=HNSW_EXPANSION_ADD,
                expansion_search=expansion_search,
            )
            if len(self.vectors):
                graph.add(np.arange(len(self.vectors), dtype=np.uint64), self.vectors)
        graph.expansion_search = expansion_search
        self.graph = graph

    def __len__(self) -> int:
        return self.vectors.shape[0]

    @property
    def expansion_search(self) -> int:
        return self.graph.expansion_search

    @expansion_search.setter
    def expansion_search(self, value: int) -> None:
        self.graph.expansion_search = value

    def search(self, query: np.ndarray, *, top: int, mask: np.ndarray | None = None) -> list[DenseHit]:
        if len(self) == 0 or top <= 0:
            return []
        if mask is not None and not mask.any():
            return []
        count = min(len(self), top if mask is None else top * OVERFETCH)
        matches = self.graph.search(query, count, threads=1)
        keys = np.asarray(matches.keys, dtype=np.int64)
        scores = 1.0 - np.asarray(matches.distances, dtype=np.float32)
        if mask is not None:
            keep = mask[keys]
            keys, scores = keys[keep], scores[keep]
            if keys.size < top and keys.size < int(mask.sum()):
                return ExactIndex(self.vectors).search(query, top=top, mask=mask)
        return _top(scores, keys, top)

    def search_many(self, queries: np.ndarray, *, top: int) -> np.ndarray:
        matches = self.graph.search(queries, top, threads=1)
        return np.asarray(matches.keys, dtype=np.int64)

    def save(self, directory: Path) -> None:
        self.graph.save(str(directory / "hnsw.usearch"))
        (directory / "hnsw.json").write_text(json.dumps({"expansion_search": self.expansion_search}))

    @classmethod
    def load(cls, directory: Path, vectors: np.ndarray) -> HnswIndex:
        from usearch.index import Index

        graph = Index.restore(str(directory / "hnsw.usearch"))
        settings = json.loads((directory / "hnsw.json").read_text())
        return cls(vectors, graph, expansion_search=int(settings["expansion_search"]))


def choose_kind(n_chunks: int) -> str:
    """DEVEX_VECTOR_INDEX, with `auto` = exact up to DEVEX_HNSW_THRESHOLD chunks and HNSW beyond."""
    choice = config.index_choice()
    if choice == "auto":
        return HNSW if n_chunks > config.hnsw_threshold() else EXACT
    return choice


def build(kind: str, vectors: np.ndarray) -> ExactIndex | HnswIndex:
    return HnswIndex(vectors) if kind == HNSW else ExactIndex(vectors)


def load(kind: str, directory: Path, vectors: np.ndarray) -> ExactIndex | HnswIndex:
    return HnswIndex.load(directory, vectors) if kind == HNSW else ExactIndex(vectors)

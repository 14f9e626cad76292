"""Reciprocal rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009).

    rrf(d) = Σ over the rankings r that contain d of 1 / (k + rank_r(d)),   ranks start at 1, k = 60

k = 60 is the constant of the original paper: it damps the head of each list so that a document ranked well by
both methods beats one ranked first by only one of them (1/61 + 1/62 > 1/61 alone), while staying purely
rank-based, so BM25 scores and cosine similarities never have to be put on one scale. Ties are broken by the
best single rank, then by the order of the first ranking (stable).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

RRF_K = 60


@dataclass
class Fused:
    key: Hashable
    score: float = 0.0
    ranks: dict[str, int] = field(default_factory=dict)  # ranking name → 1-based rank


def reciprocal_rank_fusion(rankings: dict[str, Sequence[Hashable]], *, k: int = RRF_K) -> list[Fused]:
    """Fuse named rankings (each a sequence of keys, best first) into one list, best first."""
    fused: dict[Hashable, Fused] = {}
    order: dict[Hashable, int] = {}
    for name, ranking in rankings.items():
        for rank, key in enumerate(ranking, start=1):
            item = fused.setdefault(key, Fused(key))
            order.setdefault(key, len(order))
            if name not in item.ranks:
                item.ranks[name] = rank
                item.score += 1.0 / (k + rank)
    return sorted(fused.values(), key=lambda f: (-f.score, min(f.ranks.values()), order[f.key]))

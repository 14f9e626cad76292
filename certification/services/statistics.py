"""Item statistics from finished attempts (classical test theory).

- difficulty: the proportion of responses that were correct (p-value; higher is easier);
- discrimination: the point-biserial correlation between getting the item right and the rest score (the
  attempt's percentage computed without this item, so an item does not correlate with itself):
  r = (M1 − M0) / s · √(p·q), with M1/M0 the mean rest score of those who got it right/wrong and s the population
  standard deviation of the rest score. None when fewer than two responses, or everyone scored alike.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from certification.models import Attempt, AttemptItem, Item


def point_biserial(correct: list[bool], rest: list[float]) -> float | None:
    n = len(correct)
    if n < 2 or len(rest) != n:
        return None
    right = [r for c, r in zip(correct, rest, strict=True) if c]
    wrong = [r for c, r in zip(correct, rest, strict=True) if not c]
    if not right or not wrong:
        return None
    mean = sum(rest) / n
    sd = math.sqrt(sum((r - mean) ** 2 for r in rest) / n)
    if sd == 0:
        return None
    p = len(right) / n
    return (sum(right) / len(right) - sum(wrong) / len(wrong)) / sd * math.sqrt(p * (1 - p))


def item_statistics_recompute(*, track_id: int | None = None, now: datetime | None = None) -> int:
    """Recompute every item's statistics (of one track, or all). Returns the number of items updated."""
    now = now or timezone.now()
    finished = Attempt.objects.exclude(status=Attempt.Status.IN_PROGRESS)
    rows = AttemptItem.objects.filter(attempt__in=finished).values_list(
        "item_id",
        "attempt_id",
        "is_correct",
        "points",
        "attempt__score",
        "attempt__max_score",
        "item__points",
    )
    if track_id is not None:
        rows = rows.filter(item__track_id=track_id)
    per_item: dict[int, list[tuple[bool, float]]] = defaultdict(list)
    for item_id, _attempt, correct, points, score, max_score, item_points in rows.iterator():
        rest_max = (max_score or 0) - item_points
        rest = ((score or 0) - points) / rest_max if rest_max > 0 else 0.0
        per_item[item_id].append((bool(correct), rest))
    items = Item.objects.all() if track_id is None else Item.objects.filter(track_id=track_id)
    updated = []
    for item in items:
        data = per_item.get(item.pk, [])
        item.responses = len(data)
        item.p_value = round(sum(c for c, _ in data) / len(data), 4) if data else None
        r = point_biserial([c for c, _ in data], [x for _, x in data])
        item.point_biserial = round(r, 4) if r is not None else None
        item.stats_updated_at = now
        updated.append(item)
    with transaction.atomic():
        Item.objects.bulk_update(
            updated, ["responses", "p_value", "point_biserial", "stats_updated_at"], batch_size=500
        )
    return len(updated)

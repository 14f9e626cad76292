"""An attempt's questions as the learner may see them — the one place that decides what of the answer key shows."""

from __future__ import annotations

from typing import Any

from certification.models import Attempt


def attempt_item_rows(attempt: Attempt) -> list[dict[str, Any]]:
    """One row per drawn item: stem, options in the attempt's shuffled order, the learner's response. While the
    attempt is open the key and everything derived from it (correctness, points, explanation) are None; they appear once it is submitted."""
    closed = not attempt.is_open
    rows = []
    for attempt_item in attempt.items.select_related("item"):
        item = attempt_item.item
        texts = {str(option["id"]): option["text"] for option in item.options or []}
        rows.append(
            {
                "position": attempt_item.position,
                "kind": item.kind,
                "skill": item.skill,
                "stem": item.stem,
                "options": [{"id": oid, "text": texts[oid]} for oid in attempt_item.option_order],
                "response": attempt_item.response,
                "is_correct": attempt_item.is_correct if closed else None,
                "points": attempt_item.points if closed else None,
                "explanation": item.explanation if closed else None,
            }
        )
    return rows

"""Printing for people (aligned tables, key/value blocks, local times, money) and for programs (--json)."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, TextIO

from novacron_sdk.money import format_minor


def print_json(data: Any, out: TextIO) -> None:
    out.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int, align: str) -> str:
    gap = " " * (width - _width(text))
    return gap + text if align == ">" else text + gap


def print_table(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], out: TextIO, *, align: str = "", empty: str = ""
) -> None:
    """Columns aligned to the widest cell; `align` has one "<" or ">" per column (default "<")."""
    cells = [["" if value is None else str(value) for value in row] for row in rows]
    if not cells:
        if empty:
            out.write(empty + "\n")
        return
    widths = [max(_width(row[i]) for row in [list(headers), *cells]) for i in range(len(headers))]
    aligns = align.ljust(len(headers), "<")
    for row in [list(headers), *cells]:
        line = "  ".join(_pad(text, widths[i], aligns[i]) for i, text in enumerate(row))
        out.write(line.rstrip() + "\n")


def print_fields(pairs: Sequence[tuple[str, Any]], out: TextIO) -> None:
    """Key: value lines with the values aligned."""
    width = max((len(key) for key, _ in pairs), default=0)
    for key, value in pairs:
        out.write(f"{key + ':':<{width + 1}} {'' if value is None else value}\n")


def when(value: datetime | date | None) -> str:
    """A time in the local time zone, to the minute; a date as is; nothing as '-'."""
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.astimezone().strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def money(amount: int | None, currency: str) -> str:
    return "-" if amount is None else format_minor(amount, currency)


def shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"

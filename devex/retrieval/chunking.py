"""Markdown → chunks: split by headings (H1–H3), then into overlapping windows.

Rules (CHUNKER_VERSION is part of every document's content hash, so changing them re-chunks everything):

- A section starts at every H1, H2 or H3 heading; H4–H6 stay inside their section. The section's
  `heading_path` is its headings from H1 down ("REST API overview › Authentication › Scopes"), always starting
  with the document title; its `anchor` is the HTML id the portal gives that heading.
- Anchors are the ids python-markdown's `toc` extension generates, taken from python-markdown itself with the
  extensions `novacron.core.portal.render_markdown` uses, so duplicates get the same `_1`, `_2` suffixes and
  inline markup is handled identically. Citations therefore link to the exact section of the portal page.
- Text before the first heading belongs to a section with the document title as path and an empty anchor
  (the top of the page). Sections with no body (a heading directly followed
  by a sub-heading) produce no chunk; their heading still appears in their subsections' paths.
- A section longer than `TARGET_CHARS` (1,000 characters, about 170 words or 220 MiniLM word pieces, below
  MiniLM's 256-token window) is cut into windows at sentence, list-item, table-row or code-block boundaries.
  Consecutive windows of one section overlap by up to `OVERLAP_CHARS` (200 characters: the trailing sentences
  or rows of the previous window). A single unit longer than `MAX_UNIT_CHARS` (1,600) is cut by lines, then
  words. Table rows that start a window repeat the table's header, code pieces are re-fenced.
- Windows never cross a section boundary: each chunk cites exactly one anchor.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass

import markdown
from markdown.extensions.toc import slugify, unique

CHUNKER_VERSION = "1"
TARGET_CHARS = 1000
OVERLAP_CHARS = 200
MAX_UNIT_CHARS = 1600
SPLIT_LEVEL = 3  # H1..H3 start sections
PATH_SEPARATOR = " › "
# The extensions of novacron.core.portal.render_markdown: the same toc ids come out.
PORTAL_MARKDOWN_EXTENSIONS = ["fenced_code", "tables", "toc", "sane_lists"]

_FENCE_RE = re.compile(r"^(\s{0,3})(`{3,}|~{3,})(.*)$")
_ATX_RE = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_LIST_ITEM_RE = re.compile(r"^\s{0,3}(?:[-*+]|\d+[.)])\s+")
_SENTENCE_END_RE = re.compile(r"(?<=[.!?:])\s+(?=[A-Z0-9`*\[(\"'])")
_TABLE_SEPARATOR_RE = re.compile(r"^\s*\|?\s*:?-{3,}")


@dataclass(frozen=True)
class Heading:
    level: int
    text: str  # as shown on the page (markup stripped)
    anchor: str
    line: int


@dataclass(frozen=True)
class Section:
    heading_path: tuple[str, ...]
    anchor: str
    body: str


@dataclass(frozen=True)
class ChunkDraft:
    position: int
    heading_path: str
    anchor: str
    text: str

    def index_text(self) -> str:
        """What the lexical and dense indexes see: the heading path, then the passage."""
        return f"{self.heading_path}\n{self.text}"

    @property
    def content_hash(self) -> str:
        return sha256(self.index_text())


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- headings ---------------------------------------------------------------------------------------------


def _closes(match: re.Match[str] | None, fence: str) -> bool:
    """Does this fence line close a block opened with `fence` (same character, at least as long, no info)?"""
    return bool(
        match
        and match.group(2)[0] == fence[0]
        and len(match.group(2)) >= len(fence)
        and not match.group(3).strip()
    )


def _atx_headings(lines: list[str]) -> list[tuple[int, int, str]]:
    """(line number, level, raw text) of ATX headings outside fenced code blocks."""
    found = []
    fence: str | None = None
    for number, line in enumerate(lines):
        match = _FENCE_RE.match(line)
        if fence is None and match:
            fence = match.group(2)
            continue
        if fence is not None:
            if _closes(match, fence):
                fence = None
            continue
        heading = _ATX_RE.match(line)
        if heading:
            found.append((number, len(heading.group(1)), (heading.group(2) or "").strip()))
    return found


def _toc_tokens(text: str) -> list[dict]:
    md = markdown.Markdown(extensions=PORTAL_MARKDOWN_EXTENSIONS)
    md.convert(text)
    flat: list[dict] = []

    def walk(tokens: list[dict]) -> None:
        for token in tokens:
            flat.append(token)
            walk(token["children"])

    walk(md.toc_tokens)
    return flat


def _plain(raw: str) -> str:
    """A heading's text without inline markup (fallback when python-markdown's ids cannot be matched)."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", raw)
    text = re.sub(r"<[^>]+>", "", text)
    return re.sub(r"[`*_]", "", text).strip()


def headings(text: str) -> list[Heading]:
    """Every heading of the document with the id the portal's Markdown renderer gives it."""
    lines = text.splitlines()
    atx = _atx_headings(lines)
    tokens = _toc_tokens(text)
    if len(tokens) == len(atx) and all(
        t["level"] == level for t, (_, level, _) in zip(tokens, atx, strict=True)
    ):
        return [
            Heading(level=level, text=html.unescape(token["name"]), anchor=token["id"], line=number)
            for token, (number, level, _) in zip(tokens, atx, strict=True)
        ]
    # Setext headings or markup python-markdown reads differently: slugify ourselves, as toc does.
    used: set[str] = set()
    result = []
    for number, level, raw in atx:
        name = _plain(raw)
        result.append(Heading(level=level, text=name, anchor=unique(slugify(name, "-"), used), line=number))
    return result


def document_title(text: str, fallback: str) -> str:
    for heading in headings(text):
        if heading.level == 1 and heading.text:
            return heading.text
    return fallback


# --- sections ---------------------------------------------------------------------------------------------


def sections(text: str, *, title: str) -> list[Section]:
    """Split by H1–H3. Bodies keep their Markdown (H4+ headings included)."""
    lines = text.splitlines()
    splits = [h for h in headings(text) if h.level <= SPLIT_LEVEL]
    result: list[Section] = []
    stack: list[Heading] = []

    def add(path: tuple[str, ...], anchor: str, start: int, end: int) -> None:
        body = "\n".join(lines[start:end]).strip("\n")
        if body.strip():
            if not path or path[0] != title:
                path = (title, *path)
            result.append(Section(heading_path=path, anchor=anchor, body=body))

    first = splits[0].line if splits else len(lines)
    add((), "", 0, first)
    for index, heading in enumerate(splits):
        while stack and stack[-1].level >= heading.level:
            stack.pop()
        stack.append(heading)
        end = splits[index + 1].line if index + 1 < len(splits) else len(lines)
        add(tuple(h.text for h in stack), heading.anchor, heading.line + 1, end)
    return result


# --- units and windows ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Unit:
    text: str
    joiner: str  # put before this unit when it follows another one in a window
    prefix: str = ""  # put before this unit when it opens a window (a table's header)
    header: bool = False  # a table header: never the last unit of a window


def _blocks(body: str) -> list[tuple[str, str]]:
    """(kind, text) blocks: 'code' (a whole fenced block), 'table', 'list', 'text' (a paragraph)."""
    blocks: list[tuple[str, str]] = []
    current: list[str] = []
    fence: str | None = None

    def flush() -> None:
        if current:
            chunk = "\n".join(current).strip("\n")
            if chunk.strip():
                first = chunk.lstrip().splitlines()[0]
                if first.startswith("|"):
                    kind = "table"
                elif _LIST_ITEM_RE.match(first):
                    kind = "list"
                else:
                    kind = "text"
                blocks.append((kind, chunk))
            current.clear()

    for line in body.splitlines():
        match = _FENCE_RE.match(line)
        if fence is None and match:
            flush()
            fence = match.group(2)
            current.append(line)
            continue
        if fence is not None:
            current.append(line)
            if _closes(match, fence):
                fence = None
                blocks.append(("code", "\n".join(current)))
                current.clear()
            continue
        if not line.strip():
            flush()
        else:
            current.append(line)
    if fence is not None:  # unclosed fence: keep what there is
        blocks.append(("code", "\n".join(current)))
        current.clear()
    flush()
    return blocks


def _split_long(text: str, limit: int) -> list[str]:
    """Cut text longer than `limit` by lines, then by words."""
    pieces: list[str] = []
    current = ""
    for original in text.splitlines():
        line = original
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > 0 else limit
            pieces.append((current + "\n" if current else "") + line[:cut])
            current = ""
            line = line[cut:].lstrip()
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit and current:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current:
        pieces.append(current)
    return pieces


def _units(body: str) -> list[_Unit]:
    units: list[_Unit] = []
    for kind, block in _blocks(body):
        if kind == "code":
            if len(block) <= MAX_UNIT_CHARS:
                units.append(_Unit(block, "\n\n"))
                continue
            lines = block.splitlines()
            opening = lines[0]
            closing = lines[-1] if len(lines) > 1 and _FENCE_RE.match(lines[-1]) else opening.strip()[:3]
            inner = "\n".join(lines[1:-1] if len(lines) > 1 else [])
            for piece in _split_long(inner, MAX_UNIT_CHARS - 2 * len(opening) - 2):
                units.append(_Unit(f"{opening}\n{piece}\n{closing}", "\n\n"))
        elif kind == "table":
            rows = block.splitlines()
            header = ""
            if len(rows) >= 2 and _TABLE_SEPARATOR_RE.match(rows[1]):
                header = f"{rows[0]}\n{rows[1]}"
                units.append(_Unit(header, "\n\n", header=True))
                rows = rows[2:]
            for row in rows:
                for piece in _split_long(row, MAX_UNIT_CHARS):
                    units.append(_Unit(piece, "\n", prefix=header + "\n" if header else ""))
        elif kind == "list":
            items: list[str] = []
            for line in block.splitlines():
                if _LIST_ITEM_RE.match(line) or not items:
                    items.append(line)
                else:
                    items[-1] += "\n" + line
            for index, item in enumerate(items):
                for number, piece in enumerate(_split_long(item, MAX_UNIT_CHARS)):
                    units.append(_Unit(piece, "\n\n" if index == number == 0 else "\n"))
        else:
            sentences = _SENTENCE_END_RE.split(block)
            for index, sentence in enumerate(sentences):
                for number, piece in enumerate(_split_long(sentence, MAX_UNIT_CHARS)):
                    units.append(_Unit(piece, "\n\n" if index == number == 0 else " "))
    return units


def _render(units: list[_Unit]) -> str:
    text = units[0].prefix + units[0].text
    for unit in units[1:]:
        text += unit.joiner + unit.text
    return text.strip()


def windows(body: str, *, target: int = TARGET_CHARS, overlap: int = OVERLAP_CHARS) -> list[str]:
    """Pack a section's units into windows of about `target` characters; each window after the first
    repeats the trailing units of the previous one, up to `overlap` characters."""
    units = _units(body)
    if not units:
        return []
    result: list[str] = []
    start = 0
    while start < len(units):
        end = start
        size = len(units[start].prefix) + len(units[start].text)
        while end + 1 < len(units) and size + len(units[end + 1].joiner) + len(units[end + 1].text) <= target:
            end += 1
            size += len(units[end].joiner) + len(units[end].text)
        while end > start and units[end].header:
            end -= 1
        if end == start and units[start].header and start + 1 < len(units):
            end += 1  # a header alone says nothing: take its first row along
        result.append(_render(units[start : end + 1]))
        if end + 1 >= len(units):
            break
        # The next window starts with the longest tail of this one that fits in `overlap` (never at `start`).
        next_start = end + 1
        tail = 0
        for index in range(end, start, -1):
            tail += len(units[index].text) + len(units[index].joiner)
            if tail > overlap:
                break
            next_start = index
        start = next_start
    return result


def chunk_markdown(text: str, *, title: str) -> list[ChunkDraft]:
    """The chunks of one Markdown document, in reading order."""
    drafts: list[ChunkDraft] = []
    for section in sections(text, title=title):
        for window in windows(section.body):
            drafts.append(
                ChunkDraft(
                    position=len(drafts),
                    heading_path=PATH_SEPARATOR.join(section.heading_path),
                    anchor=section.anchor,
                    text=window,
                )
            )
    return drafts

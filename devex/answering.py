"""Answer composition for the documentation assistant — no LLM, no database, no I/O.

From the passages retrieval returns, `compose_answer` writes a Markdown answer:

- the most relevant sentences (or list items) of the top confident passages, each group followed by an
  inline citation marker ``[n]``; the markers are numbered in order of first appearance and refer to
  ``citations[n - 1]``, whose ``url`` is the exact doc section (with its ``#anchor``);
- the fenced code examples found in the cited passages (at most two, each labelled with its marker);
- a "Sources" list with one link per citation.

When no passage passes the confidence rule it does not guess: `dont_know` says plainly that the docs do not cover
the question, suggests rephrasing and lists the closest pages, and the answer has ``answered=False``.

`build_retrieval_query` is the follow-up rule: see its docstring.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from novacron.core.docs_links import DOCS_URL_PREFIX, docs_path_of, resolve_docs_href

# --- the passage contract (devex.retrieval.search.Passage satisfies it) --------------------------------------


class PassageLike(Protocol):
    chunk_id: int
    document_title: str
    heading_path: str
    url: str
    text: str
    score: float
    source: str


# --- words --------------------------------------------------------------------------------------------------

_STOPWORDS_TEXT = """
    a about above after again against all am an and any are as at be because been before being below between both
    but by can could did do does doing done down during each either else even ever every few for from further get
    gets getting got had has have having he her here hers him his how i if in into is it its itself just let lets
    me more most my myself no nor not now of off on once only or other our ours out over own per please same she
    should so some such than that the their theirs them then there these they this those through to too under
    until up upon us very via was we were what whats when where which while who whom whose why will with would
    yes you your yours yourself tell explain show mean means want need know work works working use used using
    way ways thing things also something anything someone make makes made one ones find see like really
    """
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
# Pronouns that point back at the previous turn ("does it support EUR?"). Not "that"/"which": they are mostly
# relative pronouns ("the tests that need PostgreSQL").
PRONOUNS = frozenset(
    ("it", "its", "they", "them", "their", "theirs", "this", "these", "those", "he", "she", "him", "her")
)
PRONOUN_MAX_TERMS = 4  # a pronoun makes a follow-up only in a question with few content words
CONNECTIVES = frozenset(("and", "also", "but", "so", "then", "plus", "or"))
FOLLOW_UP_PHRASES = ("what about", "how about", "and what", "and how", "and when", "and where", "and why")

# Question words that name the kind of fact wanted, and the word the docs use for that fact. In the retrieval
# query the phrase is replaced by that word: docs say "a daily, weekly or monthly schedule", never "how often",
# and a query word the docs never use only counts against a passage's lexical relevance.
INTENT_REWRITES: tuple[tuple[str, str], ...] = (
    ("how often", "schedule"),
    ("how frequently", "schedule"),
    ("how much does", "price"),
    ("how much do", "price"),
    ("how much is", "price"),
)

# Words of a question that only frame it ("how do payouts *work*?", "please *explain* escrow"). They are left out
# of the retrieval query: the docs rarely use them, and a query word the docs never use counts against every
# passage's lexical relevance, so "how do payouts work?" would look less covered than "payouts".
FILLER_WORDS = (
    "work",
    "works",
    "working",
    "explain",
    "describe",
    "tell",
    "please",
    "exactly",
    "actually",
    "basically",
)
_FILLER_RE = re.compile(rf"\b(?:{'|'.join(FILLER_WORDS)})\b", re.IGNORECASE)

_WORD_RE = re.compile(r"[a-z0-9][a-z0-9_\-]*[a-z0-9]|[a-z0-9]", re.IGNORECASE)
FOLLOW_UP_MAX_TERMS = 2
CONTEXT_TURNS = 2
CONTEXT_MAX_TERMS = 6


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD_RE.findall(text.replace("'s ", " ").replace("’s ", " "))]


def stem(word: str) -> str:
    """A deliberately tiny suffix stripper: enough for "payouts"/"payout", "schedules"/"scheduled"."""
    w = word.lower()
    for suffix, replacement, min_len in (
        ("ies", "y", 5),
        ("sses", "ss", 6),
        ("ing", "", 6),
        ("ed", "", 5),
        ("es", "", 6),
        ("s", "", 4),
    ):
        if w.endswith(suffix) and len(w) >= min_len and not w.endswith("ss"):
            return w[: -len(suffix)] + replacement
    return w


def content_terms(text: str) -> list[str]:
    """The words of `text` that carry meaning (stopwords and one-letter words dropped), in order, unique."""
    seen: dict[str, None] = {}
    for word in words(text):
        if word not in STOPWORDS and len(word) > 1 and not word.isdigit():
            seen.setdefault(word, None)
    return list(seen)


def rewrite_intents(text: str) -> tuple[str, tuple[str, ...]]:
    """Replace the intent phrases of `text` by the words the docs use (INTENT_REWRITES)."""
    added: list[str] = []
    for phrase, word in INTENT_REWRITES:
        pattern = re.compile(rf"\b{re.escape(phrase)}\b", re.IGNORECASE)
        if pattern.search(text):
            text = pattern.sub(" ", text)
            if word not in added:
                added.append(word)
    text = " ".join(text.split())
    return (f"{text} {' '.join(added)}".strip() if added else text), tuple(added)


# --- follow-up questions ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetrievalQuery:
    text: str
    follow_up: bool
    context_terms: tuple[str, ...] = ()
    intent_terms: tuple[str, ...] = ()


def is_follow_up(question: str) -> bool:
    """A question that leans on the previous turn: short (at most two content words), or opening with a
    connective ("and ...", "what about ..."), or a pronoun in a question of at most four content words
    ("does it support EUR?", "how do I change them?")."""
    tokens = words(question)
    if not tokens:
        return False
    lowered = " ".join(tokens)
    terms = len(content_terms(question))
    return (
        terms <= FOLLOW_UP_MAX_TERMS
        or tokens[0] in CONNECTIVES
        or lowered.startswith(FOLLOW_UP_PHRASES)
        or (terms <= PRONOUN_MAX_TERMS and any(token in PRONOUNS for token in tokens))
    )


def build_retrieval_query(question: str, previous_questions: Sequence[str] = ()) -> RetrievalQuery:
    """The query retrieval runs for `question`, given the conversation's earlier user questions (oldest first).

    Rule:
    1. If there are earlier questions and the new one is a follow-up (`is_follow_up`: at most two content words,
       or it opens with a connective such as "and"/"what about", or it has at most four content words and a
       pronoun such as "it"/"they"), the content words of the last two user questions (newest first, at most
       six, minus words the new question already has) are added to it. "how do payouts work?" then "and how often?" is searched as
       "and? schedule payouts".
    2. Question phrases that name the kind of fact wanted are replaced by the word the docs use for it
       ("how often" → "schedule", "how much does" → "price"; see INTENT_REWRITES), and words that only frame
       the question ("work", "explain", "please"; FILLER_WORDS) are left out: "how do payouts work?" is
       searched as "how do payouts?".
    A self-contained question (three or more content words and no connective, and no pronoun unless it has five
    or more content words) is used as it is
    (apart from rule 2), so changing the subject is not mixed with the previous turn.
    """
    question = question.strip()
    context: list[str] = []
    follow_up = bool(previous_questions) and is_follow_up(question)
    if follow_up:
        own = {stem(t) for t in content_terms(question)}
        for previous in list(previous_questions)[::-1][:CONTEXT_TURNS]:
            for term in content_terms(previous):
                if stem(term) not in own and term not in context:
                    context.append(term)
        context = context[:CONTEXT_MAX_TERMS]
        if not context:
            follow_up = False
    rewritten, intents = rewrite_intents(question)
    rewritten = re.sub(r"\s+([?!.,;:])", r"\1", " ".join(_FILLER_RE.sub(" ", rewritten).split()))
    intents = tuple(t for t in intents if t not in context)
    text = " ".join(part for part in (rewritten, " ".join(context)) if part)
    return RetrievalQuery(text=text, follow_up=follow_up, context_terms=tuple(context), intent_terms=intents)


# --- Markdown blocks and sentences --------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    kind: str  # "prose", "item" (a list item), "code", "heading", "table"
    text: str
    language: str = ""


_FENCE_RE = re.compile(r"^\s*(```+|~~~+)\s*([\w+\-.#]*)")
_ITEM_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9`\"'(\[*_])")


def split_blocks(text: str) -> list[Block]:
    """Split Markdown into paragraphs, list items, fenced code blocks, headings and tables."""
    blocks: list[Block] = []
    lines = text.splitlines()
    buffer: list[str] = []
    kind = "prose"

    def flush() -> None:
        nonlocal buffer, kind
        joined = "\n".join(buffer).strip()
        if joined:
            blocks.append(Block(kind, joined if kind == "table" else " ".join(joined.split())))
        buffer = []
        kind = "prose"

    i = 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE_RE.match(line)
        if fence:
            flush()
            marker, language = fence.group(1), fence.group(2)
            code: list[str] = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith(marker):
                code.append(lines[i])
                i += 1
            blocks.append(Block("code", "\n".join(code).rstrip("\n"), language))
            i += 1
            continue
        stripped = line.strip()
        if not stripped:
            flush()
        elif stripped.startswith("#"):
            flush()
            blocks.append(Block("heading", stripped.lstrip("#").strip()))
        elif stripped.startswith("|"):
            if kind != "table":
                flush()
                kind = "table"
            buffer.append(stripped)
        elif _ITEM_RE.match(line) and not line.startswith("    "):
            flush()
            kind = "item"
            buffer.append(_ITEM_RE.sub("", line, count=1))
        else:
            if kind == "table":
                flush()
            buffer.append(stripped)
        i += 1
    flush()
    return blocks


def sentences(paragraph: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_SPLIT_RE.split(paragraph) if s.strip()]


# --- links inside passages ----------------------------------------------------------------------------------

_MD_LINK_RE = re.compile(r"(\]\()([^)\s]+)(\))")


def rewrite_markdown_links(text: str, passage_url: str) -> str:
    """Links inside a quoted passage, made to work outside its page: "#tests" → "<its page>#tests", and
    relative links between docs/ pages → their portal pages."""
    page = passage_url.split("#", 1)[0]
    current = docs_path_of(passage_url)

    def fix(href: str) -> str:
        if href.startswith("#"):
            return f"{page}{href}" if page else href
        return resolve_docs_href(href, current) if current is not None else href

    return _MD_LINK_RE.sub(lambda m: m.group(1) + fix(m.group(2)) + m.group(3), text)


# --- composition --------------------------------------------------------------------------------------------

MAX_CITED_PASSAGES = 3
UNITS_FIRST_PASSAGE = 3
UNITS_OTHER_PASSAGES = 2
MAX_CODE_BLOCKS = 2
MAX_CODE_LINES = 40
PROSE_BUDGET_CHARS = 1400
SUGGESTIONS = 3
OPENING_BONUS = 0.75
UNIT_RATIO = 0.6  # quote sentences matching at least 60 % as many question words as the best one
SUPPORT_RATIO = 0.8  # a further passage needs 80 % of the top passage's retrieval strength

DONT_KNOW_INTRO = "I don't know: the documentation does not cover this."


@dataclass(frozen=True)
class Citation:
    n: int
    chunk_id: int
    title: str
    heading_path: str
    url: str
    source: str
    score: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "chunk_id": self.chunk_id,
            "title": self.title,
            "heading_path": self.heading_path,
            "url": self.url,
            "source": self.source,
            "score": round(float(self.score), 6),
        }


@dataclass(frozen=True)
class ComposedAnswer:
    content: str  # Markdown: the answer body, then the "Sources" list (or the closest pages)
    body: str  # the answer body alone
    citations: tuple[Citation, ...]
    answered: bool
    suggestions: tuple[dict[str, str], ...] = ()
    notes: dict[str, Any] = field(default_factory=dict)

    def citations_json(self) -> list[dict[str, Any]]:
        return [c.as_dict() for c in self.citations]


def citation_for(passage: PassageLike, *, n: int) -> Citation:
    return Citation(
        n=n,
        chunk_id=passage.chunk_id,
        title=passage.document_title,
        heading_path=label(passage),
        url=passage.url,
        source=passage.source,
        score=passage.score,
    )


@dataclass
class _Unit:
    text: str
    kind: str
    position: int
    score: float = 0.0


@dataclass(frozen=True)
class _Example:
    code: Block
    lead_in: str  # the sentence that introduces it ("List your payouts with the API:"), or ""


def label(passage: PassageLike) -> str:
    heading = passage.heading_path.strip()
    title = passage.document_title.strip()
    if not heading:
        return title or passage.url
    if title and not heading.startswith(title):
        return f"{title} › {heading}"
    return heading


def _units(passage: PassageLike) -> tuple[list[_Unit], list[_Example]]:
    """The passage's quotable sentences and list items, and its code examples with their lead-in sentence
    (a sentence ending in ":" right before a code block introduces it and is not quoted on its own)."""
    units: list[_Unit] = []
    examples: list[_Example] = []
    text = rewrite_markdown_links(passage.text, passage.url)
    for block in split_blocks(text):
        if block.kind == "code":
            lead_in = ""
            if units and units[-1].text.endswith(":"):
                lead_in = units.pop().text
            if block.text.strip():
                examples.append(_Example(block, lead_in))
        elif block.kind == "item":
            units.append(_Unit(block.text, "item", len(units)))
        elif block.kind == "prose":
            units.extend(_Unit(s, "prose", len(units) + i) for i, s in enumerate(sentences(block.text)))
    return [u for u in units if not u.text.endswith(":")], examples


def _score(text: str, query_stems: set[str]) -> float:
    present = {stem(w) for w in words(text)} & query_stems
    return float(len(present))


def _normalised(text: str) -> str:
    return " ".join(words(text))


def _render_group(units: list[_Unit], marker: str) -> str:
    """Consecutive sentences as one paragraph, list items as a list; each run ends with the marker."""
    runs: list[list[_Unit]] = []
    for unit in units:
        if runs and runs[-1][0].kind == unit.kind == "prose":
            runs[-1].append(unit)
        else:
            runs.append([unit])
    rendered: list[str] = []
    for run in runs:
        if run[0].kind == "item":
            item = f"- {run[0].text} {marker}"
            if rendered and rendered[-1].startswith("- "):
                rendered[-1] += "\n" + item
            else:
                rendered.append(item)
        else:
            rendered.append(" ".join(u.text for u in run) + f" {marker}")
    return "\n\n".join(rendered)


def _fence(block: Block) -> str:
    lines = block.text.splitlines()
    if len(lines) > MAX_CODE_LINES:
        lines = [*lines[:MAX_CODE_LINES], "..."]
    ticks = "````" if "```" in block.text else "```"
    return f"{ticks}{block.language}\n" + "\n".join(lines) + f"\n{ticks}"


def _render_example(example: _Example, marker: str) -> str:
    caption = example.lead_in.rstrip(":").rstrip() if example.lead_in else "Example"
    return f"{caption} {marker}:\n\n{_fence(example.code)}"


def sources_markdown(citations: Iterable[Citation]) -> str:
    lines = [f"{c.n}. [{c.heading_path or c.title}]({c.url})" for c in citations]
    return "**Sources**\n\n" + "\n".join(lines) if lines else ""


def dont_know(question: str, closest: Sequence[PassageLike] = ()) -> ComposedAnswer:
    """The honest answer when nothing scores high enough: say so, suggest rephrasing and the closest pages."""
    suggestions: list[dict[str, str]] = []
    seen_urls: set[str] = set()
    for passage in closest:
        if passage.url in seen_urls:
            continue
        seen_urls.add(passage.url)
        suggestions.append({"title": label(passage), "url": passage.url})
        if len(suggestions) == SUGGESTIONS:
            break
    body = (
        f"{DONT_KNOW_INTRO} Nothing I found in it matches your question closely enough to answer without "
        "guessing.\n\nTry rephrasing it with the words the documentation would use (the name of a feature, a "
        "setting or an endpoint), or ask a narrower question."
    )
    content = body
    if suggestions:
        pages = "\n".join(f"- [{s['title']}]({s['url']})" for s in suggestions)
        content += f"\n\n**Closest pages**\n\n{pages}"
    content += f"\n\nYou can also browse [all documentation pages]({DOCS_URL_PREFIX})."
    return ComposedAnswer(
        content=content, body=body, citations=(), answered=False, suggestions=tuple(suggestions)
    )


def _strength(passage: PassageLike) -> float:
    """How strongly retrieval rates a passage: its `relevance` when it reports one, else its score."""
    relevance = getattr(passage, "relevance", None)
    return float(relevance if relevance is not None else passage.score)


def _evidence(passage: PassageLike, query_stems: set[str]) -> float:
    """How many of the question's words the passage's best sentence (or its heading) contains."""
    units, _examples = _units(passage)
    return max([_score(u.text, query_stems) for u in units] + [_score(passage.heading_path, query_stems)])


@dataclass
class _Chosen:
    passage: PassageLike
    units: list[_Unit]
    examples: list[_Example]


def _choose(confident: Sequence[PassageLike], query_stems: set[str]) -> list[_Chosen]:
    """Pick the passages to cite and what to quote from each.

    Candidates are the confident passages whose prose or heading shares a word with the question, best first;
    only when there are none (dense-only matches) all confident passages are. The first candidate is always
    quoted: its sentences sharing the most words with the question (at least 60 % as many as the best one; an
    opening sentence counts a little extra), or, for a dense-only match, its opening sentences. A further passage is quoted only when retrieval rates it at
    least 80 % as strong as the top one, it matches the question at least half as well as the first (by its
    sentences or its heading), it is not another window of a section already cited, and it adds a sentence not
    quoted yet; at most three passages are cited.
    """
    # Quote evidence: when some passages say the question's words in their prose (or heading), those are the
    # candidates, best first; passages matched only through a code block or by meaning alone are left out.
    lexical = [p for p in confident if _evidence(p, query_stems) > 0]
    candidates = lexical or list(confident)
    chosen: list[_Chosen] = []
    seen_sentences: set[str] = set()
    seen_urls: set[str] = set()
    budget = PROSE_BUDGET_CHARS
    bar = 0.0
    top_strength = _strength(candidates[0])
    for passage in candidates:
        if len(chosen) == MAX_CITED_PASSAGES or budget <= 0:
            break
        if passage.url in seen_urls:
            continue  # another window of a section already cited
        if chosen and _strength(passage) < SUPPORT_RATIO * top_strength:
            continue  # retrieval itself rates it clearly below the best passage
        units, examples = _units(passage)
        for unit in units:
            unit.score = _score(unit.text, query_stems)
        fresh = [u for u in units if _normalised(u.text) not in seen_sentences]
        best = max((u.score for u in fresh), default=0.0)
        if chosen:
            heading = _score(passage.heading_path, query_stems)
            if max(best, heading) < bar or not fresh:
                continue  # weaker support than the first passage: noise, not evidence
        else:
            bar = max(1.0, best / 2)
        for unit in fresh:
            if unit.position == 0:
                unit.score += OPENING_BONUS  # a section's opening sentence usually states what it is about
        limit = UNITS_FIRST_PASSAGE if not chosen else UNITS_OTHER_PASSAGES
        if best > 0:
            floor = max(1.0, UNIT_RATIO * best)
            picked = sorted((u for u in fresh if u.score >= floor), key=lambda u: (-u.score, u.position))[
                :limit
            ]
        else:  # a dense-only match: its opening sentences state what the section is about
            picked = fresh[:limit]
        picked.sort(key=lambda u: u.position)
        kept: list[_Unit] = []
        for unit in picked:
            if budget - len(unit.text) < 0 and kept:
                break
            kept.append(unit)
            budget -= len(unit.text)
            seen_sentences.add(_normalised(unit.text))
        if not chosen:
            relevant = examples
        else:  # a further passage's code only when it (or its lead-in) is about the question
            relevant = [e for e in examples if _score(f"{e.lead_in} {e.code.text}", query_stems) > 0]
        if kept or (not chosen and relevant):
            chosen.append(_Chosen(passage, kept, relevant))
            seen_urls.add(passage.url)
    return chosen


def compose_answer(
    question: str,
    passages: Sequence[PassageLike],
    *,
    is_confident: Callable[[PassageLike], bool],
    query: str | None = None,
) -> ComposedAnswer:
    """Compose a cited answer to `question` from `passages` (best first), or say it does not know.

    `is_confident(passage)` is retrieval's confidence rule; only passages that pass it are cited. `query` is the
    retrieval query (with follow-up context) and also guides which sentences are picked.
    """
    confident = [p for p in passages if is_confident(p)]
    if not confident:
        return dont_know(question, passages)
    query_stems = {stem(t) for t in content_terms(f"{question} {query or ''}")}
    chosen = _choose(confident, query_stems)
    if not chosen:
        return dont_know(question, passages)

    citations: list[Citation] = []
    paragraphs: list[str] = []
    examples: list[str] = []
    for item in chosen:
        citation = citation_for(item.passage, n=len(citations) + 1)
        citations.append(citation)
        marker = f"[{citation.n}]"
        if item.units:
            paragraphs.append(_render_group(item.units, marker))
        for example in item.examples:
            if len(examples) < MAX_CODE_BLOCKS:
                examples.append(_render_example(example, marker))
    body = "\n\n".join([*paragraphs, *examples])
    content = f"{body}\n\n{sources_markdown(citations)}"
    return ComposedAnswer(
        content=content,
        body=body,
        citations=tuple(citations),
        answered=True,
        notes={"passages_considered": len(confident)},
    )


# --- citation markers in model-written text -----------------------------------------------------------------

_MARKER_GROUP_RE = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
_CODE_RE = re.compile(r"(```.*?```|~~~.*?~~~|`[^`\n]*`)", re.DOTALL)


def renumber_citations(text: str, available: int) -> tuple[str, list[int], list[int]]:
    """Check the ``[n]`` (and ``[n, m]``) markers of a model-written answer against `available` passages.

    Returns the text with valid markers renumbered in order of first use (as ``[1][2]``...), markers that
    reference non-existent passages removed; the original passage numbers that were cited (in their new order);
    and the invalid numbers that were dropped.
    """
    order: list[int] = []
    dropped: list[int] = []

    def replace(match: re.Match[str]) -> str:
        out = []
        for raw in match.group(1).split(","):
            number = int(raw)
            if 1 <= number <= available:
                if number not in order:
                    order.append(number)
                out.append(f"[{order.index(number) + 1}]")
            elif number not in dropped:
                dropped.append(number)
        return "".join(out)

    parts = _CODE_RE.split(text)  # odd indexes are code: `x[0]` is not a citation
    for i in range(0, len(parts), 2):
        prose = _MARKER_GROUP_RE.sub(replace, parts[i])
        prose = re.sub(r"[ \t]+([.,;:])", r"\1", prose)
        parts[i] = re.sub(r"(?<=\S)[ \t]{2,}", " ", prose)
    return "".join(parts).strip(), order, dropped

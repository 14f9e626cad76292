"""Reads of the docs assistant: a user's conversations, the docs-quality report, and the docs/ pages the portal
shows at /devex/docs/<path>/ (the same pages the retrieval index cites)."""

from __future__ import annotations

import re
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db.models import Count, Max, Prefetch, QuerySet
from django.utils import timezone

from devex.models import Conversation, Feedback, Message
from devex.retrieval import config
from novacron.core.docs_links import DOCS_URL_PREFIX
from novacron.core.portal import render_markdown

REPORT_PERMISSION = "accounts.moderate"

# --- conversations ------------------------------------------------------------------------------------------


def _uuid(value: Any) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def conversations_for_user(*, user: Any) -> QuerySet[Conversation]:
    """The user's conversations, most recently active first, each with `message_count`."""
    if not getattr(user, "is_authenticated", False):
        return Conversation.objects.none()
    return (
        Conversation.objects.filter(user=user)
        .annotate(message_count=Count("messages"), last_message_at=Max("messages__created_at"))
        .order_by("-updated_at", "-id")
    )


def conversation_for_user(*, public_id: Any, user: Any) -> Conversation | None:
    """One of the user's conversations, or None (unknown, or someone else's: callers answer 404 either way)."""
    wanted = _uuid(public_id)
    if wanted is None or not getattr(user, "is_authenticated", False):
        return None
    return Conversation.objects.filter(public_id=wanted, user=user).first()


def conversation_messages(*, conversation: Conversation) -> list[Message]:
    """The conversation's messages in order, each assistant message with `my_feedback` (the owner's or None)."""
    messages = list(
        conversation.messages.prefetch_related(
            Prefetch(
                "feedback",
                queryset=Feedback.objects.filter(user_id=conversation.user_id),
                to_attr="owner_feedback",
            )
        )
    )
    for message in messages:
        owner_feedback = getattr(message, "owner_feedback", [])
        message.my_feedback = owner_feedback[0] if owner_feedback else None
    return messages


def message_for_user(*, public_id: Any, user: Any) -> Message | None:
    """An assistant message in one of the user's conversations, or None."""
    wanted = _uuid(public_id)
    if wanted is None or not getattr(user, "is_authenticated", False):
        return None
    return (
        Message.objects.select_related("conversation")
        .filter(public_id=wanted, conversation__user=user, role=Message.Role.ASSISTANT)
        .first()
    )


def question_of(message: Message) -> str:
    """The question an assistant message answers (kept in its retrieval info)."""
    return str((message.retrieval or {}).get("question", ""))


def recent_conversations(*, user: Any, limit: int = 5) -> list[Conversation]:
    return list(conversations_for_user(user=user)[:limit])


# --- the docs-quality report --------------------------------------------------------------------------------


def can_see_report(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and (user.is_staff or user.has_perm(REPORT_PERMISSION))
    )


def docs_quality_report(
    *, days: int = 90, now: datetime | None = None, limit: int = 25, scan: int = 5000
) -> dict[str, Any]:
    """What the assistant could not answer and what people found unhelpful, over the last `days` days.

    - `unanswered`: questions answered with "I don't know", grouped by their normalised text, most asked first;
    - `not_helpful`: answers rated not helpful, newest first, with the comment and the sections they cited;
    - `most_cited`: the sections cited most often (from the last `scan` answers), with their feedback counts;
    - totals: answers, answered rate, feedback given, helpful rate (None while there is none).
    """
    now = now or timezone.now()
    since = now - timedelta(days=days)
    answers = Message.objects.filter(role=Message.Role.ASSISTANT, created_at__gte=since)
    totals = answers.aggregate(total=Count("id"))
    answered_count = answers.filter(answered=True).count()
    feedback = Feedback.objects.filter(message__created_at__gte=since, message__role=Message.Role.ASSISTANT)
    feedback_total = feedback.count()
    helpful_count = feedback.filter(helpful=True).count()

    unanswered: dict[str, dict[str, Any]] = {}
    for message in answers.filter(answered=False).order_by("-created_at")[:scan]:
        question = question_of(message)
        key = " ".join(question.lower().split()).rstrip("?!. ")
        entry = unanswered.setdefault(
            key,
            {
                "question": question,
                "count": 0,
                "last_asked": message.created_at,
                "closest": (message.retrieval or {}).get("suggestions", [])[:3],
            },
        )
        entry["count"] += 1

    not_helpful = [
        {
            "question": question_of(item.message),
            "comment": item.comment,
            "answered": item.message.answered,
            "citations": item.message.citations,
            "created_at": item.updated_at,
            "message_id": item.message.public_id,
        }
        for item in feedback.filter(helpful=False).select_related("message").order_by("-updated_at")[:limit]
    ]

    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for message_citations, verdict in feedback.values_list("message__citations", "helpful")[:scan]:
        for url in {c.get("url") for c in message_citations or [] if isinstance(c, dict)}:
            votes[url]["helpful" if verdict else "not_helpful"] += 1
    cited: Counter[str] = Counter()
    labels: dict[str, str] = {}
    for message_citations in (
        answers.filter(answered=True).order_by("-created_at").values_list("citations", flat=True)[:scan]
    ):
        for citation in message_citations or []:
            if isinstance(citation, dict) and citation.get("url"):
                cited[citation["url"]] += 1
                labels.setdefault(citation["url"], citation.get("heading_path") or citation.get("title", ""))
    most_cited = [
        {
            "url": url,
            "label": labels[url],
            "count": count,
            "helpful": votes[url]["helpful"],
            "not_helpful": votes[url]["not_helpful"],
        }
        for url, count in cited.most_common(limit)
    ]

    total = totals["total"] or 0
    return {
        "days": days,
        "since": since,
        "answers_total": total,
        "answered": answered_count,
        "unanswered_total": total - answered_count,
        "answered_rate": (answered_count / total) if total else None,
        "feedback_total": feedback_total,
        "helpful": helpful_count,
        "helpful_rate": (helpful_count / feedback_total) if feedback_total else None,
        "unanswered": sorted(unanswered.values(), key=lambda e: (-e["count"], -e["last_asked"].timestamp()))[
            :limit
        ],
        "not_helpful": not_helpful,
        "most_cited": most_cited,
    }


# --- docs/ pages --------------------------------------------------------------------------------------------

_H1_RE = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)
# Path segments: letters, digits, "-", "_" and inner dots ("getting-started.de" is a translation); never ".."
# or a hidden segment. Paths are only ever looked up among the files found under docs/ in any case.
_SAFE_PAGE_RE = re.compile(r"^[A-Za-z0-9_\-][A-Za-z0-9_\-.]*(?:/[A-Za-z0-9_\-][A-Za-z0-9_\-.]*)*$")


@dataclass(frozen=True)
class DocPage:
    path: str  # "api/overview" (docs/api/overview.md without the extension)
    title: str
    section: str  # the folder, "" for top-level pages
    summary: str

    @property
    def url(self) -> str:
        return f"{DOCS_URL_PREFIX}{self.path}/"


def docs_root() -> Path:
    """docs/ (or DEVEX_DOCS_DIR): the same folder the retrieval index reads."""
    return config.docs_dir().resolve()


def _summary(text: str) -> str:
    for raw in re.split(r"\n\s*\n", text):
        block = raw.strip()
        if block and not block.startswith(("#", "|", "```", "-", "*", ">")):
            flat = " ".join(block.split())
            flat = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", flat)
            return flat if len(flat) <= 200 else flat[:199].rstrip() + "…"
    return ""


@lru_cache(maxsize=256)
def _page_meta(file: Path, mtime_ns: int, path: str) -> DocPage:
    text = file.read_text(encoding="utf-8")
    match = _H1_RE.search(text)
    title = match.group(1).strip() if match else path.rsplit("/", 1)[-1].replace("-", " ").capitalize()
    section = path.rsplit("/", 1)[0] if "/" in path else ""
    return DocPage(path=path, title=title, section=section, summary=_summary(text))


def _files() -> dict[str, Path]:
    root = docs_root()
    if not root.is_dir():
        return {}
    found: dict[str, Path] = {}
    for file in root.rglob("*.md"):
        resolved = file.resolve()
        if not resolved.is_file() or not resolved.is_relative_to(root):
            continue  # a symlink out of docs/ is not a docs page
        path = file.relative_to(root).as_posix().removesuffix(".md")
        if _SAFE_PAGE_RE.match(path) and ".." not in path:
            found[path] = resolved
    return found


def docs_pages() -> list[DocPage]:
    """Every docs/ Markdown page: top-level pages first (index first), then by folder and path."""
    pages = [_page_meta(file, file.stat().st_mtime_ns, path) for path, file in _files().items()]
    return sorted(pages, key=lambda p: (p.section != "", p.section, p.path != "index", p.path))


def docs_page_file(path: str) -> tuple[DocPage, Path] | None:
    """The page at `path` ("api/overview"), or None for anything that is not a docs/ Markdown page: unknown
    paths, "../" tricks, absolute paths, hidden files. Paths are only ever looked up among the files found
    under docs/, never joined onto the file system."""
    path = (path or "").strip("/")
    if path.endswith(".md"):
        path = path[:-3]
    if not _SAFE_PAGE_RE.match(path) or ".." in path:
        return None
    file = _files().get(path)
    if file is None:
        return None
    return _page_meta(file, file.stat().st_mtime_ns, path), file


@lru_cache(maxsize=128)
def _rendered(file: Path, mtime_ns: int, path: str) -> str:
    return render_markdown(file.read_text(encoding="utf-8"), docs_path=path)


def docs_page_html(path: str) -> tuple[DocPage, str] | None:
    """The page and its HTML (python-markdown with toc: each heading has the id its #anchor uses; relative
    links to other .md pages point at their portal pages)."""
    found = docs_page_file(path)
    if found is None:
        return None
    page, file = found
    return page, _rendered(file, file.stat().st_mtime_ns, page.path)

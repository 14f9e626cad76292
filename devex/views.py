"""The developer-tools portal: its landing page, the docs assistant (chat, feedback, the staff docs-quality
report) and the documentation pages. Thin: parse, call a service or selector, render.

Forms work without JavaScript (POST, then redirect); static/js/assistant.js sends the same POSTs with
`X-Requested-With: fetch` and gets HTML fragments back to append without a reload.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from devex import answering, llm, selectors
from devex.forms import DocsSearchForm, FeedbackForm, QuestionForm
from devex.models import Conversation, Message
from devex.services import assistant as assistant_service
from devex.services.conversations import conversation_ask, conversation_delete, conversation_start
from devex.services.feedback import feedback_give
from novacron.core.exceptions import DomainError
from novacron.core.portal import render_markdown

SEARCH_RESULTS = 10

# --- helpers -------------------------------------------------------------------------------------------------

_PROTECTED_RE = re.compile(r"(<pre\b.*?</pre>|<code\b.*?</code>|<a\b.*?</a>)", re.DOTALL | re.IGNORECASE)
_MARKER_RE = re.compile(r"\[(\d+)\]")


def answer_html(content: str, citations: list[dict[str, Any]]) -> SafeString:
    """The answer's Markdown as sanitised HTML, each [n] marker (outside code and links) a link to its section."""
    by_number = {
        c.get("n"): c
        for c in citations or []
        if isinstance(c, dict) and str(c.get("url", "")).startswith("/")
    }

    def link(match: re.Match[str]) -> str:
        citation = by_number.get(int(match.group(1)))
        if citation is None:
            return match.group(0)
        return (
            f'<a class="citation" href="{escape(citation["url"])}" '
            f'title="{escape(citation.get("heading_path") or citation.get("title", ""))}">[{match.group(1)}]</a>'
        )

    parts = _PROTECTED_RE.split(render_markdown(content))
    for i in range(0, len(parts), 2):
        parts[i] = _MARKER_RE.sub(link, parts[i])
    return mark_safe("".join(parts))  # noqa: S308 - nh3-sanitised HTML plus escaped links


def _decorate(message: Message) -> Message:
    if message.role == Message.Role.ASSISTANT:
        message.html = answer_html(message.content, message.citations)
    else:
        message.html = mark_safe(linebreaks(escape(message.content)))  # noqa: S308 - escaped
    return message


def _is_fragment(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def _status() -> dict[str, Any]:
    retrieval = assistant_service.retrieval_status()
    try:
        built_at = datetime.fromisoformat(retrieval["last_build"]) if retrieval.get("last_build") else None
    except (TypeError, ValueError):
        built_at = None
    return {"retrieval": retrieval, "built_at": built_at, "llm": llm.llm_config()}


def _conversation_url(conversation: Conversation) -> str:
    return reverse("devex:conversation", args=[conversation.public_id])


# --- landing page ----------------------------------------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    """The area's landing page: the assistant, the documentation, the API and CLI."""
    context: dict[str, Any] = {
        "status": _status(),
        "pages_count": len(selectors.docs_pages()),
        "recent": selectors.recent_conversations(user=request.user, limit=5),
        "form": QuestionForm(),
    }
    return render(request, "devex/index.html", context)


# --- the assistant ---------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def assistant(request: HttpRequest, public_id: Any = None) -> HttpResponse:
    """The chat page: a new conversation (no id) or one of the user's conversations. POST asks a question."""
    conversation = None
    if public_id is not None:
        conversation = selectors.conversation_for_user(public_id=public_id, user=request.user)
        if conversation is None:
            raise Http404
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        started = conversation is None
        if started:
            conversation = conversation_start(user=request.user)
        try:
            reply = conversation_ask(
                conversation=conversation, question=form.cleaned_data["question"], user=request.user
            )
        except DomainError as exc:
            if started:
                conversation_delete(conversation=conversation, user=request.user)
                conversation = None
            form.add_error("question" if exc.field in (None, "question") else None, exc.message)
        else:
            url = _conversation_url(conversation)
            if _is_fragment(request):
                question = reply.conversation.messages.filter(
                    role=Message.Role.USER, created_at__lte=reply.created_at
                ).last()
                response = render(
                    request,
                    "devex/_exchange.html",
                    {
                        "exchange": [_decorate(m) for m in (question, reply) if m is not None],
                        "conversation": conversation,
                    },
                )
                response["X-Conversation-Url"] = url
                return response
            return redirect(f"{url}#m-{reply.public_id}")
    if request.method == "POST" and _is_fragment(request):
        return render(request, "devex/_form_errors.html", {"form": form}, status=400)
    context = {
        "conversation": conversation,
        "conversations": selectors.recent_conversations(user=request.user, limit=50),
        "messages_list": [
            _decorate(m)
            for m in (selectors.conversation_messages(conversation=conversation) if conversation else [])
        ],
        "form": form,
        "status": _status(),
    }
    return render(request, "devex/assistant.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def conversation_remove(request: HttpRequest, public_id: Any) -> HttpResponse:
    conversation = selectors.conversation_for_user(public_id=public_id, user=request.user)
    if conversation is None:
        raise Http404
    conversation_delete(conversation=conversation, user=request.user)
    messages.success(request, _("Conversation deleted."))
    return redirect("devex:assistant")


@login_required
@require_POST
def feedback(request: HttpRequest, public_id: Any) -> HttpResponse:
    """Helpful / not helpful, with an optional comment; giving it again changes it."""
    message = selectors.message_for_user(public_id=public_id, user=request.user)
    if message is None:
        raise Http404
    form = FeedbackForm(request.POST)
    saved = None
    if form.is_valid():
        try:
            saved = feedback_give(
                message=message,
                user=request.user,
                helpful=form.cleaned_data["helpful"],
                comment=form.cleaned_data["comment"],
            )
        except DomainError as exc:
            form.add_error("comment" if exc.field == "comment" else None, exc.message)
    message.my_feedback = saved
    if _is_fragment(request):
        return render(
            request,
            "devex/_feedback.html",
            {"message": message, "feedback_form": form, "just_saved": saved is not None},
            status=200 if saved else 400,
        )
    if saved is None:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    else:
        messages.success(request, _("Thanks for your feedback."))
    return redirect(f"{_conversation_url(message.conversation)}#m-{message.public_id}")


@login_required
def report(request: HttpRequest) -> HttpResponse:
    """Docs-quality report for staff and moderators: unanswered questions, unhelpful answers, most cited
    sections, the helpful rate."""
    if not selectors.can_see_report(request.user):
        raise PermissionDenied
    try:
        days = min(max(int(request.GET.get("days", 90)), 1), 3650)
    except ValueError:
        days = 90
    return render(
        request,
        "devex/report.html",
        {
            "report": selectors.docs_quality_report(days=days),
            "status": _status(),
            "days_options": (7, 30, 90, 365),
        },
    )


# --- documentation pages -----------------------------------------------------------------------------------------


_MARKUP_RE = re.compile(r"(\*\*|__|`)")
_LINK_RE = re.compile(r"\[([^\]]+)\]\([^)]*\)")


def _snippet(text: str, limit: int = 240) -> str:
    """A passage as plain text for a search result: its sentences and list items, without Markdown markup,
    code or tables."""
    parts = [b.text for b in answering.split_blocks(text) if b.kind in ("prose", "item")]
    flat = _LINK_RE.sub(r"\1", _MARKUP_RE.sub("", " ".join(parts)))
    return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + "…"


def docs_index(request: HttpRequest) -> HttpResponse:
    """Every docs/ page by folder, with a search box (the assistant's retrieval, raw passages)."""
    form = DocsSearchForm(request.GET or None)
    results: list[Any] | None = None
    if form.is_valid() and form.cleaned_data["q"]:
        results, seen = [], set()
        for passage in assistant_service.search_passages(form.cleaned_data["q"], k=SEARCH_RESULTS):
            if passage.url not in seen:  # overlapping windows of one section: list the section once
                seen.add(passage.url)
                results.append({"passage": passage, "snippet": _snippet(passage.text)})
    sections: dict[str, list[selectors.DocPage]] = {}
    for page in selectors.docs_pages():
        sections.setdefault(page.section, []).append(page)
    return render(
        request,
        "devex/docs_index.html",
        {"sections": sections, "form": form, "results": results, "status": _status()},
    )


def docs_page(request: HttpRequest, path: str) -> HttpResponse:
    """One docs/ Markdown page, rendered; 404 for anything that is not one (including ../ paths)."""
    found = selectors.docs_page_html(path)
    if found is None:
        raise Http404
    page, html = found
    return render(request, "devex/docs_page.html", {"page": page, "html": mark_safe(html)})  # noqa: S308


# --- dashboard panel ----------------------------------------------------------------------------------------------


def dashboard_context(request: HttpRequest) -> dict[str, Any]:
    """The dashboard's "Docs assistant" panel: a question box and the user's five latest conversations."""
    return {
        "conversations": selectors.recent_conversations(user=request.user, limit=5),
        "can_see_report": selectors.can_see_report(request.user),
    }

"""Portal shell: the five areas in the navigation, their landing pages, and dashboard panels.

Higher apps add to the dashboard with `register_dashboard_panel` from their AppConfig.ready, so the kernel
never imports them.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import markdown
import nh3
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from novacron.core.docs_links import resolve_docs_href


@dataclass(frozen=True)
class Area:
    key: str
    title: str
    url_name: str
    summary: str


AREAS: tuple[Area, ...] = (
    Area(
        "certification", "Learn", "certification:index", "Tracks, courses, exams and verifiable certificates."
    ),
    Area("marketplace", "Marketplace", "marketplace:index", "Find, buy and publish apps for NovaCron."),
    Area("revenue", "Earnings & billing", "revenue:index", "Purchases, earnings, payouts and invoices."),
    Area("growth", "Community", "growth:index", "User groups, events and the NovaCron Summit."),
    Area(
        "devex", "Developer tools", "devex:index", "Docs assistant, code generation, sandboxes, CLI and SDK."
    ),
)
AREAS_BY_KEY = {area.key: area for area in AREAS}


@dataclass(frozen=True)
class DashboardPanel:
    key: str
    template: str
    context: Callable[[HttpRequest], dict[str, Any]]
    order: int = 100


@dataclass
class _Registry:
    panels: dict[str, DashboardPanel] = field(default_factory=dict)


_registry = _Registry()


def register_dashboard_panel(panel: DashboardPanel) -> None:
    _registry.panels[panel.key] = panel


def dashboard_panels(request: HttpRequest) -> list[dict[str, Any]]:
    panels = sorted(_registry.panels.values(), key=lambda p: (p.order, p.key))
    return [{"key": p.key, "template": p.template, **p.context(request)} for p in panels]


def nav_items(request: HttpRequest) -> list[dict[str, Any]]:
    items = []
    for area in AREAS:
        try:
            url = reverse(area.url_name)
        except NoReverseMatch:
            continue
        items.append(
            {"key": area.key, "title": area.title, "url": url, "active": request.path.startswith(url)}
        )
    return items


ALLOWED_TAGS = nh3.ALLOWED_TAGS | {
    "h1",
    "h2",
    "h3",
    "h4",
    "pre",
    "code",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}


def render_markdown(text: str, *, docs_path: str | None = None) -> str:
    """Markdown to sanitised HTML (nh3 strips scripts, event handlers and unknown tags). For a docs/ page,
    `docs_path` ("areas/revenue") makes its relative links to other .md pages point at their portal pages."""
    html = markdown.markdown(text, extensions=["fenced_code", "tables", "toc", "sane_lists"])

    def links(tag: str, attribute: str, value: str) -> str:
        return resolve_docs_href(value, docs_path) if docs_path and attribute == "href" else value

    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"*": {"id", "class"}, "a": {"href", "title"}, "img": {"src", "alt", "title"}},
        attribute_filter=links,
    )


@cache
def _area_doc(area: str) -> str:
    path = Path(settings.BASE_DIR) / "docs" / "areas" / f"{area}.md"
    return (
        render_markdown(path.read_text(encoding="utf-8"), docs_path=f"areas/{area}") if path.exists() else ""
    )


def area_page(request: HttpRequest, *, area: str) -> HttpResponse:
    if area not in AREAS_BY_KEY:
        raise Http404
    return render(request, "core/area.html", {"area": AREAS_BY_KEY[area], "doc_html": _area_doc(area)})

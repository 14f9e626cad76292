"""Lesson and exam text: the portal's Markdown (core.portal.render_markdown, sanitised) with code blocks
highlighted by Pygments (CSS classes under `.codehilite`, styled in certification/base.html)."""

from __future__ import annotations

import html
import re

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import TextLexer, get_lexer_by_name
from pygments.util import ClassNotFound

from novacron.core.portal import render_markdown

# A fenced block as render_markdown leaves it: already sanitised, its text HTML-escaped.
_CODE_BLOCK = re.compile(r'<pre><code(?: class="language-([\w+#.-]+)")?>(.*?)</code></pre>', re.DOTALL)
_FORMATTER = HtmlFormatter(cssclass="codehilite", wrapcode=True)


def _highlighted(match: re.Match[str]) -> str:
    try:
        lexer = get_lexer_by_name(match.group(1)) if match.group(1) else TextLexer()
    except ClassNotFound:
        lexer = TextLexer()
    # Pygments escapes every character it emits, so the result is as safe as the sanitised input.
    return highlight(html.unescape(match.group(2)), lexer, _FORMATTER)


def render_lesson_markdown(text: str) -> str:
    """Markdown → sanitised HTML with highlighted code blocks."""
    return _CODE_BLOCK.sub(_highlighted, render_markdown(text or ""))

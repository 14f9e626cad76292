"""Where the docs/ pages live in the portal, and how links between them resolve (used by the portal's area
pages and by devex, which serves the pages and cites them)."""

import posixpath

DOCS_URL_PREFIX = "/devex/docs/"


def docs_path_of(url: str) -> str | None:
    """ "/devex/docs/api/overview/#errors" → "api/overview"; None for other URLs."""
    if not url.startswith(DOCS_URL_PREFIX):
        return None
    return url[len(DOCS_URL_PREFIX) :].split("#", 1)[0].strip("/") or None


def resolve_docs_href(href: str, current_path: str) -> str:
    """A relative link between docs/ Markdown files ("../api/overview.md#errors") as a portal URL
    ("/devex/docs/api/overview/#errors"), resolved against the current page ("developer/architecture");
    anything else (absolute, external, mailto, pure anchors, non-Markdown files) unchanged."""
    if not href or href.startswith(("#", "/", "mailto:")) or "://" in href:
        return href
    target, _, anchor = href.partition("#")
    if not target.endswith(".md"):
        return href
    base = posixpath.dirname(current_path)
    resolved = posixpath.normpath(posixpath.join(base, target[:-3]))
    if resolved.startswith(("..", "/")) or resolved == ".":
        return href
    return f"{DOCS_URL_PREFIX}{resolved}/" + (f"#{anchor}" if anchor else "")

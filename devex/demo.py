"""Demo data for devex: the documentation index, so the assistant answers right after `make run`."""

from typing import TextIO

from devex.retrieval.search import active_backend
from devex.services.indexing import index_rebuild


def seed(out: TextIO) -> list[str]:
    report = index_rebuild()  # incremental: unchanged docs are skipped on a second run
    backend = active_backend()
    out.write(
        f"  docs index: {report.chunks_total} chunks, {report.changed} document(s) changed, "
        f"vectoriser {backend.name}\n"
    )
    return [
        "",
        "Developer tools:",
        "  Ask the documentation assistant: any user → /devex/assistant/ (try “How do payouts work?”)",
        '  Browse the docs: /devex/docs/ ; CLI: `.venv/bin/novacron login` then `novacron docs ask "..."`',
    ]

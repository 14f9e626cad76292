"""docs ask | search | conversations | feedback: the documentation assistant (the devex API; tokens need
devex:read, and devex:write to ask and give feedback, or the global read/write)."""

from __future__ import annotations

import argparse
import textwrap
from urllib.parse import urljoin

from novacron_sdk.cli.context import Context
from novacron_sdk.cli.errors import ExitCode
from novacron_sdk.cli.output import print_table, shorten, when
from novacron_sdk.cli.registry import CommandGroup, arg

SOURCES = ("docs", "lesson", "article")
SOURCE = arg(
    "--source",
    dest="sources",
    action="append",
    choices=SOURCES,
    help="only passages from this source (repeat)",
)
LANGUAGE = arg("--language", metavar="CODE", help="only passages in this language, e.g. en")
_SOURCES_HEADING = "**Sources**"

docs = CommandGroup("docs", "Ask the documentation assistant, search the docs.")


def absolute(base_url: str, url: str) -> str:
    return urljoin(base_url + "/", url) if url else ""


def answer_body(markdown: str) -> str:
    """The answer without its trailing Markdown "Sources" list (the CLI prints the citations itself, with
    absolute links)."""
    head, marker, _ = markdown.rpartition(f"\n{_SOURCES_HEADING}\n")
    return (head if marker else markdown).rstrip()


@docs.command(
    "ask",
    "Ask the documentation assistant a question.",
    arg("question", help="your question, in quotes"),
    arg("--conversation", metavar="ID", help="continue a conversation (a follow-up question)"),
    SOURCE,
    LANGUAGE,
    examples=(
        'novacron docs ask "how do payouts work?"',
        'novacron docs ask "and how often?" --conversation 3f1c…',
        'novacron docs ask "how do I create an API token?" --json | jq -r .answer',
    ),
)
def docs_ask(ctx: Context, args: argparse.Namespace) -> int:
    """Ask a question: the answer is composed from the documentation, with numbered citations [1], [2] and
    the links to the exact sections. Exit code 3 when the assistant says it does not know (the docs do not
    cover the question); it then lists the closest pages."""
    client = ctx.client()
    answer = client.devex.ask(
        args.question, conversation=args.conversation, sources=args.sources, language=args.language
    )
    if ctx.json:
        ctx.print_json(dict(answer.raw))
    else:
        ctx.print(answer_body(answer.answer))
        if answer.citations:
            ctx.print()
            ctx.print("Sources:")
            for citation in answer.citations:
                ctx.print(f"  [{citation.n}] {citation.heading_path or citation.title}")
                ctx.print(f"      {absolute(client.base_url, citation.url)}")
        ctx.print()
        ctx.print(f"Follow up with: --conversation {answer.conversation}")
    return ExitCode.OK if answer.answered else ExitCode.NOT_ANSWERED


@docs.command(
    "search",
    "Search the documentation.",
    arg("q", metavar="QUERY", help="what to look for"),
    arg(
        "-k",
        "--limit",
        dest="k",
        type=int,
        default=5,
        metavar="N",
        help="how many passages, 1-50 (default 5)",
    ),
    SOURCE,
    LANGUAGE,
    arg("--method", choices=("hybrid", "lexical", "dense"), help="retrieval method (default hybrid)"),
    examples=(
        'novacron docs search "idempotency key"',
        "novacron docs search payouts -k 10 --method lexical",
    ),
)
def docs_search(ctx: Context, args: argparse.Namespace) -> int:
    """Search the documentation (keyword and semantic search fused); prints the best passages, best first,
    with their links. A passage marked * is one the assistant would answer from."""
    client = ctx.client()
    results = client.devex.search(
        args.q, k=args.k, sources=args.sources, language=args.language, method=args.method
    )
    if ctx.json:
        ctx.print_json(dict(results.raw))
        return ExitCode.OK
    if not results.results:
        ctx.print("No results.")
        return ExitCode.OK
    for index, hit in enumerate(results.results, start=1):
        mark = "*" if hit.confident else " "
        ctx.print(f"{index:>2}.{mark}{hit.heading_path or hit.document_title}  ({hit.score:.3f})")
        ctx.print(f"    {absolute(client.base_url, hit.url)}")
        for line in textwrap.wrap(shorten(hit.text, 240), 96):
            ctx.print(f"    {line}")
    ctx.print()
    ctx.print(f"{results.method} search, {results.backend}")
    return ExitCode.OK


@docs.command(
    "conversations",
    "Your conversations with the assistant.",
    arg("--limit", type=int, default=20, metavar="N", help="show at most N (default 20)"),
    examples=("novacron docs conversations",),
)
def docs_conversations(ctx: Context, args: argparse.Namespace) -> int:
    """Your conversations with the assistant, most recent first; continue one with `docs ask --conversation`."""
    items = ctx.client().devex.conversations(limit=args.limit).all()
    if ctx.json:
        ctx.print_json([dict(item.raw) for item in items])
        return ExitCode.OK
    print_table(
        ("UPDATED", "TITLE", "MESSAGES", "ID"),
        [
            (
                when(c.updated_at),
                shorten(c.title or "-", 50),
                "-" if c.message_count is None else c.message_count,
                c.public_id,
            )
            for c in items
        ],
        ctx.stdout,
        align="<<><",
        empty="No conversations yet.",
    )
    return ExitCode.OK


@docs.command(
    "feedback",
    "Tell the docs team whether an answer helped.",
    arg("message", metavar="ANSWER_ID", help="the answer's id (`message` in `docs ask --json`)"),
    arg("--helpful", dest="helpful", action="store_true", default=None, help="the answer helped"),
    arg("--not-helpful", dest="helpful", action="store_false", help="it did not"),
    arg("--comment", default="", help="what was missing or wrong"),
    examples=('novacron docs feedback 9d2e… --not-helpful --comment "no example for EUR payouts"',),
)
def docs_feedback(ctx: Context, args: argparse.Namespace) -> int:
    """Rate an answer (helpful or not, with an optional comment); giving it again updates it. Staff see the
    feedback as a docs-quality report."""
    if args.helpful is None:
        ctx.stderr.write("error: say --helpful or --not-helpful\n")
        return ExitCode.ERROR
    feedback = ctx.client().devex.feedback(args.message, helpful=args.helpful, comment=args.comment)
    if ctx.json:
        ctx.print_json(dict(feedback.raw))
    else:
        ctx.print("Thanks: feedback saved.")
    return ExitCode.OK


COMMANDS = [docs]

"""status: API health and the documentation assistant's backend."""

from __future__ import annotations

import argparse

from novacron_sdk.cli.context import Context
from novacron_sdk.cli.errors import ExitCode
from novacron_sdk.cli.output import print_table, when
from novacron_sdk.cli.registry import command
from novacron_sdk.errors import AuthenticationError, NotFoundError, NovacronError, PermissionDeniedError
from novacron_sdk.resources.devex import AssistantStatus


@command(
    "status",
    "API health and the assistant's backend.",
    examples=("novacron status", "novacron status --json"),
)
def status(ctx: Context, args: argparse.Namespace) -> int:
    """Check the server: /health/ (database, cache, broker) and, with a token, the documentation assistant's
    retrieval backend. Exit code 5 when the server is degraded or unreachable."""
    client = ctx.client(require_token=False)
    health = client.system.health()
    assistant: AssistantStatus | None = None
    assistant_note = ""
    if client.token:
        try:
            assistant = client.devex.status()
        except NotFoundError:
            assistant_note = "not available on this server"
        except (AuthenticationError, PermissionDeniedError) as exc:
            assistant_note = f"cannot check ({exc.message})"
        except NovacronError as exc:
            assistant_note = f"error: {exc}"
    else:
        assistant_note = f"not checked: not logged in (run `{ctx.login_command()}`)"
    code = ExitCode.OK if health.ok else ExitCode.SERVER
    if ctx.json:
        ctx.print_json(
            {
                "base_url": client.base_url,
                "health": dict(health.raw),
                "assistant": dict(assistant.raw) if assistant else assistant_note,
            }
        )
        return code
    ctx.print(f"Server:    {client.base_url}")
    ctx.print(f"API:       {health.status}")
    print_table(
        ("  CHECK", "STATUS", "LATENCY", "ERROR"),
        [
            (
                f"  {name}",
                check.status,
                f"{check.latency_ms:.1f} ms" if check.latency_ms is not None else "-",
                check.error,
            )
            for name, check in sorted(health.checks.items())
        ],
        ctx.stdout,
        align="<<><",
    )
    if assistant is not None:
        ctx.print(f"Assistant: answers {assistant.answers}")
        retrieval = assistant.retrieval
        ctx.print(
            f"Retrieval: {retrieval.name}, index {retrieval.index or '-'}, "
            f"{retrieval.chunks or 0} passages, last built {when(retrieval.last_build)}"
        )
    else:
        ctx.print(f"Assistant: {assistant_note}")
    return code


COMMANDS = [status]

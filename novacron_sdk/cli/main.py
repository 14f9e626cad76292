"""`novacron`: drive NovaCron Community from a terminal. Entry point of the console script."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Mapping, Sequence
from typing import TextIO

from novacron_sdk import __version__
from novacron_sdk.cli.commands import COMMAND_MODULES
from novacron_sdk.cli.context import Context
from novacron_sdk.cli.errors import CliError, ExitCode, UsageError, describe, exit_code_for
from novacron_sdk.cli.output import print_json
from novacron_sdk.errors import ApiError, NovacronError

DESCRIPTION = """\
Drive NovaCron Community from your terminal: log in with a personal API token, then work with your account,
earnings and the documentation assistant. Every command takes --json for machine-readable output.

exit codes: 0 ok, 1 usage or other error, 2 not logged in / not allowed, 3 the assistant did not know,
            4 not found, 5 server error or server unreachable
"""


class Parser(argparse.ArgumentParser):
    """argparse exits with 2 on a usage error; 2 means an auth problem here, so usage errors raise instead."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message}\n\n{self.format_usage().strip()}\nrun `{self.prog} --help` for help")


def common_options() -> argparse.ArgumentParser:
    """Options every command accepts (before or after the command's name)."""
    common = Parser(add_help=False)
    options = common.add_argument_group("common options")
    options.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print the raw JSON the API returned"
    )
    options.add_argument(
        "--profile",
        default=argparse.SUPPRESS,
        metavar="NAME",
        help="config profile to use (default: $NOVACRON_PROFILE or 'default')",
    )
    options.add_argument(
        "--base-url",
        default=argparse.SUPPRESS,
        metavar="URL",
        help="API server, e.g. https://community.example.com (default: $NOVACRON_BASE_URL or the profile's)",
    )
    options.add_argument(
        "--timeout", type=float, default=argparse.SUPPRESS, metavar="SECONDS", help="per request (default 30)"
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    common = common_options()
    parser = Parser(
        prog="novacron",
        description=DESCRIPTION,
        parents=[common],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="run `novacron COMMAND --help` for a command's options; docs: docs/developer/cli.md",
    )
    parser.add_argument("--version", action="version", version=f"novacron {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=Parser)
    for module_name in COMMAND_MODULES:
        module = importlib.import_module(f"novacron_sdk.cli.commands.{module_name}")
        for entry in module.COMMANDS:
            entry.install(subparsers, [common])
    return parser


def main(
    argv: Sequence[str] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run one command; return its exit code (never raises, except for bugs when NOVACRON_DEBUG=1)."""
    env = os.environ if env is None else env
    err = stderr or sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except UsageError as exc:
        err.write(f"error: {exc.message}\n")
        return ExitCode.ERROR
    except SystemExit as exc:  # --help, --version
        return int(exc.code or 0) if isinstance(exc.code, int) else ExitCode.ERROR
    handler = getattr(args, "_handler", None)
    if handler is None:
        parser.print_help(stdout or sys.stdout)
        return ExitCode.ERROR
    ctx = Context(args, env=env, stdin=stdin, stdout=stdout, stderr=stderr)
    try:
        return int(handler(ctx, args) or 0)
    except (NovacronError, CliError) as exc:
        profile = getattr(args, "profile", None) or env.get("NOVACRON_PROFILE") or "default"
        if ctx.json and isinstance(exc, ApiError) and isinstance(exc.body, dict):
            print_json(exc.body, ctx.stdout)  # scripts parse the error body from stdout too
        err.write("\n".join(describe(exc, profile=profile)) + "\n")
        return exit_code_for(exc)
    except KeyboardInterrupt:
        err.write("interrupted\n")
        return ExitCode.INTERRUPTED
    except BrokenPipeError:  # `novacron ... | head`: stop quietly, and keep Python's exit flush quiet too
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitCode.OK
    except Exception as exc:
        if env.get("NOVACRON_DEBUG"):
            raise
        err.write(f"error: unexpected {type(exc).__name__}: {exc}\n")
        err.write("hint: set NOVACRON_DEBUG=1 for the traceback, and report it\n")
        return ExitCode.ERROR
    finally:
        ctx.close()


if __name__ == "__main__":
    sys.exit(main())

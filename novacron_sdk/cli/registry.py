"""How commands plug into `novacron`: each module of novacron_sdk.cli.commands exposes `COMMANDS`, a list of
`Command` (a top-level command such as `login`) and `CommandGroup` (a noun with verbs such as `tokens list`).
main.py imports the modules named in `COMMAND_MODULES` and installs their commands as argparse subparsers.

    tokens = CommandGroup("tokens", "Your personal API tokens.")

    @tokens.command("list", "List your tokens.", arg("--limit", type=int, default=100))
    def tokens_list(ctx: Context, args: argparse.Namespace) -> int:
        ...

    COMMANDS = [tokens]

A handler returns an exit code (None means 0) and raises SDK errors freely: main() turns them into messages
and exit codes. `--json`, `--profile` and `--base-url` are added to every command.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from novacron_sdk.cli.context import Context

Handler = Callable[["Context", argparse.Namespace], int | None]


@dataclass(frozen=True)
class Argument:
    names: tuple[str, ...]
    options: dict[str, Any]


def arg(*names: str, **options: Any) -> Argument:
    """An argparse argument, exactly as for ArgumentParser.add_argument."""
    return Argument(names, options)


@dataclass
class Command:
    name: str
    help: str
    handler: Handler
    arguments: Sequence[Argument] = ()
    examples: Sequence[str] = ()

    def install(self, subparsers: Any, common: Sequence[argparse.ArgumentParser]) -> argparse.ArgumentParser:
        description = (self.handler.__doc__ or self.help).strip()
        epilog = "examples:\n" + "\n".join(f"  {line}" for line in self.examples) if self.examples else None
        parser = subparsers.add_parser(
            self.name,
            help=self.help,
            description=description,
            epilog=epilog,
            parents=list(common),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        for argument in self.arguments:
            parser.add_argument(*argument.names, **argument.options)
        parser.set_defaults(_handler=self.handler)
        return parser


@dataclass
class CommandGroup:
    name: str
    help: str
    commands: list[Command] = field(default_factory=list)

    def command(
        self, name: str, help: str, *arguments: Argument, examples: Sequence[str] = ()
    ) -> Callable[[Handler], Handler]:
        def decorate(handler: Handler) -> Handler:
            self.commands.append(Command(name, help, handler, arguments, examples))
            return handler

        return decorate

    def install(self, subparsers: Any, common: Sequence[argparse.ArgumentParser]) -> argparse.ArgumentParser:
        parser = subparsers.add_parser(self.name, help=self.help, description=self.help, parents=list(common))
        verbs = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=type(parser))
        for command in self.commands:
            command.install(verbs, common)

        def show_help(ctx: Context, args: argparse.Namespace) -> int:
            parser.print_help(ctx.stderr)
            return 1

        parser.set_defaults(_handler=show_help)
        return parser


def command(
    name: str, help: str, *arguments: Argument, examples: Sequence[str] = ()
) -> Callable[[Handler], Command]:
    """Declare a top-level command (no group): `@command("whoami", "Who am I?")`."""

    def decorate(handler: Handler) -> Command:
        return Command(name, help, handler, arguments, examples)

    return decorate

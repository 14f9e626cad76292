"""The command modules of `novacron`, in the order `novacron --help` lists them.

Each module exposes `COMMANDS` (see novacron_sdk.cli.registry). Areas add theirs when their API exists:
`apps` with the marketplace API, `courses` with certification, `events` with growth (docs/developer/cli.md).
"""

COMMAND_MODULES: tuple[str, ...] = (
    "auth",  # login, logout, whoami
    "tokens",
    "orgs",
    "earnings",
    "purchases",
    "docs",
    "status",
)

"""The CLI without a server: parsing, exit codes, the config file, output helpers, the extension point, and
that the SDK never needs Django."""

from __future__ import annotations

import io
import os
import socket
import stat
import subprocess
import sys
import tomllib
import types
from pathlib import Path

import pytest

from novacron_sdk.cli import main as cli_main
from novacron_sdk.cli.commands.docs import absolute, answer_body
from novacron_sdk.cli.config import Config, Profile, config_path
from novacron_sdk.cli.errors import CliError, ExitCode, exit_code_for
from novacron_sdk.cli.output import print_table
from novacron_sdk.cli.registry import CommandGroup, arg
from novacron_sdk.errors import (
    AuthenticationError,
    ConflictError,
    NetworkError,
    NotFoundError,
    PermissionDeniedError,
    ResponseDecodeError,
    ServerError,
    ValidationError,
)
from novacron_sdk.money import format_minor, to_major


def test_help_lists_every_command_group(capsys):
    code = cli_main.main(["--help"])

    out = capsys.readouterr().out
    assert code == 0
    for name in ("login", "logout", "whoami", "tokens", "orgs", "earnings", "purchases", "docs", "status"):
        assert f"    {name} " in out
    assert "exit codes:" in out


def test_each_command_has_help_with_examples(capsys):
    assert cli_main.main(["docs", "ask", "--help"]) == 0
    out = capsys.readouterr().out
    assert "examples:" in out
    assert "--json" in out


def test_usage_errors_exit_1_not_argparses_2(cli):
    unknown = cli("frobnicate")
    missing = cli("docs", "ask")
    group_only = cli("tokens")
    bad_date = cli("earnings", "statement", "--from", "yesterday")

    assert (unknown.code, missing.code, group_only.code, bad_date.code) == (1, 1, 1, 1)
    assert "invalid choice: 'frobnicate'" in unknown.err
    assert "the following arguments are required: question" in missing.err
    assert "list" in group_only.err  # the group's help names its commands
    assert "is not a date (YYYY-MM-DD)" in bad_date.err


def test_without_a_token_commands_say_how_to_log_in(cli):
    result = cli("tokens", "list", "--profile", "work")

    assert result.code == ExitCode.AUTH
    assert "not logged in (profile work)" in result.err
    assert "novacron login --profile work" in result.err


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_server_exits_5(cli):
    result = cli(
        "whoami", "--base-url", f"http://127.0.0.1:{_closed_port()}", env={"NOVACRON_TOKEN": "nc_x_y"}
    )

    assert result.code == ExitCode.SERVER
    assert "cannot connect to http://127.0.0.1:" in result.err


def test_login_without_any_token_is_a_usage_error(cli):
    result = cli("login", "--base-url", "http://127.0.0.1:9")

    assert result.code == 1
    assert "no token given" in result.err


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (AuthenticationError(status=401, code="authentication_failed", message="x"), 2),
        (PermissionDeniedError(status=403, code="permission_denied", message="x"), 2),
        (NotFoundError(status=404, code="not_found", message="x"), 4),
        (ValidationError(status=400, code="invalid", message="x", fields={"a": ["b"]}), 1),
        (ConflictError(status=409, code="conflict", message="x"), 1),
        (ServerError(status=500, code="server_error", message="x"), 5),
        (NetworkError("down"), 5),
        (ResponseDecodeError("shape"), 1),
        (CliError("x", ExitCode.NOT_ANSWERED), 3),
    ],
)
def test_exit_codes(error, code):
    assert exit_code_for(error) == code


# --- config file -------------------------------------------------------------------------------------------------


def test_config_path_follows_xdg(tmp_path):
    home = Path.home()

    assert config_path({"XDG_CONFIG_HOME": str(tmp_path)}) == tmp_path / "novacron" / "config.toml"
    assert (
        config_path({"XDG_CONFIG_HOME": "relative/ignored"}) == home / ".config" / "novacron" / "config.toml"
    )
    assert config_path({}) == home / ".config" / "novacron" / "config.toml"
    assert config_path({"NOVACRON_CONFIG": str(tmp_path / "x.toml")}) == tmp_path / "x.toml"


def test_config_round_trips_tricky_values_privately(tmp_path):
    path = tmp_path / "conf" / "novacron" / "config.toml"
    config = Config(
        path, {"default": Profile("http://h", 'nc_a"b\\c\nd'), "ci-2": Profile(base_url="https://x")}
    )

    config.save()
    loaded = Config.load(path)

    assert loaded.profiles == config.profiles
    assert tomllib.loads(path.read_text())["profiles"]["default"]["token"] == 'nc_a"b\\c\nd'
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert not loaded.world_readable
    assert [p.name for p in path.parent.iterdir()] == ["config.toml"]  # no temporary file left behind


def test_a_config_file_others_can_read_is_reported(cli):
    cli.config_file.parent.mkdir(parents=True)
    cli.config_file.write_text('[profiles.default]\nbase_url = "http://127.0.0.1:9"\n')
    os.chmod(cli.config_file, 0o644)

    result = cli("logout")

    assert result.code == 0
    assert "can be read by other users" in result.err
    assert f"chmod 600 {cli.config_file}" in result.err


def test_a_broken_config_file_is_explained(cli):
    cli.config_file.parent.mkdir(parents=True)
    cli.config_file.write_text("[profiles.default\n")

    result = cli("whoami")

    assert result.code == 1
    assert "is not valid TOML" in result.err
    assert "hint:" in result.err


def test_profile_names_are_checked(cli):
    result = cli("whoami", "--profile", "../../etc")

    assert result.code == 1
    assert "invalid profile name" in result.err


# --- output and helpers ------------------------------------------------------------------------------------------


def test_tables_align_columns():
    out = io.StringIO()

    print_table(("NAME", "AMOUNT"), [("a", "1.00 USD"), ("longer name", "1,000.00 USD")], out, align="<>")

    assert out.getvalue().splitlines() == [
        "NAME               AMOUNT",
        "a                1.00 USD",
        "longer name  1,000.00 USD",
    ]


def test_empty_tables_say_so():
    out = io.StringIO()

    print_table(("A",), [], out, empty="Nothing yet.")

    assert out.getvalue() == "Nothing yet.\n"


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (1999, "EUR", "19.99 EUR"),
        (-500, "JPY", "-500 JPY"),
        (1234567, "usd", "12,345.67 USD"),
        (1, "KWD", "0.001 KWD"),
    ],
)
def test_money_is_formatted_from_minor_units(amount, currency, text):
    assert format_minor(amount, currency) == text


def test_to_major_is_exact():
    assert str(to_major(10, "USD")) == "0.10"


def test_docs_links_are_made_absolute_and_the_markdown_sources_dropped():
    markdown = "Payouts run weekly [1].\n\n**Sources**\n\n1. [Payouts](/devex/docs/payouts/#schedule)"

    assert answer_body(markdown) == "Payouts run weekly [1]."
    assert answer_body("I don't know.") == "I don't know."
    assert absolute("http://h:8000", "/devex/docs/x/#a") == "http://h:8000/devex/docs/x/#a"
    assert absolute("http://h/community", "/devex/docs/x/") == "http://h/devex/docs/x/"
    assert absolute("http://h", "https://other/x") == "https://other/x"


# --- the extension point -----------------------------------------------------------------------------------------


def test_a_new_area_plugs_in_with_one_module(monkeypatch, cli):
    apps = CommandGroup("apps", "Your marketplace apps.")

    @apps.command("list", "List your apps.", arg("--mine", action="store_true"))
    def apps_list(ctx, args):
        if ctx.json:
            ctx.print_json([{"slug": "cron-insights", "mine": args.mine}])
        else:
            ctx.print("cron-insights")
        return 0

    module = types.ModuleType("novacron_sdk.cli.commands.apps")
    module.COMMANDS = [apps]
    monkeypatch.setitem(sys.modules, "novacron_sdk.cli.commands.apps", module)
    monkeypatch.setattr(cli_main, "COMMAND_MODULES", (*cli_main.COMMAND_MODULES, "apps"))

    human = cli("apps", "list")
    as_json = cli("apps", "list", "--mine", "--json")

    assert (human.code, human.out) == (0, "cron-insights\n")
    assert as_json.out.replace(" ", "").replace("\n", "") == '[{"slug":"cron-insights","mine":true}]'


# --- independence ------------------------------------------------------------------------------------------------


def test_the_sdk_and_cli_never_import_django_or_the_project():
    project = [
        "django",
        "rest_framework",
        "novacron",
        "revenue",
        "marketplace",
        "devex",
        "certification",
        "growth",
    ]
    code = (
        "import sys, novacron_sdk, novacron_sdk.cli.main\n"
        "novacron_sdk.cli.main.build_parser()\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({project!r})))"
    )

    result = subprocess.run(  # noqa: S603 (a fixed command)
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": ""},
    )

    assert result.stdout.strip() == "[]"

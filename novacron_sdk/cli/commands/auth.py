"""login, logout, whoami."""

from __future__ import annotations

import argparse
import getpass

from novacron_sdk.cli.config import Profile
from novacron_sdk.cli.context import Context
from novacron_sdk.cli.errors import CliError, ExitCode
from novacron_sdk.cli.output import print_fields, when
from novacron_sdk.cli.registry import arg, command
from novacron_sdk.client import DEFAULT_BASE_URL, normalize_base_url
from novacron_sdk.errors import AuthenticationError, NovacronError, PermissionDeniedError


def _ask_base_url(ctx: Context, args: argparse.Namespace) -> str:
    if getattr(args, "base_url", None):
        return args.base_url
    default = ctx.env.get("NOVACRON_BASE_URL") or ctx.profile.base_url or DEFAULT_BASE_URL
    if not ctx.stdin.isatty():
        return default
    ctx.stderr.write(f"API base URL [{default}]: ")
    ctx.stderr.flush()
    return ctx.stdin.readline().strip() or default


def _ask_token(ctx: Context, args: argparse.Namespace) -> str:
    if args.token:
        return args.token.strip()
    if ctx.env.get("NOVACRON_TOKEN"):
        return ctx.env["NOVACRON_TOKEN"].strip()
    if ctx.stdin.isatty():
        ctx.stderr.write("Create a token in the portal under Account → API tokens.\n")
        return getpass.getpass("API token (input hidden): ", stream=ctx.stderr).strip()
    return ctx.stdin.readline().strip()  # piped: `pass show novacron | novacron login`


@command(
    "login",
    "Log in with a personal API token and save it to the config file.",
    arg("--token", help="the token (default: $NOVACRON_TOKEN, else a hidden prompt, else one line of stdin)"),
    examples=(
        "novacron login",
        "novacron login --base-url https://community.example.com --profile prod",
        "pass show novacron/token | novacron login --base-url https://community.example.com",
    ),
)
def login(ctx: Context, args: argparse.Namespace) -> int:
    """Log in: asks for the API base URL (default http://127.0.0.1:8000) and a personal API token, checks the
    token with GET /api/v1/accounts/me/ and saves both under the profile in the config file (mode 0600).
    A token that is valid but lacks the account scope is saved with a warning."""
    try:
        base_url = normalize_base_url(_ask_base_url(ctx, args))
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    token = _ask_token(ctx, args)
    if not token:
        raise CliError("no token given", hint="pass --token, set NOVACRON_TOKEN or type it at the prompt")
    client = ctx.client(token=token, base_url=base_url)
    me = None
    try:
        me = client.accounts.me()
    except AuthenticationError as exc:
        raise CliError(
            f"{base_url} rejected the token: {exc.message}",
            ExitCode.AUTH,
            hint="check it was copied whole (nc_…), is not expired or revoked, and belongs to this server",
        ) from exc
    except PermissionDeniedError as exc:
        ctx.warn(f"the token works but cannot read your profile ({exc.message})")
    config = ctx.config
    config.profiles[ctx.profile_name] = Profile(base_url=base_url, token=token)
    config.save()
    if ctx.json:
        ctx.print_json(
            {
                "profile": ctx.profile_name,
                "base_url": base_url,
                "config": str(config.path),
                "me": dict(me.raw) if me else None,
            }
        )
        return ExitCode.OK
    who = f"{me.email}" if me else "a token without the account scope"
    ctx.print(f"Logged in to {base_url} as {who} (profile {ctx.profile_name}).")
    ctx.print(f"Token saved to {config.path}")
    return ExitCode.OK


@command(
    "logout",
    "Forget the profile's token (and optionally revoke it on the server).",
    arg("--revoke", action="store_true", help="also revoke the token on the server (needs account:write)"),
    examples=("novacron logout", "novacron logout --revoke --profile prod"),
)
def logout(ctx: Context, args: argparse.Namespace) -> int:
    """Remove the profile's token from the config file; the base URL stays for the next login. With --revoke
    the token is first revoked on the server, so it stops working everywhere."""
    profile = ctx.profile
    revoked = False
    if args.revoke and profile.token:
        revoked = _revoke(ctx, profile.token)
    had_token = profile.token is not None
    if had_token:
        ctx.config.profiles[ctx.profile_name] = Profile(base_url=profile.base_url)
        ctx.config.save()
    if ctx.json:
        ctx.print_json({"profile": ctx.profile_name, "logged_out": had_token, "revoked": revoked})
    elif had_token:
        ctx.print(f"Logged out (profile {ctx.profile_name}){'; the token is revoked' if revoked else ''}.")
    else:
        ctx.print(f"Not logged in (profile {ctx.profile_name}): nothing to do.")
    if ctx.env.get("NOVACRON_TOKEN"):
        ctx.warn("NOVACRON_TOKEN is still set in your environment and is used instead of the config file")
    return ExitCode.OK


def _revoke(ctx: Context, token: str) -> bool:
    parts = token.split("_")
    if len(parts) < 3 or parts[0] != "nc":
        ctx.warn("the token does not look like nc_<prefix>_<secret>; not revoked")
        return False
    client = ctx.client(token=token, base_url=ctx.profile.base_url or ctx.base_url)
    try:
        for item in client.accounts.tokens():
            if item.prefix == parts[1]:
                client.accounts.revoke_token(item.public_id)
                return True
        ctx.warn("the token was not found on the server; not revoked")
    except NovacronError as exc:
        ctx.warn(f"could not revoke the token on the server: {exc}")
    return False


@command("whoami", "Show who the token belongs to.", examples=("novacron whoami", "novacron whoami --json"))
def whoami(ctx: Context, args: argparse.Namespace) -> int:
    """Show the account the current profile's token belongs to (GET /api/v1/accounts/me/)."""
    client = ctx.client()
    me = client.accounts.me()
    if ctx.json:
        ctx.print_json(dict(me.raw))
        return ExitCode.OK
    print_fields(
        [
            ("Email", me.email),
            ("Name", me.display_name or "-"),
            ("User id", me.public_id),
            ("Roles", ", ".join(me.roles) or "-"),
            ("Time zone", me.timezone),
            ("Language", me.preferred_language),
            ("MFA", "on" if me.mfa_enabled else "off"),
            ("Joined", when(me.date_joined)),
            ("Server", client.base_url),
            ("Profile", ctx.profile_name),
        ],
        ctx.stdout,
    )
    return ExitCode.OK


COMMANDS = [login, logout, whoami]

"""Exit codes and how SDK errors become messages and exit codes."""

from __future__ import annotations

from enum import IntEnum

from novacron_sdk.errors import (
    ApiError,
    AuthenticationError,
    NetworkError,
    NotFoundError,
    NovacronError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
)


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1
    """Usage error, invalid input (400/409/422/429), a local problem, anything not listed below."""
    AUTH = 2
    """Not logged in, token rejected (401), or not allowed (403: missing scope or role)."""
    NOT_ANSWERED = 3
    """`docs ask`: the assistant said it does not know."""
    NOT_FOUND = 4
    """404: no such object, or not yours to see."""
    SERVER = 5
    """The server failed (5xx, a degraded /health/) or could not be reached (network error, timeout)."""
    INTERRUPTED = 130


class CliError(Exception):
    """A problem the CLI explains itself (not logged in, bad config file, ...)."""

    def __init__(self, message: str, exit_code: ExitCode = ExitCode.ERROR, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.hint = hint


class UsageError(CliError):
    pass


def exit_code_for(exc: BaseException) -> ExitCode:
    if isinstance(exc, CliError):
        return exc.exit_code
    if isinstance(exc, AuthenticationError | PermissionDeniedError):
        return ExitCode.AUTH
    if isinstance(exc, NotFoundError):
        return ExitCode.NOT_FOUND
    if isinstance(exc, ServerError | NetworkError):
        return ExitCode.SERVER
    return ExitCode.ERROR


def describe(exc: NovacronError | CliError, *, profile: str = "default") -> list[str]:
    """The lines to print on stderr for an error: the message, one line per invalid field, a hint, the
    request id to quote in a bug report."""
    if isinstance(exc, CliError):
        lines = [f"error: {exc.message}"]
        if exc.hint:
            lines.append(f"hint: {exc.hint}")
        return lines
    if isinstance(exc, NetworkError):
        return [
            f"error: {exc}",
            "hint: check the server address (--base-url, $NOVACRON_BASE_URL or the profile's) and that it is up",
        ]
    if not isinstance(exc, ApiError):
        return [f"error: {exc}"]
    lines = [f"error: {exc.message} ({exc.status} {exc.code})"]
    for field, messages in exc.fields.items():
        label = "(general)" if field == "non_field_errors" else field
        lines.extend(f"  {label}: {message}" for message in messages)
    login = "novacron login" if profile == "default" else f"novacron login --profile {profile}"
    if isinstance(exc, AuthenticationError):
        lines.append(f"hint: your token is missing, invalid, expired or revoked: run `{login}`")
    elif isinstance(exc, PermissionDeniedError) and "scope" in exc.message:
        lines.append(
            "hint: create a token with that scope (portal: Account → API tokens, or `novacron tokens create`) "
            f"and run `{login}` with it"
        )
    elif isinstance(exc, RateLimitError) and exc.retry_after:
        lines.append(f"hint: rate limited; try again in {exc.retry_after:.0f} s")
    if exc.request_id:
        lines.append(f"request id: {exc.request_id}")
    return lines

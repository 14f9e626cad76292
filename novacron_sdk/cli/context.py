"""What a command handler gets: the parsed options, the config file, the selected profile, the SDK client,
and where to print."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from functools import cached_property
from typing import Any, TextIO

from novacron_sdk.cli.config import Config, Profile, check_profile_name, config_path
from novacron_sdk.cli.errors import CliError, ExitCode
from novacron_sdk.cli.output import print_json
from novacron_sdk.client import DEFAULT_BASE_URL, NovacronClient, normalize_base_url


class Context:
    def __init__(
        self,
        args: argparse.Namespace,
        *,
        env: Mapping[str, str],
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
    ) -> None:
        self.args = args
        self.env = env
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        self._clients: list[NovacronClient] = []

    # --- options ----------------------------------------------------------------------------------------------

    @property
    def json(self) -> bool:
        return bool(getattr(self.args, "json", False))

    @cached_property
    def profile_name(self) -> str:
        name = getattr(self.args, "profile", None) or self.env.get("NOVACRON_PROFILE") or "default"
        return check_profile_name(name)

    @cached_property
    def config(self) -> Config:
        config = Config.load(config_path(self.env))
        if config.world_readable:
            self.warn(f"{config.path} can be read by other users; run: chmod 600 {config.path}")
        return config

    @property
    def profile(self) -> Profile:
        return self.config.profile(self.profile_name)

    @property
    def base_url(self) -> str:
        """--base-url, else $NOVACRON_BASE_URL, else the profile's, else the default."""
        url = (
            getattr(self.args, "base_url", None)
            or self.env.get("NOVACRON_BASE_URL")
            or self.profile.base_url
            or DEFAULT_BASE_URL
        )
        try:
            return normalize_base_url(url)
        except ValueError as exc:
            raise CliError(str(exc)) from exc

    @property
    def token(self) -> str | None:
        """$NOVACRON_TOKEN, else the profile's."""
        return self.env.get("NOVACRON_TOKEN") or self.profile.token

    def login_command(self) -> str:
        return (
            "novacron login"
            if self.profile_name == "default"
            else f"novacron login --profile {self.profile_name}"
        )

    # --- the SDK ----------------------------------------------------------------------------------------------

    def client(
        self, *, token: str | None = None, require_token: bool = True, base_url: str | None = None
    ) -> NovacronClient:
        token = token or self.token
        if require_token and not token:
            raise CliError(
                f"not logged in (profile {self.profile_name})",
                ExitCode.AUTH,
                hint=f"run `{self.login_command()}`, or set NOVACRON_TOKEN",
            )
        timeout = getattr(self.args, "timeout", None) or 30.0
        client = NovacronClient(base_url or self.base_url, token, timeout=timeout)
        self._clients.append(client)
        return client

    def close(self) -> None:
        for client in self._clients:
            client.close()

    # --- output -----------------------------------------------------------------------------------------------

    def print(self, text: str = "") -> None:
        self.stdout.write(text + "\n")

    def print_json(self, data: Any) -> None:
        print_json(data, self.stdout)

    def warn(self, text: str) -> None:
        self.stderr.write(f"warning: {text}\n")

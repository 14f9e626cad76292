"""Fixtures of the SDK and CLI tests: a real user with a personal API token (made through the ORM), an SDK
client pointed at pytest-django's live server, and `cli`, which runs `novacron` in-process with its own
config folder and captured output."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from novacron.accounts.models import ApiToken, User
from novacron.accounts.tokens import generate_token, hash_secret
from novacron_sdk import NovacronClient
from novacron_sdk.cli.main import main
from tests.factories import UserFactory


def make_token(user: User, scopes: list[str], name: str = "sdk tests") -> str:
    """Store a personal API token for `user` and return its raw secret."""
    prefix, raw = generate_token()
    ApiToken.objects.create(user=user, name=name, prefix=prefix, token_hash=hash_secret(raw), scopes=scopes)
    return raw


@dataclass
class Account:
    user: User
    token: str


@pytest.fixture
def account(transactional_db) -> Account:
    user = UserFactory(email="ada@example.com", display_name="Ada Lovelace")
    return Account(user, make_token(user, ["read", "write"]))


@pytest.fixture
def sdk(live_server, account) -> Iterator[NovacronClient]:
    with NovacronClient(live_server.url, account.token, max_retries=0) as client:
        yield client


@dataclass
class Result:
    code: int
    out: str
    err: str


@dataclass
class Cli:
    home: Path
    env: dict[str, str]

    @property
    def config_file(self) -> Path:
        return self.home / "xdg" / "novacron" / "config.toml"

    def __call__(self, *argv: str, stdin: str = "", env: dict[str, str] | None = None) -> Result:
        out, err = io.StringIO(), io.StringIO()
        code = main(
            list(argv), env={**self.env, **(env or {})}, stdin=io.StringIO(stdin), stdout=out, stderr=err
        )
        return Result(code, out.getvalue(), err.getvalue())


@pytest.fixture
def cli(tmp_path) -> Cli:
    """`cli("whoami", "--json")` → Result(code, out, err); config under tmp_path (XDG_CONFIG_HOME)."""
    return Cli(tmp_path, {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "xdg")})


@pytest.fixture
def logged_in(cli, live_server, account) -> Callable[..., Result]:
    result = cli("login", "--base-url", live_server.url, "--token", account.token)
    assert result.code == 0, result.err
    return cli

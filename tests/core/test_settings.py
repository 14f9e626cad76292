"""Production settings, checked in a fresh interpreter (settings are read once, at import)."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

# Variables that change the mode; the tests set what they need and drop the rest of the caller's choice.
MODE_VARIABLES = (
    "NOVACRON_ENV",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
)


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in MODE_VARIABLES}
    environment.update(env)
    return subprocess.run(  # noqa: S603 - fixed argv, our own interpreter and manage.py
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_mode_passes_check_deploy_without_warnings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        NOVACRON_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="community.novacron.example",
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in output


@pytest.mark.parametrize("debug", [None, "true"])
def test_production_mode_refuses_to_start_without_a_secret_key(debug):
    env = {"NOVACRON_ENV": "production", "ALLOWED_HOSTS": "community.novacron.example"}
    if debug:
        env["DEBUG"] = debug  # switching DEBUG on must not bring back the public development key

    result = manage("check", **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured: Set the SECRET_KEY environment variable" in result.stderr


def test_development_mode_starts_without_a_secret_key():
    result = manage("check", NOVACRON_ENV="development")

    assert result.returncode == 0, result.stderr

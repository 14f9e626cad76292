"""Registry behind `manage.py seed_demo`: each installed app may ship a `demo.py` with
`seed(out) -> list[str]` that creates its demo data idempotently and returns lines to print at the end.
Apps run in INSTALLED_APPS order, which follows the layer order (lower apps first)."""

import os
from collections.abc import Callable
from importlib import import_module
from importlib.util import find_spec
from typing import TextIO

from django.apps import apps

Seeder = Callable[[TextIO], list[str]]

DEMO_PASSWORD = "novacron-demo-2026"  # noqa: S105 (published demo credentials, development only)


def portal_url(path: str = "/") -> str:
    """Where `make run` serves the portal: its PORT (passed to seed_demo in the environment), default 8000."""
    port = os.environ.get("PORT", "").strip()
    return f"http://127.0.0.1:{port if port.isdigit() else '8000'}{path}"


def seeders() -> list[tuple[str, Seeder]]:
    found = []
    for config in apps.get_app_configs():
        module_name = f"{config.name}.demo"
        if config.name != "novacron.core" and find_spec(module_name) is not None:
            found.append((config.label, import_module(module_name).seed))
    return found

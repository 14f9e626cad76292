"""The CLI's configuration file: profiles with a base URL and an API token.

Location: $NOVACRON_CONFIG if set, else $XDG_CONFIG_HOME/novacron/config.toml, else
~/.config/novacron/config.toml. The file holds secrets: it is written atomically with mode 0600 (its folder
0700), and a file others can read is reported.

    # written by `novacron login`
    [profiles.default]
    base_url = "http://127.0.0.1:8000"
    token = "nc_…"
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from novacron_sdk.cli.errors import CliError

PROFILE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_KEYS = ("base_url", "token")
_HEADER = (
    "# NovaCron CLI configuration, written by `novacron login`.\n"
    "# It holds API tokens: keep it private (mode 0600). One [profiles.NAME] table per profile.\n"
)


def config_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get("NOVACRON_CONFIG"):
        return Path(env["NOVACRON_CONFIG"]).expanduser()
    xdg = env.get("XDG_CONFIG_HOME", "")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".config"  # the XDG spec ignores
    return base / "novacron" / "config.toml"  # a relative XDG_CONFIG_HOME


def check_profile_name(name: str) -> str:
    if not PROFILE_NAME.match(name):
        raise CliError(f"invalid profile name {name!r}: use letters, digits, '-' and '_' (at most 64)")
    return name


@dataclass
class Profile:
    base_url: str | None = None
    token: str | None = None


@dataclass
class Config:
    path: Path
    profiles: dict[str, Profile] = field(default_factory=dict)
    world_readable: bool = False

    @classmethod
    def load(cls, path: Path) -> Config:
        try:
            text = path.read_text(encoding="utf-8")
            mode = path.stat().st_mode
        except FileNotFoundError:
            return cls(path)
        except OSError as exc:
            raise CliError(f"cannot read the config file {path}: {exc.strerror}") from exc
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise CliError(
                f"the config file {path} is not valid TOML: {exc}",
                hint="fix or delete it, then run `novacron login`",
            ) from exc
        profiles: dict[str, Profile] = {}
        for name, values in (data.get("profiles") or {}).items():
            if isinstance(values, dict):
                profiles[name] = Profile(
                    **{key: str(values[key]) for key in _KEYS if isinstance(values.get(key), str)}
                )
        return cls(path, profiles, world_readable=bool(mode & (stat.S_IRWXG | stat.S_IRWXO)))

    def profile(self, name: str) -> Profile:
        return self.profiles.get(name) or Profile()

    def save(self) -> None:
        """Write atomically (a temporary file in the same folder, then rename), readable by the owner only."""
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(prefix=".config-", suffix=".toml", dir=self.path.parent)
        try:
            os.fchmod(descriptor, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(self.dumps())
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.world_readable = False

    def dumps(self) -> str:
        parts = [_HEADER]
        for name in sorted(self.profiles):
            profile = self.profiles[name]
            lines = [f"[profiles.{check_profile_name(name)}]"]
            lines += [
                f"{key} = {toml_string(value)}"
                for key in _KEYS
                if (value := getattr(profile, key)) is not None
            ]
            parts.append("\n".join(lines) + "\n")
        return "\n".join(parts)


def toml_string(value: str) -> str:
    """A TOML basic string."""
    escaped = []
    for char in value:
        if char in {'"', "\\"}:
            escaped.append("\\" + char)
        elif char == "\n":
            escaped.append("\\n")
        elif char == "\t":
            escaped.append("\\t")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            escaped.append(f"\\u{ord(char):04x}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'

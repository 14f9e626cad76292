"""Load drivers: wrk (preferred) and locust headless (fallback). Each runs one endpoint for a fixed time
against a 127.0.0.1 URL and returns a `LoadResult`."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
WRK_INSTALL_HINT = (
    "wrk is not installed. Install it with `apt-get install -y wrk` (Debian/Ubuntu, run `apt-get update` "
    "first) or `brew install wrk` (macOS); meanwhile the bench falls back to locust (slower: expect lower "
    "ceilings for fast endpoints, ratios stay comparable only within one run)."
)


@dataclass
class LoadResult:
    tool: str
    requests: int
    duration_s: float
    latency_ms: dict[str, float]  # p50, p95, p99, mean, max
    errors: dict[str, int] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "rps": round(self.rps, 1), "error_count": self.error_count}


def check_loopback(url: str) -> None:
    host = urlsplit(url).hostname
    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise ValueError(f"bench/http only sends load to loopback addresses, not {host!r}")


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def locust_executable() -> str | None:
    """The venv's locust first (it is a dev dependency), then one on PATH."""
    return shutil.which("locust", path=str(Path(sys.executable).parent)) or shutil.which("locust")


def run_wrk(
    url: str,
    *,
    headers: dict[str, str],
    expect_status: int,
    duration: int,
    connections: int,
    threads: int,
    timeout: int,
) -> LoadResult:
    check_loopback(url)
    command = ["wrk", f"--threads={min(threads, connections)}", f"--connections={connections}"]
    command += [f"--duration={duration}s", f"--timeout={timeout}s", "--script", str(HERE / "report.lua")]
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    command += [url, "--", str(expect_status)]
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=duration + timeout + 30, check=False
    )
    line = next((ln for ln in completed.stdout.splitlines() if ln.startswith("BENCH_RESULT ")), None)
    if completed.returncode != 0 or line is None:
        raise RuntimeError(
            f"wrk failed (exit {completed.returncode}): {completed.stderr.strip() or completed.stdout}"
        )
    data = json.loads(line.removeprefix("BENCH_RESULT "))
    lat = data["latency_us"]
    errors = data["errors"]
    return LoadResult(
        tool="wrk",
        requests=data["requests"],
        duration_s=data["duration_us"] / 1e6,
        latency_ms={k: round(lat[k] / 1000, 2) for k in ("p50", "p95", "p99", "mean", "max")},
        # wrk's own "status" count (>= 400) is a subset of unexpected_status, so it is left out of the sum.
        errors={
            "connect": errors["connect"],
            "read": errors["read"],
            "write": errors["write"],
            "timeout": errors["timeout"],
            "unexpected_status": errors["unexpected_status"],
        },
    )


def run_locust(
    url: str,
    *,
    headers: dict[str, str],
    expect_status: int,
    duration: int,
    connections: int,
    threads: int,  # unused: locust runs one process
    timeout: int,
) -> LoadResult:
    check_loopback(url)
    parts = urlsplit(url)
    host = f"{parts.scheme}://{parts.netloc}"
    env = {
        **os.environ,
        "BENCH_PATH": parts.path or "/",
        "BENCH_HEADERS": json.dumps(headers),
        "BENCH_EXPECT_STATUS": str(expect_status),
    }
    locust = locust_executable() or "locust"
    with tempfile.TemporaryDirectory(prefix="bench-locust-") as tmp:
        prefix = str(Path(tmp) / "run")
        command = [
            locust, "-f", str(HERE / "locustfile.py"), "--headless", "--only-summary",
            f"--users={connections}", f"--spawn-rate={connections}", f"--run-time={duration}s",
            f"--host={host}", f"--csv={prefix}", "--loglevel=WARNING", "--stop-timeout=5",
            "--exit-code-on-error=0",
        ]  # fmt: skip
        completed = subprocess.run(
            command, capture_output=True, text=True, env=env, timeout=duration + timeout + 60, check=False
        )
        stats = Path(f"{prefix}_stats.csv")
        if completed.returncode != 0 or not stats.exists():
            raise RuntimeError(f"locust failed (exit {completed.returncode}): {completed.stderr[-2000:]}")
        with stats.open(newline="") as handle:
            row = next(r for r in csv.DictReader(handle) if r["Name"] == "Aggregated")
    requests = int(row["Request Count"])
    rps = _number(row["Requests/s"])
    return LoadResult(
        tool="locust",
        requests=requests,
        duration_s=requests / rps if rps else float(duration),
        latency_ms={
            "p50": _number(row["50%"]),
            "p95": _number(row["95%"]),
            "p99": _number(row["99%"]),
            "mean": round(_number(row["Average Response Time"]), 2),
            "max": _number(row["Max Response Time"]),
        },
        errors={"failed": int(row["Failure Count"])},
    )


def _number(text: str) -> float:
    """Locust writes N/A where nothing was measured (no request finished)."""
    try:
        return float(text)
    except ValueError:
        return 0.0

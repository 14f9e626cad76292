"""`python -m bench [NAME ...]`: run every benchmark under bench/ (or the named ones), one process each.

A benchmark is any subpackage of `bench` with a `__main__.py`; adding `bench/ledger/__main__.py` is all it takes
to be picked up. Each runs as `python -m bench.<name>` with its default options (run one directly to pass
options), so Django settings and databases never leak from one benchmark into the next.
"""

from __future__ import annotations

import argparse
import pkgutil
import signal
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent


def available() -> list[str]:
    return sorted(
        info.name
        for info in pkgutil.iter_modules([str(BENCH_DIR)])
        if info.ispkg and (BENCH_DIR / info.name / "__main__.py").exists()
    )


class Interrupted(Exception):
    """SIGTERM or Ctrl-C: stop the running benchmark cleanly and run no more."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise Interrupted


def _run(name: str, *, timeout: int) -> int:
    process = subprocess.Popen([sys.executable, "-m", f"bench.{name}"], cwd=BENCH_DIR.parent)
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f"bench.{name} did not finish within {timeout} s; stopping it", flush=True)
        _stop(process)
        return 124
    except (Interrupted, KeyboardInterrupt):
        print(f"interrupted; stopping bench.{name}", flush=True)
        _stop(process)
        raise Interrupted from None


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()  # SIGTERM lets the benchmark stop the servers it started
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def main(argv: list[str] | None = None) -> int:
    names = available()
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "names", nargs="*", metavar="NAME", help=f"benchmarks to run (default: all of {names})"
    )
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument(
        "--timeout",
        type=int,
        default=3600,
        help="seconds after which one benchmark is stopped (default 3600)",
    )
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(names))
        return 0
    unknown = sorted(set(args.names) - set(names))
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; available: {names}")
    selected = args.names or names

    signal.signal(signal.SIGTERM, _on_sigterm)
    outcomes: list[tuple[str, int, float]] = []
    for name in selected:
        print(f"\n=== bench.{name}", flush=True)
        started = time.monotonic()
        try:
            code = _run(name, timeout=args.timeout)
        except Interrupted:
            outcomes.append((name, 130, time.monotonic() - started))
            break
        outcomes.append((name, code, time.monotonic() - started))

    print("\n=== summary")
    for name, code, seconds in outcomes:
        print(f"{name:<16} {'ok' if code == 0 else f'failed (exit {code})':<18} {seconds:7.1f} s")
    return 0 if all(code == 0 for _, code, _ in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())

"""`python -m bench.http`: throughput and latency of the registered endpoints under gunicorn.

Steps: drop and create the bench PostgreSQL database, migrate, seed the bench user and API token, start
gunicorn in production mode on a free 127.0.0.1 port, check each endpoint answers its expected status once,
then per endpoint a warm-up and a fixed-duration wrk run. Prints a table, writes bench/results/http-*.json.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import statistics
import subprocess
import sys
import traceback
from typing import Any

from bench.common import (
    DEFAULT_DATABASE_URL,
    PROJECT_DIR,
    RESULTS_DIR,
    BenchError,
    database_name,
    format_table,
    load_average,
    machine_info,
    recreate_database,
    utc_now,
    write_results,
)
from bench.http.load import (
    WRK_INSTALL_HINT,
    LoadResult,
    locust_executable,
    run_locust,
    run_wrk,
    wrk_available,
)
from bench.http.server import GunicornServer

# A throttle that never trips: the throttle code still runs (and costs what it costs) but a load test is
# not an abuser. Per-user default in production is THROTTLE_USER=1200/min.
UNTHROTTLED = "100000000/s"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.http", description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="threads per worker; >1 uses the gthread worker (default 1: sync)",
    )
    parser.add_argument("--duration", type=int, default=10, help="measured seconds per endpoint (default 10)")
    parser.add_argument(
        "--warmup",
        type=int,
        default=2,
        help="unmeasured seconds per endpoint before its first run (default 2)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="measure every endpoint this many times, interleaved; the median is reported (default 1)",
    )
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections (default 8)")
    parser.add_argument("--load-threads", type=int, default=1, help="wrk threads (default 1)")
    parser.add_argument("--timeout", type=int, default=5, help="seconds before a request counts as timed out")
    parser.add_argument(
        "--tool",
        choices=["auto", "wrk", "locust"],
        default="auto",
        help="load driver (default: wrk, else locust)",
    )
    parser.add_argument(
        "--only", nargs="+", metavar="NAME", help="measure only these endpoints (and the baseline)"
    )
    parser.add_argument("--list", action="store_true", help="list the registered endpoints and exit")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="PostgreSQL database to DROP and create (name must contain 'bench'; env BENCH_DATABASE_URL)",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", ""),
        help="give the server REDIS_URL (cache, broker check in /health/); default none (env BENCH_REDIS_URL)",
    )
    args = parser.parse_args(argv)
    for name in ("workers", "threads", "duration", "rounds", "connections", "load_threads", "timeout"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.warmup < 0:
        parser.error("--warmup cannot be negative")
    if args.duration > 600 or args.warmup > 60 or args.rounds > 20:
        parser.error("--duration is capped at 600 s, --warmup at 60 s and --rounds at 20")
    return args


def server_environment(args: argparse.Namespace) -> dict[str, str]:
    """Production settings (JSON logs, security middleware, manifest static storage) minus the SSL redirect,
    since the bench speaks plain HTTP on loopback."""
    env = {key: value for key, value in os.environ.items() if key not in {"EMAIL_URL", "SENTRY_DSN"}}
    env.update(
        DJANGO_SETTINGS_MODULE="novacron.settings",
        NOVACRON_ENV="production",
        DEBUG="False",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="False",
        DATABASE_URL=args.database_url,
        REDIS_URL=args.redis_url,
        LOG_LEVEL="WARNING",
        THROTTLE_USER=UNTHROTTLED,
        THROTTLE_ANON=UNTHROTTLED,
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def collect_static(env: dict[str, str]) -> None:
    """Production's manifest static storage needs collected files (a deployment's `collectstatic`), or every
    page that renders a template answers 500."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=PROJECT_DIR,
        env=env,
        check=True,
        timeout=300,
    )


def prepare_database(args: argparse.Namespace, env: dict[str, str]) -> tuple[list[Any], dict[str, str]]:
    """Create, migrate and seed the database in this process; return the endpoints and the seed values."""
    recreate_database(args.database_url)
    os.environ.update(env)  # before django.setup(): this process uses the same settings as the server
    sys.path.insert(0, str(PROJECT_DIR))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from bench.http.seed import seed
    from novacron.core.bench import discover

    try:
        call_command("migrate", interactive=False, verbosity=0)
    except Exception as exc:  # a broken migration is the project's bug, not the bench's: say so plainly
        traceback.print_exc()
        raise BenchError(f"`migrate` failed on {database_name(args.database_url)!r}: {exc}") from exc
    endpoints = discover()  # first: importing the apps' bench.py registers their seed functions
    values = seed()
    connections.close_all()
    return endpoints, values


def choose_driver(tool: str):
    if tool in {"auto", "wrk"} and wrk_available():
        return "wrk", run_wrk
    if tool == "wrk":
        raise BenchError(WRK_INSTALL_HINT.split(";")[0] + ".")
    if locust_executable() is None:
        raise BenchError("neither wrk nor locust is available. " + WRK_INSTALL_HINT.split(";")[0] + ".")
    if tool == "auto":
        print(WRK_INSTALL_HINT, file=sys.stderr)
    return "locust", run_locust


def measure(args: argparse.Namespace) -> int:
    tool, driver = choose_driver(args.tool)
    env = server_environment(args)
    endpoints, values = prepare_database(args, env)
    collect_static(env)
    if args.only:
        unknown = set(args.only) - {e.name for e in endpoints}
        if unknown:
            raise BenchError(
                f"unknown endpoint(s) {sorted(unknown)}; registered: {[e.name for e in endpoints]}"
            )
        endpoints = [e for e in endpoints if e.baseline or e.name in args.only]

    server = GunicornServer(
        env=env, workers=args.workers, threads=args.threads, log_path=RESULTS_DIR / "http-gunicorn.log"
    )
    started_at = utc_now()
    machine = machine_info()  # before the load, so its load average shows what else was running
    if (machine["load_average_1m"] or 0) > 0.5 * (machine["cpus"] or 1):
        print(
            f"warning: load average {machine['load_average_1m']} before the run; other work on this machine "
            "lowers the figures (ratios to hello suffer less)",
            file=sys.stderr,
        )
    print(
        f"gunicorn: {args.workers} {server.worker_class} worker(s) x {args.threads} thread(s) on {server.base_url}; "
        f"{tool}: {args.connections} connection(s), {args.warmup} s warm-up, then {args.rounds} x {args.duration} s per endpoint",
        flush=True,
    )
    try:
        server.start()
        rows = run_all(endpoints, server, driver, args, values)
    finally:
        server.stop()
    machine["load_average_1m_after"] = load_average()

    baseline = next((r for r in rows if r["baseline"] and r["status"] == "ok"), None)
    payload = {
        "benchmark": "http",
        "started_at": started_at.isoformat(),
        "finished_at": utc_now().isoformat(),
        "command": "python -m bench.http " + " ".join(sys.argv[1:]),
        "machine": machine,
        "config": {
            "tool": tool,
            "gunicorn_workers": args.workers,
            "gunicorn_threads": args.threads,
            "gunicorn_worker_class": server.worker_class,
            "connections": args.connections,
            "load_threads": args.load_threads,
            "warmup_s": args.warmup,
            "duration_s": args.duration,
            "rounds": args.rounds,
            "request_timeout_s": args.timeout,
            "settings": "NOVACRON_ENV=production, SECURE_SSL_REDIRECT=False, LOG_LEVEL=WARNING, "
            f"REDIS_URL={'set' if args.redis_url else 'unset'}, throttles raised to {UNTHROTTLED}",
        },
        "baseline": baseline["name"] if baseline else None,
        "results": rows,
    }
    path = write_results("http", payload, suffix=f"-w{args.workers}")
    print()
    print(render_table(rows))
    print(f"\nRatios are throughput relative to {payload['baseline'] or 'the baseline'} in this same run.")
    print(
        f"Results: {path.relative_to(PROJECT_DIR)}   gunicorn log: {server.log_path.relative_to(PROJECT_DIR)}"
    )
    failed = [r["name"] for r in rows if r["status"] != "ok" or r["error_count"]]
    if failed:
        print(f"Not clean: {', '.join(failed)} (see the note column)")
        return 1
    return 0


def run_all(endpoints, server: GunicornServer, driver, args: argparse.Namespace, values: dict[str, str]):
    """Preflight every endpoint, then measure them in interleaved rounds (hello, health, ..., hello, health,
    ...): each round's ratios compare runs a few seconds apart, which keeps them steady on a shared machine."""
    rows: dict[str, dict[str, Any]] = {}
    ready: list[tuple[Any, str, dict[str, str]]] = []
    for endpoint in endpoints:
        try:
            path = endpoint.path.format(**values)
        except KeyError as exc:
            rows[endpoint.name] = _row(
                endpoint, endpoint.path, status="skipped", note=f"no seed value for {exc}"
            )
            continue
        headers = dict(endpoint.headers)
        if endpoint.needs_auth:
            headers["Authorization"] = f"Bearer {values['token']}"
        status, body = server.get(path, headers)
        if status != endpoint.expect_status:
            note = f"preflight got HTTP {status or 'no answer'}, expected {endpoint.expect_status}"
            print(f"  {endpoint.name:<16} skipped: {note}: {body[:120]!r}", flush=True)
            rows[endpoint.name] = _row(endpoint, path, status="skipped", note=note)
            continue
        rows[endpoint.name] = _row(endpoint, path, status="ok")
        ready.append((endpoint, path, headers))

    results: dict[str, list[LoadResult]] = {endpoint.name: [] for endpoint, _, _ in ready}
    for round_number in range(1, args.rounds + 1):
        for endpoint, path, headers in ready:
            row = rows[endpoint.name]
            if row["status"] != "ok":
                continue
            options = {
                "headers": headers,
                "expect_status": endpoint.expect_status,
                "connections": args.connections,
                "threads": args.load_threads,
                "timeout": args.timeout,
            }
            label = f"[{round_number}/{args.rounds}] " if args.rounds > 1 else ""
            print(f"  {label}{endpoint.name:<16} {path} ...", end="", flush=True)
            try:
                if args.warmup and round_number == 1:
                    driver(server.base_url + path, duration=args.warmup, **options)
                result: LoadResult = driver(server.base_url + path, duration=args.duration, **options)
            except (RuntimeError, OSError) as exc:
                print(" failed", flush=True)
                row.update(status="failed", note=str(exc)[:300])
                continue
            print(
                f" {result.rps:,.0f} req/s, p99 {result.latency_ms['p99']} ms, {result.error_count} errors",
                flush=True,
            )
            results[endpoint.name].append(result)

    baseline = next((e.name for e, _, _ in ready if e.baseline), None)
    for endpoint, _, _ in ready:
        row, runs = rows[endpoint.name], results[endpoint.name]
        if row["status"] != "ok" or not runs:
            continue
        _fill(row, runs)
        base_runs = results.get(baseline, []) if baseline else []
        if baseline and len(base_runs) == len(runs) and rows[baseline]["status"] == "ok":
            # Median of the per-round ratios: each compares runs measured close together.
            row["ratio_to_baseline"] = round(
                statistics.median(r.rps / b.rps for r, b in zip(runs, base_runs, strict=True) if b.rps), 3
            )
    return [rows[endpoint.name] for endpoint in endpoints]


def _fill(row: dict[str, Any], runs: list[LoadResult]) -> None:
    """The row shows the run with the median throughput; every round's throughput is kept in `rounds_rps`."""
    median_run = sorted(runs, key=lambda r: r.rps)[(len(runs) - 1) // 2]
    errors: dict[str, int] = {}
    for run in runs:
        for key, count in run.errors.items():
            errors[key] = errors.get(key, 0) + count
    error_count = sum(errors.values())
    row.update(
        rps=round(median_run.rps, 1),
        rounds_rps=[round(r.rps, 1) for r in runs],
        requests=sum(r.requests for r in runs),
        duration_s=round(sum(r.duration_s for r in runs), 2),
        latency_ms=median_run.latency_ms,
        errors=errors,
        error_count=error_count,
        note=f"{error_count} errors: {errors}" if error_count else "",
    )


def _row(endpoint, path: str, *, status: str, note: str = "") -> dict[str, Any]:
    return {
        "name": endpoint.name,
        "path": path,  # the token is a header, so it never goes into results
        "needs_auth": endpoint.needs_auth,
        "baseline": endpoint.baseline,
        "description": endpoint.description,
        "status": status,
        "note": note,
        "rps": None,
        "latency_ms": None,
        "errors": None,
        "error_count": 0,
        "ratio_to_baseline": None,
    }


def render_table(rows: list[dict[str, Any]]) -> str:
    def ms(row: dict[str, Any], key: str) -> str:
        return f"{row['latency_ms'][key]:.2f}" if row["latency_ms"] else "-"

    table = [
        [
            row["name"],
            row["path"],
            f"{row['rps']:.0f}" if row["rps"] is not None else "-",
            ms(row, "p50"),
            ms(row, "p95"),
            ms(row, "p99"),
            row["error_count"] if row["status"] == "ok" else "-",
            f"{row['ratio_to_baseline']:.2f}" if row["ratio_to_baseline"] is not None else "-",
            row["note"],
        ]
        for row in rows
    ]
    headers = ["endpoint", "path", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "x hello", "note"]
    return format_table(headers, table)


def list_endpoints() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "novacron.settings")
    sys.path.insert(0, str(PROJECT_DIR))
    import django

    django.setup()
    from novacron.core.bench import discover

    for endpoint in discover():
        flags = " (baseline)" if endpoint.baseline else (" (Bearer token)" if endpoint.needs_auth else "")
        print(f"{endpoint.name:<16} {endpoint.path}{flags}  {endpoint.description}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.list:
        return list_endpoints()

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)  # unwinds through `finally`, which stops gunicorn

    signal.signal(signal.SIGTERM, stop)
    try:
        return measure(args)
    except BenchError as exc:
        print(f"bench.http: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nbench.http: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

"""`python -m bench.tickets`: ticket checkouts per second and their p95 with 200 concurrent buyers for a
10,000-seat conference, and check-ins per second, beside bench/http's `hello` measured in the same run.

Steps: drop and create the bench database (name must contain "bench"), migrate, seed a 10,000-seat conference
(one quota, one ticket type), 200 buyers and a door-staff user with API tokens, and a second event with 20,000
issued tickets to scan. Start gunicorn in production mode (bench/http's server and settings). Then three phases
of --duration seconds each (a request counts when it completes inside the window), all driven by the same Python HTTP client (one keep-alive connection per thread), so
the ratios compare like with like:

1. hello: --buyers threads GET /hello/ (the baseline of every ratio);
2. checkouts: --buyers threads each buy one ticket after another — POST /api/v1/growth/holds/ (locks the quota)
   then POST /api/v1/growth/checkout/ (revenue checkout, local test gateway, tickets issued); the latency of a
   checkout is both requests, and with more buyers than server workers it is mostly time spent queueing;
3. check-ins: --scanners threads POST /api/v1/growth/events/<slug>/check-in/ with distinct badge codes.

Afterwards the database is checked: the quota's `used` equals the tickets sold, and never exceeds its size.
Prints a table and writes bench/results/tickets-*.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import threading
import time
import traceback
from collections import Counter
from typing import Any

from bench.common import (
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
from bench.http.cli import server_environment
from bench.http.server import GunicornServer

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/novacron_bench_tickets"
SEATS = 10_000
DOOR_TICKETS = 20_000
CARD = "4242424242424242"
EVENT_SLUG = "bench-summit"
DOOR_SLUG = "bench-door"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.tickets", description=__doc__.split("\n\n")[0])
    parser.add_argument("--buyers", type=int, default=200, help="concurrent buyers (default 200)")
    parser.add_argument("--scanners", type=int, default=16, help="concurrent check-in scanners (default 16)")
    parser.add_argument("--duration", type=int, default=20, help="measured seconds per phase (default 20)")
    parser.add_argument(
        "--warmup", type=int, default=3, help="unmeasured seconds before each phase (default 3)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per gunicorn worker (default 1: sync)"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_TICKETS_DATABASE_URL", DEFAULT_URL),
        help="PostgreSQL database to DROP and create (name must contain 'bench')",
    )
    args = parser.parse_args(argv)
    args.redis_url = ""
    for name in ("buyers", "scanners", "duration", "workers", "threads"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if args.duration > 600 or args.buyers > 1000:
        parser.error("--duration is capped at 600 s and --buyers at 1000")
    return args


# --- seeding (in this process, before the server starts) --------------------------------------------------------


def seed(args: argparse.Namespace) -> dict[str, Any]:
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from growth.models import Event, Quota, Ticket, TicketHold, TicketType
    from novacron.accounts.models import ApiToken
    from novacron.accounts.tokens import generate_token, hash_secret

    user_model = get_user_model()
    start = timezone.now() + timedelta(days=60)
    with transaction.atomic():
        staff = user_model.objects.create_user(
            email="door@bench.invalid", password=None, display_name="Door staff", is_staff=True
        )
        buyers = user_model.objects.bulk_create(
            user_model(email=f"buyer{i}@bench.invalid", display_name=f"Buyer {i}") for i in range(args.buyers)
        )
        buyers = list(
            user_model.objects.filter(email__endswith="@bench.invalid", is_staff=False).order_by("pk")
        )
        tokens: dict[int, str] = {}
        rows = []
        for user in [staff, *buyers]:
            prefix, raw = generate_token()
            tokens[user.pk] = raw
            rows.append(
                ApiToken(
                    user=user,
                    name="bench/tickets",
                    prefix=prefix,
                    token_hash=hash_secret(raw),
                    scopes=["write"],
                )
            )
        ApiToken.objects.bulk_create(rows)
        event = Event.objects.create(
            slug=EVENT_SLUG,
            title="Bench Summit",
            timezone="Europe/Amsterdam",
            venue_address="RAI",
            starts_at=start,
            ends_at=start + timedelta(days=2),
            is_ticketed=True,
            created_by=staff,
        )
        quota = Quota.objects.create(event=event, name="Venue", size=SEATS)
        ticket_type = TicketType.objects.create(
            event=event, name="In person", price=69900, currency="USD", max_per_order=10
        )
        ticket_type.quotas.add(quota)
        # The door event: tickets already sold, to scan. Written directly (seed data, not a sale).
        door = Event.objects.create(
            slug=DOOR_SLUG,
            title="Bench door",
            timezone="UTC",
            venue_address="Hall",
            starts_at=start,
            ends_at=start + timedelta(hours=8),
            is_ticketed=True,
        )
        door_quota = Quota.objects.create(event=door, name="Hall", size=DOOR_TICKETS, used=DOOR_TICKETS)
        door_type = TicketType.objects.create(event=door, name="Entry", price=0, max_per_order=10)
        door_type.quotas.add(door_quota)
        hold = TicketHold.objects.create(
            event=door,
            ticket_type=door_type,
            buyer=staff,
            quantity=DOOR_TICKETS,
            unit_amount=0,
            currency="USD",
            state="paid",
            expires_at=start,
        )
        Ticket.objects.bulk_create(
            (
                Ticket(
                    hold=hold,
                    position=i + 1,
                    event=door,
                    ticket_type=door_type,
                    holder=buyers[i % len(buyers)],
                    attendee_name=f"Guest {i}",
                )
                for i in range(DOOR_TICKETS)
            ),
            batch_size=2000,
        )
    secrets_ = list(Ticket.objects.filter(event=door).values_list("secret", flat=True))
    return {
        "staff_token": tokens[staff.pk],
        "buyer_tokens": [tokens[b.pk] for b in buyers],
        "ticket_type": str(ticket_type.public_id),
        "door_secrets": secrets_,
    }


def prepare(args: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    recreate_database(args.database_url)
    os.environ.update(env)
    sys.path.insert(0, str(PROJECT_DIR))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    try:
        call_command("migrate", interactive=False, verbosity=0)
    except Exception as exc:
        traceback.print_exc()
        raise BenchError(f"`migrate` failed on {database_name(args.database_url)!r}: {exc}") from exc
    values = seed(args)
    connections.close_all()
    return values


# --- load ------------------------------------------------------------------------------------------------------


class Client:
    """One keep-alive HTTP/1.1 connection (reopened when the server closes it)."""

    def __init__(self, port: int, token: str | None = None) -> None:
        self.port = port
        self.headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        payload = json.dumps(body) if body is not None else None
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=payload, headers=self.headers)
                response = self.conn.getresponse()
                data = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                return response.status, (json.loads(data) if data else {})
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt:
                    raise
        raise AssertionError("unreachable")


def _percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000, 1)


def run_phase(name: str, workers: int, duration: float, warmup: float, step) -> dict[str, Any]:
    """Run `step(worker_index, client_state)` in a loop on `workers` threads; each returns (ok, outcome)."""
    latencies: list[float] = []
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    start_barrier = threading.Barrier(workers + 1)
    state = {"measure_from": 0.0, "stop_at": 0.0}

    def loop(index: int) -> None:
        local: dict[str, Any] = {}
        start_barrier.wait()
        while True:
            began = time.perf_counter()
            if began >= state["stop_at"]:
                break
            try:
                ok, outcome = step(index, local)
            except Exception as exc:  # a failed request is a result (counted), not a crash of the bench
                ok, outcome = False, f"error:{type(exc).__name__}"
            ended = time.perf_counter()
            if state["measure_from"] <= ended <= state["stop_at"]:  # completions inside the window
                with lock:
                    outcomes[outcome] += 1
                    if ok:
                        latencies.append(ended - began)

    threads = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(workers)]
    for thread in threads:
        thread.start()
    now = time.perf_counter()
    state["measure_from"] = now + warmup
    state["stop_at"] = now + warmup + duration
    start_barrier.wait()
    for thread in threads:
        thread.join(timeout=warmup + duration + 60)
    done = len(latencies)
    return {
        "phase": name,
        "concurrency": workers,
        "completed": done,
        "per_second": round(done / duration, 1),
        "p50_ms": _percentile(latencies, 0.50),
        "p95_ms": _percentile(latencies, 0.95),
        "p99_ms": _percentile(latencies, 0.99),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1) if latencies else 0.0,
        "outcomes": dict(outcomes),
    }


def measure(args: argparse.Namespace) -> int:
    env = server_environment(args)
    values = prepare(args, env)
    server = GunicornServer(
        env=env, workers=args.workers, threads=args.threads, log_path=RESULTS_DIR / "tickets-gunicorn.log"
    )
    machine = machine_info()
    print(
        f"gunicorn: {args.workers} {server.worker_class} worker(s) x {args.threads} thread(s); {args.buyers} buyers, "
        f"{args.scanners} scanners, {args.warmup} s warm-up + {args.duration} s per phase",
        flush=True,
    )
    secrets_ = values["door_secrets"]
    next_secret = iter(range(len(secrets_)))
    secret_lock = threading.Lock()

    def hello(index: int, local: dict) -> tuple[bool, str]:
        client = local.setdefault("c", Client(server.port))
        status, _ = client.request("GET", "/hello/")
        return status == 200, str(status)

    def checkout(index: int, local: dict) -> tuple[bool, str]:
        client = local.setdefault("c", Client(server.port, values["buyer_tokens"][index]))
        status, body = client.request("POST", "/api/v1/growth/holds/", {"ticket_type": values["ticket_type"]})
        if status != 201:
            return False, f"hold:{status}:{body.get('error', {}).get('code', '')}"
        status, body = client.request(
            "POST", "/api/v1/growth/checkout/", {"holds": [body["id"]], "payment_method": CARD}
        )
        return (status == 201 and body.get("state") == "paid"), f"checkout:{status}:{body.get('state', '')}"

    def check_in(index: int, local: dict) -> tuple[bool, str]:
        client = local.setdefault("c", Client(server.port, values["staff_token"]))
        with secret_lock:
            position = next(next_secret, None)
        if position is None:
            return False, "out_of_tickets"
        status, body = client.request(
            "POST", f"/api/v1/growth/events/{DOOR_SLUG}/check-in/", {"qr_code": secrets_[position]}
        )
        return status == 200, f"{status}:{body.get('status', '')}"

    try:
        server.start()
        phases = []
        for name, workers, step in (
            ("hello", args.buyers, hello),
            ("checkout", args.buyers, checkout),
            ("check-in", args.scanners, check_in),
        ):
            print(f"  {name:<9} ...", end="", flush=True)
            result = run_phase(name, workers, args.duration, args.warmup, step)
            print(
                f" {result['per_second']:,.1f}/s, p95 {result['p95_ms']} ms, outcomes {result['outcomes']}",
                flush=True,
            )
            phases.append(result)
    finally:
        server.stop()
    machine["load_average_1m_after"] = load_average()
    integrity = verify()
    base = phases[0]["per_second"] or 1
    for phase in phases:
        phase["ratio_to_hello"] = round(phase["per_second"] / base, 4)
    payload = {
        "benchmark": "tickets",
        "command": "python -m bench.tickets " + " ".join(sys.argv[1:]),
        "finished_at": utc_now().isoformat(),
        "machine": machine,
        "config": {
            k: getattr(args, k) for k in ("buyers", "scanners", "duration", "warmup", "workers", "threads")
        },
        "seats": SEATS,
        "results": phases,
        "integrity": integrity,
    }
    path = write_results("tickets", payload)
    print()
    rows = [
        (
            p["phase"],
            p["concurrency"],
            p["completed"],
            p["per_second"],
            p["p50_ms"],
            p["p95_ms"],
            f"{p['ratio_to_hello']}x",
        )
        for p in phases
    ]
    print(
        format_table(
            ["phase", "concurrency", "completed", "per second", "p50 ms", "p95 ms", "ratio to hello"], rows
        )
    )
    print(f"\nIntegrity: {integrity}")
    print(f"Results: {path.relative_to(PROJECT_DIR)}")
    return 0 if integrity["ok"] else 1


def verify() -> dict[str, Any]:
    from django.db import connections

    from growth.models import Quota, Ticket

    connections.close_all()
    quota = Quota.objects.get(event__slug=EVENT_SLUG)
    sold = Ticket.objects.filter(event__slug=EVENT_SLUG, state="valid").count()
    held = quota.used - sold  # holds still active (a checkout cut off by the end of the phase)
    return {
        "ok": sold <= quota.size and quota.used <= quota.size and held >= 0,
        "sold": sold,
        "quota_used": quota.used,
        "size": quota.size,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return measure(args)
    except BenchError as exc:
        print(f"bench.tickets: {exc}", file=sys.stderr)
        return 2

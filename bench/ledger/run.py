"""`python -m bench.ledger`: purchases posted per second through the service layer, beside pgbench.

Steps: drop and create the bench database (name must contain "bench"), migrate, seed sellers with products and
buyers, post one sale per seller (so every ledger account exists, as in a running system). Then for each client
count (default 1, 4, 16): N worker processes, each with its own database connection, buy for a fixed time; and
in the same run `pgbench -b tpcb-like` with the same client count against its own scratch database (initialised
once with `pgbench -i -s SCALE`). Prints purchases/s, pgbench tps and the ratio per client count, checks the
ledger afterwards (ledger_verify must be clean), and writes bench/results/ledger-*.json.

Modes (--mode):
- post (the target's measure): `sale_post` of a captured purchase — its sale entry (with the gateway fee) and
  the seller balances — called with no transaction open (on PostgreSQL the entry is one statement, which is
  then the whole transaction), for (order, payment) pairs that were written, with
  their lines, before the clock starts and are held in memory as checkout holds them when it posts (one or two
  lines from 16 sellers, as pgbench's 16 branches at scale 16);
- checkout: `checkout_create` with the local test gateway — pricing, tax hook, order/lines/payment, the charge,
  `sale_post` (the sale entry), order paid: everything a purchase does (two transactions);
- sale: one transaction that reads the products, writes the order, its lines and payment and calls
  `sale_post`;
- sale_spread (diagnostic, in `--mode all`): as sale, but each client sells in its own currency, so no ledger
  row is shared between clients — the difference to `sale` is what sharing the platform and seller accounts
  costs.

While measuring, pg_stat_activity is sampled every 10 ms: the share of backends running, waiting for a row
lock, flushing WAL or idle in a transaction (Python between statements) is printed with the Python CPU time
per purchase — the profile.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import re
import secrets
import shutil
import subprocess
import sys
import threading
import time
import traceback
from collections import Counter
from typing import Any
from urllib.parse import unquote, urlsplit

from bench.common import (
    BenchError,
    database_name,
    format_table,
    load_average,
    machine_info,
    recreate_database,
    utc_now,
    write_results,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/novacron_bench_ledger"
DEFAULT_PGBENCH_URL = "postgres://postgres@127.0.0.1:5432/novacron_bench_pgbench"
SELLERS = 16
CARD = "4242 4242 4242 4242"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.ledger", description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", default="1,4,16", help="comma-separated client counts (default 1,4,16)")
    parser.add_argument("--duration", type=int, default=15, help="measured seconds per run (default 15)")
    parser.add_argument("--warmup", type=int, default=3, help="seconds before measuring (default 3)")
    parser.add_argument(
        "--mode",
        choices=["post", "checkout", "sale", "sale_spread", "both", "all"],
        default="both",
        help="both = post and checkout; all adds sale and sale_spread",
    )
    parser.add_argument(
        "--pgbench-scale",
        type=int,
        default=16,
        help="pgbench -i scale factor (default 16: one branch per client)",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL),
        help="PostgreSQL database to DROP and create for the ledger (name must contain 'bench')",
    )
    parser.add_argument(
        "--pgbench-database-url",
        default=os.environ.get("BENCH_PGBENCH_DATABASE_URL", DEFAULT_PGBENCH_URL),
        help="scratch database for pgbench (dropped and created; name must contain 'bench')",
    )
    parser.add_argument(
        "--pool",
        type=int,
        default=100_000,
        help="captured payments written before each post run, split between the clients (default 100000); a "
        "client that runs out stops, and the run reports it as an error (raise --pool)",
    )
    parser.add_argument("--no-results", action="store_true", help="do not write bench/results/ledger-*.json")
    args = parser.parse_args(argv)
    args.client_counts = [int(part) for part in args.clients.split(",") if part.strip()]
    return args


# --- Django side -------------------------------------------------------------------------------------------------


def _setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["REDIS_URL"] = ""  # tasks eager, cache in memory: the database is what is measured
    os.environ["DEBUG"] = "0"  # as in production: no query log kept per connection
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "novacron.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings

    settings.REVENUE_ENABLED_GATEWAYS = ["local_test", "bank_transfer"]
    settings.REVENUE_DEFAULT_GATEWAY = "local_test"
    # Background work (the invoice email with its PDF) is handed to Celery as a web process does in
    # production, into an in-memory queue no worker reads: queued, not run inside the purchase.
    from novacron.celery import app

    app.conf.task_always_eager = False
    app.conf.broker_url = "memory://"


def _seed() -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from revenue.models import Seller
    from revenue.services.products import product_create
    from revenue.services.sellers import seller_ensure

    call_command("migrate", interactive=False, verbosity=0)
    user_model = get_user_model()
    products, buyers, sellers = [], [], []
    for index in range(SELLERS):
        owner = user_model.objects.create_user(email=f"seller{index}@bench.example", password=None)
        seller = seller_ensure(
            kind=Seller.Kind.DEVELOPER, display_name=f"Bench seller {index}", user_id=owner.pk
        )
        sellers.append(seller.pk)
        for price in (999, 4_900, 12_345):
            product = product_create(
                seller=seller, actor=owner, name=f"Product {index}/{price}", unit_amount=price, currency="USD"
            )
            products.append(str(product.public_id))
    for index in range(64):
        buyers.append(user_model.objects.create_user(email=f"buyer{index}@bench.example", password=None).pk)
    seed = {"products": products, "buyers": buyers, "sellers": sellers}
    rng = random.Random(0)
    for index in range(SELLERS):  # first sale of every seller creates its accounts
        _purchase_checkout(seed, rng, buyer_index=0, only_product=seed["products"][3 * index])
    _purchase_sale(seed, rng, buyer_index=0)
    return seed


def _purchase_checkout(
    seed: dict[str, Any], rng: random.Random, buyer_index: int, only_product: str = ""
) -> None:
    from django.contrib.auth import get_user_model

    from revenue.models import Order
    from revenue.services.checkout import checkout_create

    buyer = get_user_model()(pk=seed["buyers"][buyer_index % len(seed["buyers"])])
    buyer = get_user_model().objects.get(pk=buyer.pk)
    if only_product:
        items = [("revenue.product", only_product, 1)]
    else:
        items = [
            ("revenue.product", product, 1) for product in rng.sample(seed["products"], rng.choice([1, 2]))
        ]
    order = checkout_create(
        buyer=buyer, items=items, currency="USD", payment_method=CARD, gateway="local_test"
    )
    if order.state != Order.State.PAID:
        raise RuntimeError(f"order {order.public_id} ended {order.state}")


def _purchase_sale(seed: dict[str, Any], rng: random.Random, buyer_index: int, currency: str = "USD") -> None:
    """The ledger part of a purchase alone: order, lines and captured payment in one transaction with
    sale_post (what checkout's second transaction does, without pricing and the gateway)."""
    import uuid

    from django.db import transaction
    from django.utils import timezone

    from revenue.models import Order, OrderLine, Payment, Product
    from revenue.services.sales import sale_post
    from revenue.share import seller_rate, split_net

    product_ids = rng.sample(seed["products"], rng.choice([1, 2]))
    products = list(Product.objects.filter(public_id__in=product_ids).select_related("seller"))
    now = timezone.now()
    subtotal = sum(product.unit_amount for product in products)
    with transaction.atomic():
        order = Order.objects.create(
            buyer_id=seed["buyers"][buyer_index % len(seed["buyers"])],
            currency=currency,
            subtotal=subtotal,
            tax_total=0,
            total=subtotal,
            state=Order.State.PAID,
            gateway="local_test",
            paid_at=now,
        )
        for product in products:
            rate = seller_rate(product.seller)
            seller_part, platform_part = split_net(product.unit_amount, rate)
            OrderLine.objects.create(
                order=order,
                seller=product.seller,
                item_type="revenue.product",
                item_id=str(product.public_id),
                description=product.name,
                unit_amount=product.unit_amount,
                net_amount=product.unit_amount,
                seller_amount=seller_part,
                platform_amount=platform_part,
                share_rate=rate,
                tier=product.seller.tier,
            )
        payment = Payment.objects.create(
            order=order,
            gateway="local_test",
            gateway_reference=f"bench_{uuid.uuid4().hex}",
            amount=subtotal,
            currency=currency,
            state=Payment.State.SUCCEEDED,
            fee_amount=30 + subtotal * 29 // 1000,
            captured_at=now,
        )
        sale_post(order=order, payment=payment)


def _post_pool(seed: dict[str, Any], count: int) -> list[tuple[Any, Any]]:
    """`count` paid orders with their lines and captured payments, written but not posted: (order, payment)
    pairs in memory with the lines attached, as checkout holds them when it calls `sale_post`."""
    import uuid

    from django.db import transaction
    from django.utils import timezone

    from revenue.models import Order, OrderLine, Payment, Product
    from revenue.share import seller_rate, split_net

    rng = random.Random(count)
    products = list(Product.objects.filter(public_id__in=seed["products"]).select_related("seller"))
    rates = {product.seller_id: seller_rate(product.seller) for product in products}
    now = timezone.now()
    pairs: list[tuple[Any, Any]] = []
    for start in range(0, count, 2_000):
        chosen = [rng.sample(products, rng.choice([1, 2])) for _ in range(min(2_000, count - start))]
        with transaction.atomic():
            orders = Order.objects.bulk_create(
                Order(
                    buyer_id=seed["buyers"][(start + i) % len(seed["buyers"])],
                    currency="USD",
                    subtotal=sum(p.unit_amount for p in items),
                    tax_total=0,
                    total=sum(p.unit_amount for p in items),
                    state=Order.State.PAID,
                    gateway="local_test",
                    paid_at=now,
                )
                for i, items in enumerate(chosen)
            )
            lines = []
            for order, items in zip(orders, chosen, strict=True):
                for product in items:
                    rate = rates[product.seller_id]
                    seller_part, platform_part = split_net(product.unit_amount, rate)
                    lines.append(
                        OrderLine(
                            order=order,
                            seller=product.seller,
                            item_type="revenue.product",
                            item_id=str(product.public_id),
                            description=product.name,
                            unit_amount=product.unit_amount,
                            net_amount=product.unit_amount,
                            seller_amount=seller_part,
                            platform_amount=platform_part,
                            share_rate=rate,
                            tier=product.seller.tier,
                        )
                    )
            OrderLine.objects.bulk_create(lines)
            by_order: dict[int, list[Any]] = {}
            for line in lines:
                by_order.setdefault(line.order_id, []).append(line)
            for order in orders:
                order._prefetched_objects_cache = {"lines": by_order[order.pk]}
            payments = Payment.objects.bulk_create(
                Payment(
                    order=order,
                    gateway="local_test",
                    gateway_reference=f"bench_{uuid.uuid4().hex}",
                    amount=order.total,
                    currency="USD",
                    state=Payment.State.SUCCEEDED,
                    fee_amount=30 + order.total * 29 // 1000,
                    captured_at=now,
                )
                for order in orders
            )
        pairs += [(payment.order, payment) for payment in payments]
    return pairs


class PoolExhausted(Exception):
    """A post client used up its captured payments before the run ended: it stops (its count would be short)."""


def _purchase_post(pool: list[tuple[Any, Any]]) -> None:
    """Post one captured purchase: `sale_post`, called with no transaction open (it is atomic by itself)."""
    from revenue.services.sales import sale_post

    if not pool:
        raise PoolExhausted("pool exhausted: raise --pool")
    order, payment = pool.pop()
    sale_post(order=order, payment=payment)


def _worker(
    index: int, mode: str, seed: dict[str, Any], window: tuple[float, float, float], out: Any
) -> None:
    """One client: its own process and connection; buys until stop_at, counting purchases committed inside
    [measure_from, stop_at)."""
    from django.db import connection

    start_at, measure_from, stop_at = window
    purchase: Any = _purchase_checkout if mode == "checkout" else _purchase_sale
    if mode == "post":
        pool = list(seed["pools"][index])

        def purchase(_seed: dict[str, Any], _rng: random.Random, buyer_index: int) -> None:
            _purchase_post(pool)

    if mode == "sale_spread":
        # Same service code, but each client sells in its own currency: no ledger row is shared between
        # clients (platform revenue, clearing and fee accounts are per currency). Diagnostic: what the hot
        # rows cost.
        from functools import partial

        from novacron.core.money import SUPPORTED_CURRENCIES

        purchase = partial(_purchase_sale, currency=SUPPORTED_CURRENCIES[index % len(SUPPORTED_CURRENCIES)])
    rng = random.Random(1000 + index)
    done, errors = 0, Counter()
    latencies: list[float] = []
    cpu_started: float | None = None
    cpu_used = 0.0
    try:
        while time.time() < start_at:
            time.sleep(0.001)
        while True:
            if cpu_started is None and time.time() >= measure_from:
                cpu_started = time.process_time()
            began = time.time()
            if began >= stop_at:
                break
            try:
                purchase(seed, rng, buyer_index=index)
            except PoolExhausted as exc:
                errors[type(exc).__name__] += 1
                break  # spinning on an empty pool would only steal CPU from the other clients
            except Exception as exc:
                errors[type(exc).__name__] += 1
                if sum(errors.values()) <= 3:
                    traceback.print_exc()
                continue
            finished = time.time()
            if measure_from <= finished < stop_at:
                done += 1
                latencies.append(finished - began)
        if cpu_started is not None:
            cpu_used = time.process_time() - cpu_started
    finally:
        connection.close()
        out.put({"done": done, "errors": dict(errors), "latencies": latencies, "cpu_s": cpu_used})


class WaitSampler(threading.Thread):
    """Samples what the bench database's backends are doing (pg_stat_activity) every 10 ms while measuring:
    running (CPU), waiting on a lock (row locks: the hot accounts), on WAL/commit I/O, or idle in a transaction
    (Python between two statements) — the profile that says where a purchase's time goes."""

    QUERY = (
        "SELECT state, wait_event_type, wait_event FROM pg_stat_activity "
        "WHERE datname = %s AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
    )

    def __init__(self, url: str, start: float, stop: float) -> None:
        super().__init__(daemon=True)
        self.url, self.start_at, self.stop_at = url, start, stop
        self.counts: Counter = Counter()
        self.locks: Counter = Counter()

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            name = database_name(self.url)
            while time.time() < self.start_at:
                time.sleep(0.005)
            while time.time() < self.stop_at:
                for state, wait_type, wait_event in conn.execute(self.QUERY, (name,)).fetchall():
                    self.counts[self._classify(state, wait_type, wait_event)] += 1
                    if wait_type == "Lock":
                        self.locks[wait_event] += 1
                time.sleep(0.01)

    @staticmethod
    def _classify(state: str, wait_type: str | None, wait_event: str | None) -> str:
        if state == "idle":
            return "idle (Python outside a transaction)"
        if state == "idle in transaction":
            return "idle in transaction (Python between statements)"
        if wait_type == "Lock":
            return "waiting for a row lock"
        if wait_event and "WAL" in wait_event:
            return "WAL / commit flush"
        if wait_type is None:
            return "running in PostgreSQL"
        return f"other wait ({wait_type})"

    def shares(self) -> dict[str, float]:
        total = sum(self.counts.values()) or 1
        return {key: round(100 * count / total, 1) for key, count in self.counts.most_common()}


def run_ledger(
    mode: str,
    clients: int,
    seed: dict[str, Any],
    *,
    warmup: int,
    duration: int,
    database_url: str = "",
    pool: int = 0,
) -> dict[str, Any]:
    from django.db import connections

    if mode == "post":
        pairs = _post_pool(seed, pool)
        seed = {**seed, "pools": [pairs[i::clients] for i in range(clients)]}
    connections.close_all()  # children must not share the parent's connection
    context = mp.get_context("fork")
    out = context.Queue()
    start_at = time.time() + 1.0
    measure_from = start_at + warmup
    stop_at = measure_from + duration
    processes = [
        context.Process(target=_worker, args=(i, mode, seed, (start_at, measure_from, stop_at), out))
        for i in range(clients)
    ]
    sampler = WaitSampler(database_url, measure_from, stop_at) if database_url else None
    for process in processes:
        process.start()
    if sampler is not None:
        sampler.start()
    results = [out.get(timeout=warmup + duration + 120) for _ in processes]
    if sampler is not None:
        sampler.join(timeout=30)
    for process in processes:
        process.join(timeout=30)
    done = sum(r["done"] for r in results)
    errors: Counter = Counter()
    latencies = sorted(latency for r in results for latency in r["latencies"])
    for result in results:
        errors.update(result["errors"])

    def percentile(p: float) -> float | None:
        return (
            round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 1)
            if latencies
            else None
        )

    return {
        "mode": mode,
        "clients": clients,
        "purchases": done,
        "per_second": round(done / duration, 1),
        "p50_ms": percentile(0.5),
        "p95_ms": percentile(0.95),
        "errors": dict(errors),
        "python_cpu_ms_per_purchase": round(1000 * sum(r["cpu_s"] for r in results) / done, 2)
        if done
        else None,
        "backend_states_pct": sampler.shares() if sampler is not None else {},
        "lock_waits": dict(sampler.locks) if sampler is not None else {},
    }


# --- pgbench -----------------------------------------------------------------------------------------------------


def pgbench_path() -> str:
    found = shutil.which("pgbench")
    if found:
        return found
    for candidate in sorted(
        (p for p in (os.path.join("/usr/lib/postgresql", v, "bin", "pgbench") for v in _pg_versions())),
        reverse=True,
    ):
        if os.path.exists(candidate):
            return candidate
    raise BenchError("pgbench not found (install the PostgreSQL client tools, e.g. postgresql-client)")


def _pg_versions() -> list[str]:
    try:
        return os.listdir("/usr/lib/postgresql")
    except OSError:
        return []


def _pg_args(url: str) -> tuple[list[str], dict[str, str]]:
    parts = urlsplit(url)
    args = [
        "-h",
        parts.hostname or "127.0.0.1",
        "-p",
        str(parts.port or 5432),
        "-U",
        unquote(parts.username or "postgres"),
    ]
    env = dict(os.environ)
    if parts.password:
        env["PGPASSWORD"] = unquote(parts.password)
    return args, env


def pgbench_init(url: str, scale: int) -> None:
    recreate_database(url)
    args, env = _pg_args(url)
    subprocess.run(
        [pgbench_path(), "-i", "-q", "-s", str(scale), *args, database_name(url)],
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )


def pgbench_run(url: str, clients: int, duration: int) -> float:
    args, env = _pg_args(url)
    threads = min(clients, os.cpu_count() or 1)
    completed = subprocess.run(
        [
            pgbench_path(),
            *("-b", "tpcb-like", "-c", str(clients), "-j", str(threads), "-T", str(duration)),
            *args,
            database_name(url),
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=duration + 300,
    )
    match = re.search(
        r"tps = ([0-9.]+) \((?:without initial connection time|excluding connections establishing)\)",
        completed.stdout,
    )
    if match is None:
        raise BenchError(f"cannot read pgbench's tps from:\n{completed.stdout}")
    return float(match.group(1))


# --- main --------------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        recreate_database(args.database_url)
        print(
            f"bench.ledger: database {database_name(args.database_url)} created; migrating and seeding...",
            flush=True,
        )
        _setup_django(args.database_url)
        seed = _seed()
        print(
            f"bench.ledger: pgbench -i -s {args.pgbench_scale} in {database_name(args.pgbench_database_url)}...",
            flush=True,
        )
        pgbench_init(args.pgbench_database_url, args.pgbench_scale)
    except BenchError as exc:
        print(f"bench.ledger: {exc}", file=sys.stderr)
        return 2

    modes = {"both": ["post", "checkout"], "all": ["post", "checkout", "sale", "sale_spread"]}.get(
        args.mode, [args.mode]
    )
    rows, runs = [], []
    for clients in args.client_counts:
        pgbench_tps = pgbench_run(args.pgbench_database_url, clients, args.duration)
        for mode in modes:
            result = run_ledger(
                mode,
                clients,
                seed,
                warmup=args.warmup,
                duration=args.duration,
                database_url=args.database_url,
                pool=args.pool,
            )
            result["pgbench_tps"] = round(pgbench_tps, 1)
            result["ratio"] = round(result["per_second"] / pgbench_tps, 3) if pgbench_tps else None
            runs.append(result)
            rows.append(
                [
                    mode,
                    clients,
                    result["per_second"],
                    result["p50_ms"],
                    result["p95_ms"],
                    result["pgbench_tps"],
                    f"{result['ratio']:.3f}",
                    sum(result["errors"].values()),
                ]
            )
            print(
                f"  {mode:<8} {clients:>3} clients: {result['per_second']:>8} purchases/s "
                f"(p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms)  pgbench {pgbench_tps:.1f} tps  "
                f"ratio {result['ratio']:.3f}  errors {result['errors'] or 0}",
                flush=True,
            )
            print(
                f"           python CPU {result['python_cpu_ms_per_purchase']} ms/purchase; backends: "
                + ", ".join(f"{share}% {state}" for state, share in result["backend_states_pct"].items()),
                flush=True,
            )

    from revenue.services.verify import ledger_verify

    report = ledger_verify()
    print()
    print(
        format_table(
            ["mode", "clients", "purchases/s", "p50 ms", "p95 ms", "pgbench tps", "ratio", "errors"], rows
        )
    )
    print(
        f"\npgbench: -b tpcb-like, scale {args.pgbench_scale}, -T {args.duration}; ledger: {args.warmup} s warm-up, "
        f"{args.duration} s measured, one process and connection per client; load average {load_average()}"
    )
    print(
        f"ledger_verify after the runs: {'clean' if report.ok else f'{len(report.violations)} violation(s)'}"
    )
    for violation in report.violations[:20]:
        print(f"  {violation}")
    if not args.no_results:
        path = write_results(
            "ledger",
            {
                "benchmark": "ledger",
                "when": utc_now().isoformat(),
                "machine": machine_info(),
                "settings": {
                    "duration_s": args.duration,
                    "warmup_s": args.warmup,
                    "pgbench_scale": args.pgbench_scale,
                    "clients": args.client_counts,
                },
                "runs": runs,
                "ledger_verify_clean": report.ok,
            },
        )
        print(f"results: {path}")
    return 0 if report.ok else 1

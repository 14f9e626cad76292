"""`python -m bench.billing`: what gap-free invoice numbering costs, on PostgreSQL.

Steps: drop and create the bench database (its name must contain "bench"), migrate, write N paid orders (one
line, German VAT). Then, for each client count (default 1 and 4; threads, one connection each):
- baseline: `invoice_create_draft` — building an invoice (reads, one insert of the invoice and of its lines), no
  shared row;
- finalise: `invoice_finalise` of those drafts — every finalisation locks the series' counter row until it
  commits, so finalisations serialise.
The ratio is finalisations/s ÷ drafts/s at the same client count, measured in the same run. Also timed, one client:
the tax calculator per checkout and the WeasyPrint PDF per invoice, each as a ratio to one draft. The numbers are
checked at the end (1..N, no gap, no duplicate). The email task is not queued (it is a Celery task; the PDF it
renders is timed separately). Writes bench/results/billing-*.json.
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time
from typing import Any

from bench.common import BenchError, format_table, machine_info, recreate_database, utc_now, write_results

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/novacron_bench_billing"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.billing", description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=300, help="orders per client count (default 300)")
    parser.add_argument("--clients", default="1,4", help="comma-separated client counts (default 1,4)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--no-results", action="store_true")
    args = parser.parse_args(argv)
    args.client_counts = [int(c) for c in args.clients.split(",") if c.strip()]
    return args


def _setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["REDIS_URL"] = ""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "novacron.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("migrate", interactive=False, verbosity=0)


def _orders(count: int) -> list[int]:
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from revenue.models import Order, OrderLine, Payment, Seller
    from revenue.services.sellers import seller_ensure

    user_model = get_user_model()
    owner, _ = user_model.objects.get_or_create(email="seller@bench.example")
    buyer, _ = user_model.objects.get_or_create(email="buyer@bench.example")
    seller = seller_ensure(kind=Seller.Kind.DEVELOPER, display_name="Bench seller", user_id=owner.pk)
    now = timezone.now()
    ids = []
    for _ in range(count):
        order = Order.objects.create(
            buyer=buyer, currency="EUR", subtotal=10_000, tax_total=1_900, total=11_900, state="paid",
            gateway="local_test", paid_at=now, tax_evidence={"billing_country": "DE", "notes": []},
        )  # fmt: skip
        OrderLine.objects.create(
            order=order, seller=seller, item_type="bench.item", item_id="1", description="Bench item",
            unit_amount=10_000, net_amount=10_000, tax_amount=1_900, tax_rate=Decimal("0.19"),
            tax_jurisdiction="DE", seller_amount=7_000, platform_amount=3_000, share_rate=Decimal("0.7"),
            tier="standard",
        )  # fmt: skip
        Payment.objects.create(
            order=order, gateway="local_test", gateway_reference=f"bench_{order.pk}", amount=11_900,
            currency="EUR", state="succeeded", captured_at=now,
        )  # fmt: skip
        ids.append(order.pk)
    return ids


def _run(clients: int, items: list[Any], work) -> tuple[float, list[float]]:
    """Run `work(item)` over items split across `clients` threads; returns (items/s, latencies in ms)."""
    from django.db import connection

    chunks = [items[i::clients] for i in range(clients)]
    latencies: list[float] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def worker(chunk: list[Any]) -> None:
        mine = []
        try:
            barrier.wait()
            for item in chunk:
                started = time.perf_counter()
                work(item)
                mine.append((time.perf_counter() - started) * 1000)
        except BaseException as exc:  # reported after the run
            errors.append(exc)
        finally:
            connection.close()
            with lock:
                latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise BenchError(f"{len(errors)} worker error(s), first: {errors[0]!r}")
    return len(items) / elapsed, latencies


def _timed(call, repeat: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        call()
    return (time.perf_counter() - started) * 1000 / repeat


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        recreate_database(args.database_url)
        _setup(args.database_url)
    except BenchError as exc:
        print(f"bench.billing: {exc}")
        return 2
    # The invoice email (PDF render + send) is a Celery task; without a broker it runs eagerly inside the commit.
    # Queue it nowhere here: the PDF is timed on its own below.
    from revenue import hooks, tasks_billing
    from revenue.models import Invoice, Order
    from revenue.services.invoice_documents import invoice_pdf
    from revenue.services.invoices import invoice_create_draft, invoice_finalise
    from revenue.services.tax import tax_calculate

    tasks_billing.send_invoice_email.delay = lambda *a, **k: None
    started_at = utc_now()
    rows, results = [], []
    total = 0
    for clients in args.client_counts:
        orders = list(Order.objects.filter(pk__in=_orders(args.orders)))
        drafts_per_s, _ = _run(clients, orders, lambda order: invoice_create_draft(order=order))
        drafts = list(Invoice.objects.filter(order__in=orders))
        final_per_s, final_ms = _run(clients, drafts, lambda invoice: invoice_finalise(invoice=invoice))
        total += len(drafts)
        ratio = final_per_s / drafts_per_s
        rows.append(
            [
                clients,
                f"{drafts_per_s:.1f}",
                f"{final_per_s:.1f}",
                f"{statistics.median(final_ms):.1f}",
                f"{ratio:.2f}",
            ]
        )
        results.append(
            {
                "clients": clients,
                "drafts_per_s": drafts_per_s,
                "finalisations_per_s": final_per_s,
                "ratio": ratio,
            }
        )
    sequences = sorted(Invoice.objects.values_list("sequence", flat=True))
    if sequences != list(range(1, total + 1)):
        raise BenchError("numbers are not 1..N: gap or duplicate")

    invoice = Invoice.objects.order_by("pk").first()
    order = Order.objects.filter(invoices__isnull=True).first() or Order.objects.first()
    context = hooks.TaxContext(buyer_id=order.buyer_id, organization_id=None, billing_country="DE")
    line = [hooks.TaxInput(net_amount=10_000, currency="EUR", item_type="bench.item", seller_id=1)]
    tax_ms = _timed(lambda: tax_calculate(line, context), 200)
    pdf_ms = _timed(lambda: invoice_pdf(invoice), 10)
    draft_one_ms = 1000 / results[0]["drafts_per_s"]

    print(f"bench.billing — {args.orders} orders per client count, PostgreSQL, {started_at.isoformat()}")
    print(format_table(["clients", "drafts/s", "finalisations/s", "finalise p50 ms", "ratio"], rows))
    print(
        format_table(
            ["one client", "ms", "ratio to one draft"],
            [
                ["tax calculator (EU B2C)", f"{tax_ms:.2f}", f"{tax_ms / draft_one_ms:.2f}"],
                ["invoice PDF (WeasyPrint)", f"{pdf_ms:.1f}", f"{pdf_ms / draft_one_ms:.1f}"],
            ],
        )
    )
    print(f"numbers checked: 1..{total}, no gap, no duplicate")
    if not args.no_results:
        path = write_results(
            "billing",
            {
                "started_at": started_at.isoformat(),
                "machine": machine_info(),
                "orders": args.orders,
                "numbering": results,
                "tax_ms": tax_ms,
                "pdf_ms": pdf_ms,
                "draft_ms": draft_one_ms,
            },
        )
        print(f"results: {path.relative_to(path.parents[2])}")
    return 0

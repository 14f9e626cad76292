"""`python -m bench.marketplace`: see bench/marketplace/__init__.py."""

from __future__ import annotations

import json
import os
import statistics
import sys
import time

from bench.common import PROJECT_DIR, RESULTS_DIR, format_table, machine_info, utc_now, write_results

APPS = 10_000
SEARCH_P95_TARGET_MS = 50.0
APP_PAGE_RATIO_TARGET = 0.35


def queries() -> list[str]:
    """30 queries over the catalog's vocabulary: single words from frequent to rare, and two-word queries."""
    from marketplace.bench import vocabulary

    words = vocabulary()
    singles = [
        words[rank] for rank in (5, 10, 20, 40, 60, 100, 150, 200, 300, 400, 600, 800, 1000, 1500, 2000)
    ]
    pairs = [
        f"{words[a]} {words[b]}"
        for a, b in (
            (3, 50),
            (10, 100),
            (20, 30),
            (40, 400),
            (70, 700),
            (100, 120),
            (150, 900),
            (200, 250),
            (5, 1200),
            (300, 310),
            (8, 9),
            (60, 61),
            (500, 501),
            (15, 1500),
            (2, 200),
        )
    ]
    return singles + pairs


def _latest_http_results(since: float) -> dict | None:
    files = sorted(RESULTS_DIR.glob("http-*.json"), key=lambda p: p.stat().st_mtime)
    files = [f for f in files if f.stat().st_mtime >= since]
    return json.loads(files[-1].read_text()) if files else None


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return round(ordered[index], 2)


def _selector_latency() -> dict:
    """In-process timings of the catalog selector for 30 distinct queries × 2 (count, first page and all
    facets), after one warm-up pass — with the catalog cache off, so every search does the full work."""
    from django.conf import settings

    from marketplace.selectors.catalog import CatalogQuery, catalog_search

    settings.MARKETPLACE_CATALOG_CACHE_SECONDS = 0

    def once(q: str) -> float:
        started = time.perf_counter()
        _count, _facets, results = catalog_search(CatalogQuery(q=q))
        results[:24]
        return (time.perf_counter() - started) * 1000

    mix = queries()
    for q in mix:
        once(q)
    samples = [once(q) for q in mix * 2]
    return {
        "queries": len(samples),
        "p50_ms": _percentile(samples, 50),
        "p95_ms": _percentile(samples, 95),
        "mean_ms": round(statistics.fmean(samples), 2),
    }


def main(argv: list[str]) -> int:
    os.environ.setdefault("BENCH_MARKETPLACE_APPS", str(APPS))
    from bench.http.cli import main as http_main

    started = time.time()
    code = http_main(["--only", "marketplace-search", "marketplace-app", *argv])
    http = _latest_http_results(started)
    if http is None:
        print("bench.marketplace: bench.http wrote no results", file=sys.stderr)
        return code or 2
    rows = {row["name"]: row for row in http["results"]}
    from marketplace.models import App

    listed = App.objects.filter(is_listed=True).count()  # bench.http set Django up on the bench database
    selector = _selector_latency()
    search, page = rows.get("marketplace-search", {}), rows.get("marketplace-app", {})
    search_p95 = (search.get("latency_ms") or {}).get("p95")
    ratio = page.get("ratio_to_baseline")
    checks = [
        [
            "search p95 over HTTP (ms)",
            search_p95,
            f"< {SEARCH_P95_TARGET_MS:g}",
            "yes" if search_p95 is not None and search_p95 < SEARCH_P95_TARGET_MS else "NO",
        ],
        [
            "search selector p95, uncached (ms)",
            selector["p95_ms"],
            f"< {SEARCH_P95_TARGET_MS:g}",
            "yes" if selector["p95_ms"] < SEARCH_P95_TARGET_MS else "NO",
        ],
        [
            "app page throughput / hello",
            ratio,
            f">= {APP_PAGE_RATIO_TARGET}",
            "yes" if ratio is not None and ratio >= APP_PAGE_RATIO_TARGET else "NO",
        ],
        ["search throughput / hello", search.get("ratio_to_baseline"), "-", "-"],
    ]
    print(f"\nMarketplace at {listed:,} listed apps")
    print(format_table(["figure", "value", "target", "met"], checks))
    path = write_results(
        "marketplace",
        {
            "benchmark": "marketplace",
            "finished_at": utc_now().isoformat(),
            "command": "python -m bench.marketplace " + " ".join(argv),
            "apps": listed,
            "machine": machine_info(),
            "http": {name: rows.get(name) for name in ("hello", "marketplace-search", "marketplace-app")},
            "selector": selector,
            "targets": {"search_p95_ms": SEARCH_P95_TARGET_MS, "app_page_ratio": APP_PAGE_RATIO_TARGET},
        },
    )
    print(f"Results: {path.relative_to(PROJECT_DIR)}")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""`python -m bench.marketplace`: the catalog search and the app page at 10,000 apps.

1. Runs `bench.http` (gunicorn in production mode, PostgreSQL, wrk or locust) on `hello`, `marketplace-search`
   and `marketplace-app`, with BENCH_MARKETPLACE_APPS=10000 apps seeded (marketplace/bench.py).
2. Then, in the same process against the same bench database, times the search selector (matching, ranking,
   the page and all six facet counts) for a mix of 60 queries, to show p50/p95 across many queries and not
   only the one the HTTP run repeats.

Targets (issue #5): search p95 under 50 ms; app page throughput at least 0.35 × hello's from the same run.
Extra arguments go to bench.http (e.g. `--duration 20 --rounds 3`).
"""

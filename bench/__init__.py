"""Benchmarks. Never part of `make test`; see docs/performance.md.

Each benchmark is a subpackage with a `__main__.py` (`bench/http/`, later `bench/ledger/`, ...), runnable on its
own as `python -m bench.<name>` and run together by `python -m bench`. A benchmark prints a table, writes JSON to
bench/results/ (gitignored) with `bench.common.write_results`, exits 0 when every measurement succeeded and
stops by itself: every loop has a count or time bound, and load only goes to 127.0.0.1.
"""

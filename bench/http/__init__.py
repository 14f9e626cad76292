"""HTTP throughput and latency of registered endpoints under gunicorn, driven by wrk on loopback.

`python -m bench.http --help` lists the options; docs/performance.md explains the method and records figures.
"""

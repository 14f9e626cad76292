"""Ledger throughput: purchases posted per second through the service layer on PostgreSQL, beside pgbench."""

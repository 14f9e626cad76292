"""Ticket sales and check-in under load (see run.py)."""

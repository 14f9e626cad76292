"""Reads of the marketplace that more than one caller needs."""

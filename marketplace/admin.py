"""Marketplace staff tools in the Django admin."""

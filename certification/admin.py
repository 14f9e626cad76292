"""Learn staff tools in the Django admin."""

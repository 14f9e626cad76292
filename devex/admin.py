"""Developer tools staff tools in the Django admin."""

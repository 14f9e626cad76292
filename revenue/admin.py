"""Revenue staff tools in the Django admin."""

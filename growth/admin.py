"""Community staff tools in the Django admin."""

"""Revenue models."""

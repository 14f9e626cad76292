"""Learn models."""

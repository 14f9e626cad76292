"""Developer tools models."""

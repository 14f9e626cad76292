"""Tracks, courses, exams and verifiable certificates."""

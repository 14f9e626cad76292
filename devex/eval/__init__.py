"""Retrieval evaluation of the documentation assistant: the question set (questions.yaml) and its harness
(`harness.py`, run by `python manage.py eval_assistant`)."""

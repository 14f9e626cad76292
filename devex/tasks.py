"""Celery tasks of devex. Explicit names, late acknowledgement, time limits; each calls one service that is safe
to run twice."""

from celery import shared_task
from django.db import OperationalError

from devex.services.indexing import index_rebuild


@shared_task(
    name="devex.reindex_docs",
    time_limit=1800,
    soft_time_limit=1740,
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def reindex_docs(full: bool = False) -> dict:
    """Re-index the documentation and published content (beat: nightly). Unchanged documents are skipped; a
    second run while one is going returns at once (`skipped`). Returns the build's counts."""
    return index_rebuild(full=full).as_dict()

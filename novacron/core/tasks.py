from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from novacron.core.models import IdempotencyKey


@shared_task(name="core.purge_idempotency_keys", time_limit=120)
def purge_idempotency_keys() -> int:
    """Delete idempotency keys past their retention (safe to run twice)."""
    cutoff = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted

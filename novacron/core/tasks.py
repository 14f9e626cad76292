from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from novacron.core.models import IdempotencyKey


# Both limits: a hard limit below the global CELERY_TASK_SOFT_TIME_LIMIT (240 s) with the soft one inherited
# makes Celery refuse to send the task at all ("soft_time_limit must be less than or equal to time_limit").
@shared_task(name="core.purge_idempotency_keys", time_limit=120, soft_time_limit=100)
def purge_idempotency_keys() -> int:
    """Delete idempotency keys past their retention (safe to run twice)."""
    cutoff = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted

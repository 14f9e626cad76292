"""Claiming an idempotency key: shared by the API's Idempotency-Key header and the portal's once-only forms."""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from novacron.core.models import IdempotencyKey


def key_claim(
    *, owner: str, key: str, method: str, path: str, fingerprint: str = ""
) -> tuple[IdempotencyKey | None, bool]:
    """Insert the key in its own committed transaction so concurrent duplicates see it at once.

    Returns (record, True) for a new claim, (existing, False) for a known key, and (None, False) in the rare
    case the existing claim keeps vanishing (its request failed and released it) while we look. Expired keys
    (IDEMPOTENCY_KEY_TTL_HOURS) and claims still "in progress" after IDEMPOTENCY_CLAIM_TIMEOUT_SECONDS (their
    process died mid-request, so no response will ever be stored) are removed first, so they can be reused.
    """
    now = timezone.now()
    expired = Q(created_at__lt=now - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS))
    abandoned = Q(
        state=IdempotencyKey.State.IN_PROGRESS,
        created_at__lt=now - timedelta(seconds=settings.IDEMPOTENCY_CLAIM_TIMEOUT_SECONDS),
    )
    IdempotencyKey.objects.filter(expired | abandoned, owner=owner, key=key).delete()
    for _attempt in range(2):
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(
                    owner=owner, key=key, method=method, path=path, fingerprint=fingerprint
                )
            return record, True
        except IntegrityError:
            # Not .get(): the holder may delete its claim (failure) between our INSERT and this read.
            existing = IdempotencyKey.objects.filter(owner=owner, key=key).first()
            if existing is not None:
                return existing, False
    return None, False

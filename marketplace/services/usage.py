"""Usage that apps report for usage-based installations (billed monthly in arrears, see services/subscriptions.py)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from marketplace.exceptions import ValidationError
from marketplace.models import Installation, Plan, UsageRecord

M = Plan.Model


def usage_report(
    *, installation: Installation, quantity: int, idempotency_key: str, occurred_at: datetime | None = None
) -> tuple[UsageRecord, bool]:
    """Record usage units for a usage-based installation; the same key twice records once."""
    if installation.plan.model != M.USAGE:
        raise ValidationError("Usage is reported for usage-based plans only.")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise ValidationError("Report a positive whole number of units.", field="quantity")
    if not idempotency_key or len(idempotency_key) > 100:
        raise ValidationError("Send an idempotency key of 1 to 100 characters.", field="idempotency_key")
    with transaction.atomic():
        record, created = UsageRecord.objects.get_or_create(
            installation=installation,
            idempotency_key=idempotency_key,
            defaults={"quantity": quantity, "occurred_at": occurred_at or timezone.now()},
        )
    return record, created

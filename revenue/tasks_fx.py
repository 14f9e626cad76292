"""Celery task of exchange rates (imported by RevenueConfig.ready so it registers)."""

from celery import shared_task
from django.db import OperationalError

from revenue.fx_providers import ProviderError
from revenue.services.fx import rates_update


@shared_task(
    name="revenue.update_fx_rates",
    time_limit=120,
    soft_time_limit=100,
    acks_late=True,
    autoretry_for=(OperationalError, ProviderError),
    retry_backoff=300,
    max_retries=6,
)
def update_fx_rates() -> str:
    """Fetch today's rates from REVENUE_FX_PROVIDER (beat: daily, when REVENUE_FX_DAILY_UPDATE). Idempotent per
    day; an unreachable provider is retried with backoff (about half an hour in all)."""
    return rates_update().summary()

"""Celery tasks of subscriptions (imported by RevenueConfig.ready so they register). Thin and idempotent: each
calls a service that is safe to run twice (renewal charges are keyed by subscription and period)."""

from celery import shared_task
from django.db import OperationalError

from revenue.models import DunningAttempt, Subscription
from revenue.services.dunning import dunning_run, reminder_send
from revenue.services.subscriptions_billing import renewals_due, subscription_renew

RETRY = {"acks_late": True, "autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 5}


@shared_task(name="revenue.subscription_renew", time_limit=120, soft_time_limit=100, **RETRY)
def subscription_renew_task(subscription_id: int) -> str:
    """Renew (or end, or pause) one subscription whose period ended."""
    subscription = Subscription.objects.filter(pk=subscription_id).first()
    if subscription is None:
        return "missing"
    charge = subscription_renew(subscription=subscription)
    return charge.state if charge is not None else "no charge"


@shared_task(name="revenue.renew_subscriptions", time_limit=900, soft_time_limit=840, **RETRY)
def renew_subscriptions() -> int:
    """Beat (every 15 minutes): one task per subscription whose period or pause has ended."""
    due = renewals_due()
    for subscription_id in due:
        subscription_renew_task.delay(subscription_id)
    return len(due)


@shared_task(name="revenue.run_dunning", time_limit=900, soft_time_limit=840, **RETRY)
def run_dunning() -> dict[str, int]:
    """Beat (hourly): retry failed renewals on the schedule, suspend after the grace period."""
    return dunning_run()


@shared_task(name="revenue.subscription_dunning_email", time_limit=60, soft_time_limit=50, **RETRY)
def subscription_dunning_email(attempt_id: int) -> bool:
    """The failed-payment reminder for one attempt (sent once)."""
    attempt = DunningAttempt.objects.filter(pk=attempt_id).first()
    return bool(attempt) and reminder_send(attempt=attempt)

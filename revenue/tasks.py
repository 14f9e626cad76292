"""Celery tasks of revenue. Explicit names, late acknowledgement, time limits; each calls one service that is
safe to run twice (and concurrently): escrow releases are keyed per line, payouts per run day and covered
entries, tier changes only when the tier differs, refund submissions reuse the refund's gateway key."""

from celery import shared_task
from django.db import OperationalError

from revenue.services.escrow import escrow_release_due, reserve_release_due
from revenue.services.payments import payments_recover_stale
from revenue.services.payouts import payouts_create_due
from revenue.services.refunds import refunds_submit_pending
from revenue.services.tiers import tiers_recompute

RETRY = {
    "acks_late": True,
    "autoretry_for": (OperationalError,),  # deadlock victim, lost connection: the services roll back whole
    "retry_backoff": True,
    "max_retries": 5,
}


@shared_task(name="revenue.release_escrow", time_limit=900, soft_time_limit=840, **RETRY)
def release_escrow() -> int:
    """Move sellers' shares past their escrow hold from pending to available, and reserves past their
    reserve_days from reserve to available (beat: hourly)."""
    return escrow_release_due() + reserve_release_due()


@shared_task(name="revenue.create_payouts", time_limit=1800, soft_time_limit=1740, **RETRY)
def create_payouts() -> list[str]:
    """Create the payouts due today and send their transfers (beat: daily). Returns the payouts' public ids."""
    return [str(payout.public_id) for payout in payouts_create_due()]


@shared_task(name="revenue.recompute_tiers", time_limit=1800, soft_time_limit=1740, **RETRY)
def recompute_tiers() -> int:
    """Recompute sellers' tiers from trailing-12-month net revenue (beat: daily). Returns how many changed."""
    return tiers_recompute()


@shared_task(name="revenue.submit_pending_refunds", time_limit=600, soft_time_limit=540, **RETRY)
def submit_pending_refunds() -> int:
    """Ask the gateway again for refunds whose first request got no answer (beat: every 15 minutes)."""
    return refunds_submit_pending()


@shared_task(name="revenue.recover_payments", time_limit=600, soft_time_limit=540, **RETRY)
def recover_payments() -> list[str]:
    """Settle payments whose gateway answer was never recorded (beat: every 15 minutes)."""
    return [str(payment.public_id) for payment in payments_recover_stale()]

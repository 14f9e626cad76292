"""Celery tasks of the marketplace: thin, explicit names, take ids, safe to run twice."""

from celery import shared_task
from django.db import OperationalError


@shared_task(name="marketplace.run_checks", acks_late=True, time_limit=60, soft_time_limit=50)
def run_checks(version_id: int, run: int) -> list[str]:
    """Fan out one task per automated check of submission `run`."""
    from marketplace.services.checks import checks_prepare

    names = checks_prepare(version_id=version_id, run=run)
    for name in names:
        run_check.delay(version_id, run, name)
    return names


@shared_task(
    name="marketplace.run_check",
    acks_late=True,
    time_limit=300,
    soft_time_limit=280,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def run_check(version_id: int, run: int, name: str) -> str | None:
    from marketplace.services.checks import check_run

    result = check_run(version_id=version_id, run=run, name=name)
    return result.status if result else None


@shared_task(name="marketplace.expire", acks_late=True, time_limit=300, soft_time_limit=280)
def expire() -> dict:
    """Daily: end lapsed trials and subscriptions, and expire year-old certification badges."""
    from marketplace.services.certification import badges_expire
    from marketplace.services.installs import installations_expire
    from marketplace.services.subscriptions import stale_resync

    return {
        "installations": installations_expire(),
        "subscriptions_resynced": stale_resync(),
        "badges": badges_expire(),
    }


@shared_task(name="marketplace.resume_checks", acks_late=True, time_limit=300, soft_time_limit=280)
def resume_checks() -> int:
    """Hourly: re-run checks of submissions whose check tasks were lost (still pending after 15 minutes)."""
    from marketplace.services.checks_recovery import stale_submissions

    stale = stale_submissions()
    for version_id, run in stale:
        run_checks.delay(version_id, run)
    return len(stale)

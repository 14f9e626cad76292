"""Celery tasks of the community app: thin, take plain values, safe to run twice."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone


@shared_task(
    name="growth.send_email",
    acks_late=True,
    time_limit=60,
    soft_time_limit=50,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_email(to: list[str], subject: str, body: str) -> int:
    return send_mail(subject, body, getattr(settings, "DEFAULT_FROM_EMAIL", None), to)


@shared_task(name="growth.sweep", acks_late=True, time_limit=240, soft_time_limit=230)
def sweep() -> dict[str, int]:
    """Every minute: expire cart holds and waitlist offers (freeing their seats), send event reminders."""
    from growth.services.reminders import reminders_send
    from growth.services.tickets import holds_expire

    now = timezone.now()
    return {"holds_expired": holds_expire(now=now), "reminders_sent": reminders_send(now=now)}

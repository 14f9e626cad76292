"""Celery tasks: thin wrappers over services, safe to run twice (each also has a management command)."""

from celery import shared_task

from certification.services.certificates import reminders_send
from certification.services.exams import attempts_expire
from certification.services.statistics import item_statistics_recompute


@shared_task(name="certification.item_statistics", time_limit=600, soft_time_limit=540, acks_late=True)
def item_statistics() -> int:
    return item_statistics_recompute()


@shared_task(
    name="certification.recertification_reminders", time_limit=300, soft_time_limit=270, acks_late=True
)
def recertification_reminders() -> int:
    return reminders_send()


@shared_task(name="certification.expire_attempts", time_limit=120, soft_time_limit=100, acks_late=True)
def expire_attempts() -> int:
    return attempts_expire()

"""Celery tasks of the services marketplace (registered from revenue.apps). Safe to run twice and concurrently:
each milestone is released under its row lock, once (release:<line id> on the ledger)."""

from celery import shared_task

from revenue.services.partner_milestones import milestones_auto_accept_due, milestones_link_paid_due
from revenue.tasks import RETRY


@shared_task(name="revenue.services_auto_accept", time_limit=900, soft_time_limit=840, **RETRY)
def services_auto_accept() -> dict[str, int]:
    """Fund milestones whose payment hook did not run, then release delivered milestones past their auto-accept
    window (beat: hourly)."""
    linked = milestones_link_paid_due()
    return {"linked": linked, "released": milestones_auto_accept_due()}

"""Celery tasks of accounts. They take ids, re-fetch, call a service, and are safe to run twice."""

import smtplib

from celery import shared_task
from django.db import OperationalError

from novacron.accounts.services.invitations import invitation_expire_overdue, invitation_send_email


@shared_task(
    name="accounts.expire_invitations",
    time_limit=300,
    soft_time_limit=240,
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def expire_invitations() -> int:
    """Mark pending invitations past their expiry as expired (beat: every 6 hours). Returns how many."""
    return invitation_expire_overdue()


@shared_task(
    name="accounts.send_invitation_email",
    time_limit=60,
    soft_time_limit=45,
    acks_late=True,
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError, OperationalError),
    retry_backoff=True,
    max_retries=5,
)
def send_invitation_email(*, invitation_id: int, accept_url: str) -> bool:
    """Email the accept link. The link carries the raw token, which exists nowhere else: it travels in this
    task's message (the broker is internal) and the email, never in the database. Skips invitations no
    longer pending, so a retry after revocation sends nothing."""
    return invitation_send_email(invitation_id=invitation_id, accept_url=accept_url)

"""Emails the community app sends. Each goes out after the transaction commits, through a Celery task.

Review notifications are built from the anonymised view of a submission only: never a speaker's name or email."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction

from growth.timezones import format_in_zone


def _site() -> str:
    return getattr(settings, "SITE_URL", "http://localhost:8000").rstrip("/")


def send(to: Iterable[str], subject: str, body: str) -> None:
    recipients = sorted({address for address in to if address})
    if not recipients:
        return
    from growth.tasks import send_email

    def deliver() -> None:
        for address in recipients:  # one message each: recipients never see each other
            send_email.delay([address], subject, body)

    transaction.on_commit(deliver)


def event_link(event: Any) -> str:
    return f"{_site()}/community/events/{event.slug}/"


def rsvp_promoted(user: Any, event: Any) -> None:
    send(
        [user.email],
        f"You're in: {event.title}",
        f"A seat freed up and you moved from the waitlist to the attendee list of {event.title}.\n"
        f"When: {format_in_zone(event.starts_at, event.timezone)}\n{event_link(event)}\n"
        "Can't make it any more? Cancel on the event page so the next person gets your seat.",
    )


def waitlist_offer(user: Any, event: Any, ticket_type: Any, expires_at: Any) -> None:
    send(
        [user.email],
        f"A ticket is waiting for you: {event.title}",
        f"A {ticket_type.name} ticket for {event.title} is reserved in your name until "
        f"{format_in_zone(expires_at, event.timezone)}. Pay before then or it passes to the next person.\n"
        f"{_site()}/community/tickets/cart/",
    )


def tickets_issued(user: Any, event: Any, count: int) -> None:
    send(
        [user.email],
        f"Your tickets for {event.title}",
        f"{count} ticket(s) for {event.title} are ready. Show the QR code at the entrance.\n"
        f"{_site()}/community/tickets/",
    )


def event_cancelled(emails: Iterable[str], event: Any) -> None:
    send(emails, f"Cancelled: {event.title}", f"{event.title} has been cancelled by its organisers.")


def event_reminder(user: Any, event: Any, when: str) -> None:
    send(
        [user.email],
        f"Reminder: {event.title} starts in {when}",
        f"{event.title} starts {format_in_zone(event.starts_at, event.timezone)}.\n{event_link(event)}",
    )


def submission_received(emails: Iterable[str], submission: Any) -> None:
    send(
        emails,
        f"Submission received: {submission.title}",
        f"Thank you for submitting to {submission.conference.name}. We'll let you know after review.",
    )


def submission_to_review(emails: Iterable[str], anonymised: dict[str, Any]) -> None:
    """To reviewers: only the anonymised reference, title and track."""
    send(
        emails,
        f"New submission to review: {anonymised['title']}",
        f"A new {anonymised['type']} in track {anonymised['track']} is ready for review "
        f"(reference {anonymised['reference']}).\n{_site()}/community/review/{anonymised['reference']}/",
    )


def submission_decided(emails: Iterable[str], submission: Any) -> None:
    wording = {
        "accepted": "has been accepted — congratulations! We'll be in touch about the schedule.",
        "rejected": "was not selected this time. Thank you for submitting.",
        "waitlisted": "is on the waitlist: we'll tell you if a slot opens.",
    }[submission.state]
    send(emails, f"Your submission: {submission.title}", f'"{submission.title}" {wording}')


def funding_decided(user: Any, request: Any) -> None:
    send(
        [user.email],
        f"Funding request {request.state}: {request.title}",
        f'Your funding request "{request.title}" is {request.state}. {request.decision_note}'.strip(),
    )

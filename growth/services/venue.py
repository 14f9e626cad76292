"""Virtual venue: who may watch, and session Q&A (ask, upvote once, moderate)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F

from growth.exceptions import PermissionDenied, ValidationError
from growth.models import RSVP, Question, QuestionVote, Session, Ticket
from growth.permissions import can_manage_conference


def can_attend(user: Any, event_id: int) -> bool:
    """Confirmed attendees: a valid ticket (ticketed events) or a `going` RSVP."""
    if not (user and user.is_authenticated):
        return False
    if Ticket.objects.filter(event_id=event_id, holder_id=user.pk, state=Ticket.State.VALID).exists():
        return True
    return RSVP.objects.filter(event_id=event_id, user_id=user.pk, state=RSVP.State.GOING).exists()


def attending_event_ids(user: Any) -> set[int]:
    """The events `user` is a confirmed attendee of (the `can_attend` rule, for a whole list at once)."""
    if not (user and user.is_authenticated):
        return set()
    tickets = Ticket.objects.filter(holder_id=user.pk, state=Ticket.State.VALID).values_list(
        "event_id", flat=True
    )
    rsvps = RSVP.objects.filter(user_id=user.pk, state=RSVP.State.GOING).values_list("event_id", flat=True)
    return set(tickets) | set(rsvps)


def question_ask(*, session: Session, author: Any, text: str) -> Question:
    if not can_attend(author, session.conference.event_id):
        raise PermissionDenied("Only attendees ask questions.")
    text = text.strip()
    if not 3 <= len(text) <= 500:
        raise ValidationError("Ask in 3 to 500 characters.", field="text")
    return Question.objects.create(session=session, author=author, text=text)


def question_upvote(*, question: Question, user: Any) -> Question:
    """One vote per person; voting again is a no-op."""
    if not can_attend(user, question.session.conference.event_id):
        raise PermissionDenied("Only attendees vote.")
    if question.author_id == user.pk:
        raise ValidationError("You can't upvote your own question.")
    try:
        with transaction.atomic():
            QuestionVote.objects.create(question=question, user=user)
            Question.objects.filter(pk=question.pk).update(upvotes=F("upvotes") + 1)
    except IntegrityError:
        pass
    question.refresh_from_db()
    return question


def question_moderate(*, question: Question, actor: Any, state: str) -> Question:
    if not can_manage_conference(actor, question.session.conference):
        raise PermissionDenied("Only moderators change questions.")
    if state not in Question.State.values:
        raise ValidationError("Choose visible, answered or hidden.", field="state")
    question.state = state
    question.save(update_fields=["state"])
    return question

"""Feedback on the assistant's answers: one per user per message, changed by giving it again."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from devex.models import Feedback, Message
from novacron.core.exceptions import NotFound, ValidationError

COMMENT_MAX_LENGTH = 2000


def feedback_give(*, message: Message, user: Any, helpful: bool, comment: str = "") -> Feedback:
    """Record (or update) `user`'s verdict on an assistant answer in one of their own conversations.

    The message row is locked first, so two concurrent submissions by the same user end in one row.
    """
    if user is None or not user.is_authenticated:
        raise NotFound("No such answer.")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ValidationError(f"Keep the comment under {COMMENT_MAX_LENGTH} characters.", field="comment")
    with transaction.atomic():
        locked = (
            Message.objects.select_for_update()
            .select_related("conversation")
            .filter(pk=message.pk, conversation__user=user)
            .first()
        )
        if locked is None:
            raise NotFound("No such answer.")
        if locked.role != Message.Role.ASSISTANT:
            raise ValidationError("Only the assistant's answers take feedback.", field="message")
        feedback, _created = Feedback.objects.update_or_create(
            message=locked, user=user, defaults={"helpful": bool(helpful), "comment": comment}
        )
    return feedback

"""Writes for the assistant's conversations. Only the owner may ask in or delete a conversation; anyone else
gets NotFound (as if it did not exist)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from devex.models import Conversation, Message
from devex.services.assistant import AssistantAnswer, assistant_answer
from novacron.core.exceptions import NotFound, ValidationError

QUESTION_MAX_LENGTH = 1000
TITLE_MAX_LENGTH = 200
CONTEXT_QUESTIONS = 2  # earlier user questions handed to the follow-up rule
HISTORY_MESSAGES = 8  # earlier turns handed to the LLM backend


def _owned(conversation: Conversation, user: Any) -> None:
    if user is None or not user.is_authenticated or conversation.user_id != user.pk:
        raise NotFound("No such conversation.")


def clean_question(question: str) -> str:
    question = " ".join((question or "").split())
    if not question:
        raise ValidationError("Ask a question.", field="question")
    if len(question) > QUESTION_MAX_LENGTH:
        raise ValidationError(f"Keep the question under {QUESTION_MAX_LENGTH} characters.", field="question")
    return question


def _title_from(question: str) -> str:
    return question if len(question) <= 80 else question[:79].rstrip() + "…"


def conversation_start(*, user: Any, title: str = "", language: str = "en") -> Conversation:
    """A new, empty conversation owned by `user` (its title is the first question when left blank)."""
    if user is None or not user.is_authenticated:
        raise ValidationError("Sign in to talk to the assistant.")
    title = " ".join((title or "").split())
    if len(title) > TITLE_MAX_LENGTH:
        raise ValidationError(f"Keep the title under {TITLE_MAX_LENGTH} characters.", field="title")
    return Conversation.objects.create(user=user, title=title, language=language or "en")


def conversation_ask(
    *,
    conversation: Conversation,
    question: str,
    user: Any,
    sources: list[str] | None = None,
    language: str | None = None,
) -> Message:
    """Answer `question` in `conversation` and store both turns in one transaction; returns the assistant's
    message (with `citations`, `retrieval` and `answered`). Earlier turns feed the follow-up rule.

    Retrieval and composition run before the transaction (they only read), so no lock is held while searching.
    """
    _owned(conversation, user)
    question = clean_question(question)
    earlier = list(conversation.messages.order_by("-created_at", "-id")[:HISTORY_MESSAGES])[::-1]
    previous_questions = [m.content for m in earlier if m.role == Message.Role.USER][-CONTEXT_QUESTIONS:]
    history = [(m.role, m.content) for m in earlier]
    answer: AssistantAnswer = assistant_answer(
        question=question,
        previous_questions=previous_questions,
        history=history,
        sources=sources,
        language=language,
    )
    retrieval = {**answer.retrieval, "answer_backend": answer.backend}
    with transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        Message.objects.create(conversation=locked, role=Message.Role.USER, content=question)
        reply = Message.objects.create(
            conversation=locked,
            role=Message.Role.ASSISTANT,
            content=answer.content,
            citations=answer.citations,
            retrieval=retrieval,
            answered=answer.answered,
        )
        fields = ["updated_at"]
        if not locked.title:
            locked.title = _title_from(question)
            fields.append("title")
        locked.updated_at = timezone.now()
        locked.save(update_fields=fields)
    conversation.refresh_from_db(fields=["title", "updated_at"])
    return reply


def conversation_delete(*, conversation: Conversation, user: Any) -> None:
    """Delete the conversation with its messages and their feedback (the owner only)."""
    _owned(conversation, user)
    with transaction.atomic():
        conversation.delete()

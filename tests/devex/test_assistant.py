"""The assistant's conversation services: both turns stored together, follow-ups use earlier turns, "I don't
know" is recorded, and only the owner may ask in or delete a conversation."""

import pytest

from devex.models import Conversation, Message
from devex.services import assistant as assistant_service
from devex.services.assistant import assistant_answer
from devex.services.conversations import conversation_ask, conversation_delete, conversation_start
from novacron.core.exceptions import NotFound, ValidationError
from tests.devex.test_assistant_fakes import install_fake_search
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def searches(monkeypatch):
    return install_fake_search(monkeypatch)


def test_asking_stores_the_question_and_the_cited_answer(user, searches):
    conversation = conversation_start(user=user)

    reply = conversation_ask(conversation=conversation, question="How do payouts work?", user=user)

    question, answer = conversation.messages.all()
    assert (question.role, question.content) == (Message.Role.USER, "How do payouts work?")
    assert answer == reply
    assert reply.role == Message.Role.ASSISTANT
    assert reply.answered is True
    assert reply.citations[0]["url"] == "/devex/docs/user/payouts/#how-payouts-work"
    assert reply.citations[0]["n"] == 1
    assert "[1]" in reply.content
    assert reply.retrieval["question"] == "How do payouts work?"
    assert reply.retrieval["backend"] == "fake-lexical"
    assert reply.retrieval["answer_backend"] == "extractive"
    assert reply.retrieval["passages"][0]["chunk_id"] == 1
    assert reply.retrieval["passages"][0]["confident"] is True
    conversation.refresh_from_db()
    assert conversation.title == "How do payouts work?"


def test_a_follow_up_uses_the_earlier_question_and_finds_the_payout_schedule(user, searches):
    conversation = conversation_start(user=user)
    conversation_ask(conversation=conversation, question="how do payouts work?", user=user)

    reply = conversation_ask(conversation=conversation, question="and how often?", user=user)

    assert "payouts" in searches[-1]["query"]
    assert reply.retrieval["follow_up"] is True
    assert reply.retrieval["context_terms"] == ["payouts"]
    assert reply.answered is True
    assert reply.citations[0]["url"] == "/devex/docs/user/payouts/#payout-schedule"
    assert "weekly" in reply.content


def test_the_same_follow_up_in_a_new_conversation_has_no_context(user, searches):
    reply = conversation_ask(conversation=conversation_start(user=user), question="and how often?", user=user)

    assert reply.retrieval["follow_up"] is False
    assert "payouts" not in searches[-1]["query"]


def test_only_my_own_earlier_questions_are_used_not_the_answers(user, searches):
    conversation = conversation_start(user=user)
    conversation_ask(
        conversation=conversation, question="How do I authenticate with an API token?", user=user
    )
    conversation_ask(conversation=conversation, question="how do payouts work?", user=user)

    conversation_ask(conversation=conversation, question="and how often?", user=user)

    assert searches[-1]["query"] == "and? schedule payouts authenticate api token"


def test_an_off_topic_question_is_answered_with_i_dont_know(user, searches):
    conversation = conversation_start(user=user)

    reply = conversation_ask(
        conversation=conversation,
        question="Does the platform support blockchain smart contract payouts in Japan?",
        user=user,
    )

    assert reply.answered is False
    assert reply.citations == []
    assert reply.content.startswith("I don't know")
    assert reply.retrieval["suggestions"]  # the closest pages are recorded for the docs-quality report


def test_filters_reach_retrieval(user, searches):
    conversation_ask(
        conversation=conversation_start(user=user),
        question="How do payouts work?",
        user=user,
        sources=["docs"],
        language="en",
    )

    assert searches[-1]["sources"] == ["docs"]
    assert searches[-1]["language"] == "en"


def test_nothing_is_written_when_retrieval_fails(user, monkeypatch):
    install_fake_search(monkeypatch)

    def broken(query, **kwargs):
        raise RuntimeError("index missing")

    monkeypatch.setattr(assistant_service, "search_passages", broken)
    conversation = conversation_start(user=user)

    with pytest.raises(RuntimeError):
        conversation_ask(conversation=conversation, question="How do payouts work?", user=user)

    assert not conversation.messages.exists()


@pytest.mark.parametrize("question", ["", "   ", "x" * 1001])
def test_a_blank_or_huge_question_is_refused(user, searches, question):
    conversation = conversation_start(user=user)

    with pytest.raises(ValidationError) as error:
        conversation_ask(conversation=conversation, question=question, user=user)

    assert error.value.field == "question"
    assert not Message.objects.exists()


def test_only_the_owner_may_ask_in_or_delete_a_conversation(user, searches):
    conversation = conversation_start(user=user)
    stranger = UserFactory()

    with pytest.raises(NotFound):
        conversation_ask(conversation=conversation, question="How do payouts work?", user=stranger)
    with pytest.raises(NotFound):
        conversation_delete(conversation=conversation, user=stranger)

    assert Conversation.objects.filter(pk=conversation.pk).exists()
    conversation_delete(conversation=conversation, user=user)
    assert not Conversation.objects.filter(pk=conversation.pk).exists()


def test_deleting_removes_the_messages(user, searches):
    conversation = conversation_start(user=user)
    conversation_ask(conversation=conversation, question="How do payouts work?", user=user)

    conversation_delete(conversation=conversation, user=user)

    assert not Message.objects.exists()


def test_the_pipeline_answers_without_storing_anything(searches):
    answer = assistant_answer(question="How do I authenticate with an API token?")

    assert answer.answered is True
    assert answer.backend == "extractive"
    assert answer.citations[0]["url"] == "/devex/docs/api/overview/#authentication"
    assert "```bash" in answer.content
    assert not Message.objects.exists()


def test_the_facade_answers_for_other_apps_without_storing(searches):
    from devex import facade

    answered = facade.docs_answer("How do payouts work?")
    unknown = facade.docs_answer("Does the platform support blockchain smart contract payouts in Japan?")

    assert answered.answered is True
    assert answered.citations[0].url == "/devex/docs/user/payouts/#how-payouts-work"
    assert unknown.answered is False
    assert unknown.suggestions
    assert not Message.objects.exists()

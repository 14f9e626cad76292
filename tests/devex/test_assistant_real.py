"""The assistant end to end on the real retrieval engine (a tiny docs folder indexed with TF-IDF + LSA): a cited
answer, the follow-up that finds the payout schedule, "I don't know" for what the docs do not cover, the status."""

import pytest
from django.test import Client

from devex.services.assistant import assistant_answer, retrieval_status
from devex.services.conversations import conversation_ask, conversation_start
from devex.services.indexing import index_rebuild
from tests.devex.test_retrieval_support import configure

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(settings, tmp_path):
    configure(settings, tmp_path)
    settings.DEVEX_LLM_BASE_URL = ""
    index_rebuild()


def test_how_do_payouts_work_gets_a_cited_answer_from_the_payouts_page(indexed, user):
    reply = conversation_ask(
        conversation=conversation_start(user=user), question="How do payouts work?", user=user
    )

    assert reply.answered is True
    assert reply.citations[0]["url"].startswith("/devex/docs/payouts/#")
    assert "[1]" in reply.content
    assert reply.retrieval["backend"] == "tfidf-lsa"
    assert all(p["confident"] for p in reply.retrieval["passages"] if p["url"] == reply.citations[0]["url"])


def test_and_how_often_after_payouts_retrieves_the_payout_schedule_section(indexed, user):
    conversation = conversation_start(user=user)
    conversation_ask(conversation=conversation, question="how do payouts work?", user=user)

    reply = conversation_ask(conversation=conversation, question="and how often?", user=user)

    assert reply.retrieval["follow_up"] is True
    assert reply.answered is True
    assert reply.citations[0]["url"] == "/devex/docs/payouts/#payout-schedules"
    assert "daily, weekly or monthly" in reply.content


@pytest.mark.parametrize(
    "question",
    ["What is the capital of France?", "How do I bake sourdough bread?", "Who won the 2022 world cup?"],
)
def test_questions_the_docs_do_not_cover_get_i_dont_know(indexed, question):
    answer = assistant_answer(question=question)

    assert answer.answered is False
    assert answer.citations == []
    assert answer.content.startswith("I don't know")


def test_the_code_example_of_the_cited_section_is_included(indexed):
    answer = assistant_answer(question="What does the JSON body of an API error look like?")

    assert answer.answered is True
    assert answer.citations[0]["url"] == "/devex/docs/api/tokens/#errors"
    assert '```json\n{"error": {"code": "invalid"}}\n```' in answer.content


def test_the_status_line_names_the_active_backend(indexed, user):
    status = retrieval_status()
    client = Client()
    client.force_login(user)

    page = client.get("/devex/assistant/").content.decode()

    assert status["name"] == "tfidf-lsa"
    assert status["index"] == "exact"
    assert status["chunks"] > 0
    assert status["last_build"]
    assert "tfidf-lsa" in page
    assert f"{status['chunks']} passages" in page


def test_without_an_index_the_assistant_says_it_does_not_know_and_the_status_says_why(settings, tmp_path):
    configure(settings, tmp_path)

    answer = assistant_answer(question="How do payouts work?")

    assert answer.answered is False
    assert "reindex_docs" in retrieval_status()["note"]

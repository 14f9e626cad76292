"""The assistant in the portal: the chat page without JavaScript (POST, redirect) and with fetch (fragments),
citation links, feedback, deleting, privacy, the landing page and the dashboard panel."""

import re

import pytest
from django.test import Client

from devex.models import Conversation, Feedback, Message
from devex.services.conversations import conversation_ask, conversation_start
from tests.devex.test_assistant_fakes import install_fake_search
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


@pytest.fixture(autouse=True)
def _fake_search(monkeypatch):
    install_fake_search(monkeypatch)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_chat_page_needs_a_sign_in():
    response = Client().get("/devex/assistant/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_asking_without_javascript_redirects_to_the_conversation_with_a_cited_answer(user):
    client = _client(user)

    response = client.post("/devex/assistant/", {"question": "How do payouts work?"})

    conversation = Conversation.objects.get(user=user)
    reply = conversation.messages.get(role=Message.Role.ASSISTANT)
    assert response.status_code == 302
    assert response["Location"] == f"/devex/assistant/{conversation.public_id}/#m-{reply.public_id}"
    page = client.get(f"/devex/assistant/{conversation.public_id}/").content.decode()
    assert "How do payouts work?" in page
    assert '<a class="citation" href="/devex/docs/user/payouts/#how-payouts-work"' in page
    assert re.search(
        r'<li><a href="/devex/docs/user/payouts/#how-payouts-work"[^>]*>Payouts › How payouts work</a>', page
    )
    assert "<pre><code" in page  # the code example
    assert "Search backend" in page
    assert "fake-lexical" in page


def test_a_follow_up_in_the_same_conversation_finds_the_schedule(user):
    client = _client(user)
    client.post("/devex/assistant/", {"question": "how do payouts work?"})
    conversation = Conversation.objects.get(user=user)

    client.post(f"/devex/assistant/{conversation.public_id}/", {"question": "and how often?"})

    last = conversation.messages.filter(role=Message.Role.ASSISTANT).last()
    assert last.citations[0]["url"] == "/devex/docs/user/payouts/#payout-schedule"
    page = client.get(f"/devex/assistant/{conversation.public_id}/").content.decode()
    assert "follow-up" in page


def test_with_fetch_the_answer_comes_back_as_a_fragment_to_append(user):
    response = _client(user).post("/devex/assistant/", {"question": "How do payouts work?"}, **FETCH)

    conversation = Conversation.objects.get(user=user)
    body = response.content.decode()
    assert response.status_code == 200
    assert response["X-Conversation-Url"] == f"/devex/assistant/{conversation.public_id}/"
    assert "<html" not in body
    assert body.count('<li id="m-') == 2  # the question and the answer
    assert 'class="citation"' in body
    assert "Was this helpful?" in body


def test_an_empty_question_is_a_form_error_and_starts_nothing(user):
    client = _client(user)

    page = client.post("/devex/assistant/", {"question": "  "})
    fragment = client.post("/devex/assistant/", {"question": ""}, **FETCH)

    assert page.status_code == fragment.status_code == 400
    assert "Ask a question." in page.content.decode()
    assert "Ask a question." in fragment.content.decode()
    assert not Conversation.objects.exists()


def test_the_i_dont_know_answer_is_marked_and_links_the_closest_pages(user):
    client = _client(user)

    client.post("/devex/assistant/", {"question": "Does the platform support blockchain smart contracts?"})

    conversation = Conversation.objects.get(user=user)
    page = client.get(f"/devex/assistant/{conversation.public_id}/").content.decode()
    assert "I don’t know" in page or "I don't know" in page
    assert "not in the docs" in page
    assert "msg-unanswered" in page


def test_someone_elses_conversation_is_a_404_for_reading_asking_deleting_and_feedback(user):
    conversation = conversation_start(user=user)
    reply = conversation_ask(conversation=conversation, question="How do payouts work?", user=user)
    stranger = _client(UserFactory())

    assert stranger.get(f"/devex/assistant/{conversation.public_id}/").status_code == 404
    assert stranger.post(f"/devex/assistant/{conversation.public_id}/", {"question": "hi"}).status_code == 404
    assert stranger.post(f"/devex/assistant/{conversation.public_id}/delete/").status_code == 404
    assert (
        stranger.post(f"/devex/assistant/messages/{reply.public_id}/feedback/", {"helpful": "1"}).status_code
        == 404
    )
    assert conversation.messages.count() == 2
    assert not Feedback.objects.exists()


def test_the_side_list_shows_only_my_conversations(user):
    mine = conversation_start(user=user, title="Mine")
    theirs = conversation_start(user=UserFactory(), title="Theirs")

    page = _client(user).get("/devex/assistant/").content.decode()

    assert str(mine.public_id) in page
    assert str(theirs.public_id) not in page


def test_feedback_without_javascript_then_changed_with_fetch(user):
    reply = conversation_ask(
        conversation=conversation_start(user=user), question="How do payouts work?", user=user
    )
    client = _client(user)
    url = f"/devex/assistant/messages/{reply.public_id}/feedback/"

    first = client.post(url, {"helpful": "0", "comment": "Which currencies?"})
    second = client.post(url, {"helpful": "1", "comment": ""}, **FETCH)

    assert first.status_code == 302
    assert first["Location"].endswith(f"#m-{reply.public_id}")
    assert second.status_code == 200
    assert "Thanks for your feedback." in second.content.decode()
    feedback = Feedback.objects.get()
    assert (feedback.helpful, feedback.comment) == (True, "")


def test_feedback_needs_a_verdict(user):
    reply = conversation_ask(
        conversation=conversation_start(user=user), question="How do payouts work?", user=user
    )

    response = _client(user).post(
        f"/devex/assistant/messages/{reply.public_id}/feedback/", {"comment": "meh"}, **FETCH
    )

    assert response.status_code == 400
    assert not Feedback.objects.exists()


def test_deleting_a_conversation(user):
    conversation = conversation_start(user=user)

    response = _client(user).post(f"/devex/assistant/{conversation.public_id}/delete/")

    assert response.status_code == 302
    assert not Conversation.objects.exists()


def test_the_landing_page_links_the_assistant_the_docs_and_the_api(user):
    anonymous = Client().get("/devex/").content.decode()
    signed_in = _client(user).get("/devex/").content.decode()

    for body in (anonymous, signed_in):
        assert 'href="/devex/assistant/"' in body
        assert 'href="/devex/docs/"' in body
        assert 'href="/api/docs/"' in body
        assert "fake-lexical" in body
    assert 'action="/devex/assistant/"' in signed_in


def test_the_dashboard_panel_lists_recent_conversations(user):
    conversation = conversation_start(user=user, title="About payouts")

    body = _client(user).get("/dashboard/").content.decode()

    assert "Docs assistant" in body
    assert f"/devex/assistant/{conversation.public_id}/" in body
    assert re.search(r'<form method="post" action="/devex/assistant/"', body)

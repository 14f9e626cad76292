"""The docs assistant API (/api/v1/devex/): ask, conversations, follow-ups, feedback, search, status, privacy and
token scopes. The paths are the `novacron` CLI's contract."""

import pytest
from rest_framework.test import APIClient

from devex.models import Conversation, Feedback, Message
from tests.accounts.factories import api_token
from tests.devex.test_assistant_fakes import install_fake_search
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/devex"


@pytest.fixture
def searches(monkeypatch):
    return install_fake_search(monkeypatch)


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _ask(client, question, **extra):
    return client.post(f"{BASE}/assistant/ask/", {"question": question, **extra}, format="json")


def test_ask_answers_with_citations_and_starts_a_conversation(user, searches):
    response = _ask(_client(user), "How do payouts work?")

    body = response.json()
    assert response.status_code == 200, body
    assert body["answered"] is True
    assert body["question"] == "How do payouts work?"
    assert "[1]" in body["answer"]
    assert "**Sources**" in body["answer"]
    citation = body["citations"][0]
    assert citation["n"] == 1
    assert citation["url"] == "/devex/docs/user/payouts/#how-payouts-work"
    assert citation["absolute_url"] == "http://testserver/devex/docs/user/payouts/#how-payouts-work"
    assert citation["heading_path"] == "Payouts › How payouts work"
    assert body["backend"] == "extractive"
    assert body["retrieval_backend"] == "fake-lexical"
    assert body["follow_up"] is False
    conversation = Conversation.objects.get(user=user)
    assert body["conversation"] == str(conversation.public_id)
    assert body["message"] == str(conversation.messages.get(role=Message.Role.ASSISTANT).public_id)


def test_ask_in_a_conversation_follows_up_on_the_earlier_question(user, searches):
    client = _client(user)
    first = _ask(client, "how do payouts work?").json()

    second = _ask(client, "and how often?", conversation=first["conversation"]).json()

    assert second["conversation"] == first["conversation"]
    assert second["follow_up"] is True
    assert "payouts" in second["query"]
    assert second["citations"][0]["url"] == "/devex/docs/user/payouts/#payout-schedule"


def test_an_off_topic_question_says_it_does_not_know(user, searches):
    body = _ask(_client(user), "Does the platform support blockchain smart contract payouts in Japan?").json()

    assert body["answered"] is False
    assert body["citations"] == []
    assert body["answer"].startswith("I don't know")


def test_ask_validates_its_input(user, searches):
    client = _client(user)

    blank = _ask(client, "")
    huge = _ask(client, "x" * 1001)
    bad_source = _ask(client, "payouts", sources=["wiki"])
    unknown_conversation = _ask(client, "payouts", conversation="00000000-0000-0000-0000-000000000000")

    assert blank.status_code == huge.status_code == bad_source.status_code == 400
    assert "question" in blank.json()["error"]["fields"]
    assert "sources" in bad_source.json()["error"]["fields"]
    assert unknown_conversation.status_code == 404
    assert not Message.objects.exists()


def test_ask_passes_the_filters_to_retrieval(user, searches):
    _ask(_client(user), "How do payouts work?", sources=["docs"], language="en")

    assert searches[-1]["sources"] == ["docs"]
    assert searches[-1]["language"] == "en"


def test_ask_honours_idempotency_keys(user, searches):
    client = _client(user)

    first = client.post(
        f"{BASE}/assistant/ask/",
        {"question": "How do payouts work?"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k1",
    )
    again = client.post(
        f"{BASE}/assistant/ask/",
        {"question": "How do payouts work?"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k1",
    )

    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Message.objects.count() == 2


def test_conversations_list_create_read_and_delete(user, searches):
    client = _client(user)

    created = client.post(
        f"{BASE}/assistant/conversations/",
        {"title": "Payouts", "question": "How do payouts work?"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    conversation = created.json()
    assert conversation["title"] == "Payouts"
    assert [m["role"] for m in conversation["messages"]] == ["user", "assistant"]
    assert conversation["messages"][1]["citations"][0]["n"] == 1
    assert conversation["messages"][1]["feedback"] is None
    url = f"{BASE}/assistant/conversations/{conversation['public_id']}/"

    asked = client.post(f"{url}messages/", {"question": "and how often?"}, format="json")
    listing = client.get(f"{BASE}/assistant/conversations/").json()
    detail = client.get(url).json()

    assert asked.status_code == 201
    assert asked.json()["follow_up"] is True
    assert listing["count"] == 1
    assert listing["results"][0]["message_count"] == 4
    assert len(detail["messages"]) == 4
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404
    assert not Message.objects.exists()


def test_an_empty_conversation_can_be_started(user, searches):
    created = _client(user).post(f"{BASE}/assistant/conversations/", {}, format="json")

    assert created.status_code == 201
    assert created.json()["messages"] == []


def test_someone_elses_conversation_and_answers_are_404(user, searches):
    mine = _ask(_client(user), "How do payouts work?").json()
    stranger = _client(UserFactory())
    url = f"{BASE}/assistant/conversations/{mine['conversation']}/"

    assert stranger.get(url).status_code == 404
    assert stranger.delete(url).status_code == 404
    assert stranger.post(f"{url}messages/", {"question": "and how often?"}, format="json").status_code == 404
    assert _ask(stranger, "and how often?", conversation=mine["conversation"]).status_code == 404
    feedback = stranger.post(
        f"{BASE}/assistant/messages/{mine['message']}/feedback/", {"helpful": True}, format="json"
    )
    assert feedback.status_code == 404
    assert stranger.get(f"{BASE}/assistant/conversations/").json()["count"] == 0
    assert Message.objects.count() == 2
    assert not Feedback.objects.exists()


def test_feedback_is_created_then_updated(user, searches):
    client = _client(user)
    answer = _ask(client, "How do payouts work?").json()
    url = f"{BASE}/assistant/messages/{answer['message']}/feedback/"

    created = client.post(url, {"helpful": False, "comment": "No minimum amount"}, format="json")
    updated = client.post(url, {"helpful": True}, format="json")
    missing = client.post(url, {"comment": "?"}, format="json")

    assert created.status_code == 201
    assert created.json()["comment"] == "No minimum amount"
    assert updated.status_code == 200
    assert updated.json()["helpful"] is True
    assert missing.status_code == 400
    assert "helpful" in missing.json()["error"]["fields"]
    assert Feedback.objects.count() == 1
    detail = client.get(f"{BASE}/assistant/conversations/{answer['conversation']}/").json()
    assert detail["messages"][1]["feedback"]["helpful"] is True


def test_feedback_on_a_question_is_404(user, searches):
    client = _client(user)
    answer = _ask(client, "How do payouts work?").json()
    question = Message.objects.get(role=Message.Role.USER)

    response = client.post(
        f"{BASE}/assistant/messages/{question.public_id}/feedback/", {"helpful": True}, format="json"
    )

    assert answer["message"] != str(question.public_id)
    assert response.status_code == 404


def test_search_returns_raw_passages_with_the_confidence_verdict(user, searches):
    response = _client(user).get(f"{BASE}/search/", {"q": "payouts schedule", "k": 2, "method": "lexical"})

    body = response.json()
    assert response.status_code == 200
    assert body["backend"] == "fake-lexical"
    assert body["method"] == "lexical"
    assert len(body["results"]) == 2
    top = body["results"][0]
    assert top["url"] == "/devex/docs/user/payouts/#payout-schedule"
    assert top["lexical_rank"] == 1
    assert top["dense_rank"] is None
    assert top["confident"] is True
    assert searches[-1] == {
        "query": "payouts schedule",
        "k": 2,
        "sources": None,
        "language": None,
        "method": "lexical",
    }


def test_search_filters_and_validation(user, searches):
    client = _client(user)

    client.get(f"{BASE}/search/?q=payouts&source=docs,lesson&language=en")
    repeated = client.get(f"{BASE}/search/?q=payouts&source=docs&source=article")
    bad = client.get(f"{BASE}/search/", {"q": "payouts", "k": 500, "method": "magic", "source": "wiki"})
    empty = client.get(f"{BASE}/search/")

    assert searches[0]["sources"] == ["docs", "lesson"]
    assert searches[0]["language"] == "en"
    assert repeated.status_code == 200
    assert searches[1]["sources"] == ["docs", "article"]
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"k", "method", "source"}
    assert empty.status_code == 400


def test_status_says_which_backends_are_active(user, searches, settings):
    settings.DEVEX_LLM_BASE_URL = ""
    settings.DEVEX_LLM_MODEL = ""

    body = _client(user).get(f"{BASE}/status/").json()

    assert body["retrieval"]["name"] == "fake-lexical"
    assert body["retrieval"]["chunks"] == 6
    assert body["answers"] == "extractive"
    assert body["llm"] == {"enabled": False, "model": ""}


def test_the_api_needs_authentication_and_the_devex_scopes(user, searches):
    _, read_only = api_token(user, scopes=["devex:read"])
    _, other_area = api_token(user, scopes=["revenue:write"], name="other")
    _, writer = api_token(user, scopes=["devex:write"], name="writer")

    def client(raw):
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return api

    assert APIClient().get(f"{BASE}/status/").status_code == 401
    assert client(read_only).get(f"{BASE}/status/").status_code == 200
    assert client(read_only).get(f"{BASE}/search/?q=payouts").status_code == 200
    assert _ask(client(read_only), "How do payouts work?").status_code == 403
    assert client(other_area).get(f"{BASE}/status/").status_code == 403
    assert _ask(client(writer), "How do payouts work?").status_code == 200


def test_the_endpoints_are_documented_under_the_devex_tag(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()

    paths = {
        "/api/v1/devex/assistant/ask/": ["post"],
        "/api/v1/devex/assistant/conversations/": ["get", "post"],
        "/api/v1/devex/assistant/conversations/{public_id}/": ["get", "delete"],
        "/api/v1/devex/assistant/conversations/{public_id}/messages/": ["post"],
        "/api/v1/devex/assistant/messages/{public_id}/feedback/": ["post"],
        "/api/v1/devex/search/": ["get"],
        "/api/v1/devex/status/": ["get"],
    }
    for path, methods in paths.items():
        for method in methods:
            assert schema["paths"][path][method]["tags"] == ["devex"], (path, method)

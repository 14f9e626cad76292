"""The documentation assistant through the SDK and `novacron docs`/`novacron status`, against the live server
with a real index of this repository's docs/ (built with the light TF-IDF + LSA vectoriser, so the `ai` extra is
not needed): a cited answer, an honest "I don't know" (exit code 3), follow-ups, search, feedback."""

from __future__ import annotations

import json
import re

import pytest
from django.core.management import call_command

from devex.models import Feedback
from novacron_sdk.resources.devex import Answer
from tests.sdk.conftest import make_token

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

ANSWERABLE = "how do payouts work?"
UNANSWERABLE = "what is the capital of peru?"


@pytest.fixture
def docs_index(settings, tmp_path):
    settings.DEVEX_VECTORISER = "tfidf-lsa"
    settings.DEVEX_INDEX_DIR = str(tmp_path / "devex-index")
    call_command("reindex_docs", stdout=open(tmp_path / "reindex.log", "w"))  # noqa: SIM115 (closed at exit)


def test_sdk_asks_searches_and_rates(docs_index, sdk):
    answer = sdk.devex.ask(ANSWERABLE)
    follow_up = sdk.devex.ask("and how often?", conversation=answer.conversation)
    unknown = sdk.devex.ask(UNANSWERABLE)
    found = sdk.devex.search("idempotency key", k=3, method="lexical")
    status = sdk.devex.status()
    feedback = sdk.devex.feedback(answer.message, helpful=False, comment="more on schedules, please")

    assert isinstance(answer, Answer)
    assert answer.answered is True
    assert answer.citations
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    assert all(c.url.startswith("/devex/docs/") and "#" in c.url for c in answer.citations)
    assert "[1]" in answer.answer
    assert follow_up.conversation == answer.conversation
    assert unknown.answered is False
    assert unknown.citations == ()
    assert unknown.answer.startswith("I don't know")
    assert 0 < len(found.results) <= 3
    assert found.method == "lexical"
    assert status.retrieval.name == "tfidf-lsa"
    assert status.retrieval.chunks
    assert status.retrieval.chunks > 0
    assert status.answers == "extractive"
    assert feedback.helpful is False
    assert Feedback.objects.get().comment == "more on schedules, please"
    assert [c.public_id for c in sdk.devex.conversations()] == [unknown.conversation, answer.conversation]


def test_cli_docs_ask_prints_numbered_citations_and_exit_codes(docs_index, logged_in, live_server):
    answered = logged_in("docs", "ask", ANSWERABLE)
    as_json = logged_in("docs", "ask", ANSWERABLE, "--json")
    follow_up = logged_in(
        "docs", "ask", "and how often?", "--conversation", json.loads(as_json.out)["conversation"]
    )
    not_answered = logged_in("docs", "ask", UNANSWERABLE)
    search = logged_in("docs", "search", "idempotency key", "-k", "2")
    status = logged_in("status")

    assert answered.code == 0, answered.err
    assert "[1]" in answered.out
    sources = answered.out.split("\nSources:\n", 1)[1]
    assert re.search(rf"^  \[1\] .+\n      {re.escape(live_server.url)}/devex/docs/\S+#\S+$", sources, re.M)
    assert "**Sources**" not in answered.out  # the Markdown list is replaced by the one with absolute links
    assert "Follow up with: --conversation " in answered.out
    assert as_json.code == 0
    assert json.loads(as_json.out)["answered"] is True
    assert follow_up.code == 0, follow_up.err
    assert not_answered.code == 3
    assert not_answered.out.startswith("I don't know")
    assert "Sources:" not in not_answered.out
    assert search.code == 0, search.err
    assert search.out.startswith(" 1.")
    assert f"{live_server.url}/devex/docs/" in search.out
    assert status.code == 0, status.err
    assert "API:       ok" in status.out
    assert "Assistant: answers extractive" in status.out
    assert "Retrieval: tfidf-lsa" in status.out


def test_asking_needs_the_devex_write_scope(cli, live_server, account):
    cli("login", "--base-url", live_server.url, "--token", make_token(account.user, ["read"]))

    result = cli("docs", "ask", ANSWERABLE)

    assert result.code == 2
    assert "'devex:write' (or 'write')" in result.err

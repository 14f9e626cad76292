"""The optional LLM backend against a tiny local OpenAI-compatible server (http.server on 127.0.0.1, no network):
it writes the answer from the same passages with the same citations, invalid markers are dropped, and every
failure falls back to the extractive answer."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from devex import llm
from devex.models import Message
from devex.services.assistant import assistant_answer
from devex.services.conversations import conversation_ask, conversation_start
from tests.devex.test_assistant_fakes import install_fake_search


class FakeCompletions:
    """What the fake server answers next, and what it was sent."""

    def __init__(self) -> None:
        self.reply = "Payouts go out weekly on Mondays [1]. They need a payout account [2]. Also see [9]."
        self.status = 200
        self.delay = 0.0
        self.raw: bytes | None = None
        self.requests: list[dict] = []


@pytest.fixture
def fake_llm(settings):
    state = FakeCompletions()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            if state.delay:
                time.sleep(state.delay)
            if state.raw is not None:
                payload = state.raw
            else:
                payload = json.dumps(
                    {
                        "id": "chatcmpl-1",
                        "object": "chat.completion",
                        "model": body["model"],
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": state.reply},
                                "finish_reason": "stop",
                            }
                        ],
                    }
                ).encode()
            try:
                self.send_response(state.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
                pass

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    settings.DEVEX_LLM_BASE_URL = f"http://127.0.0.1:{server.server_address[1]}/v1"
    settings.DEVEX_LLM_MODEL = "tiny-test-model"
    settings.DEVEX_LLM_API_KEY = "sk-local-test"
    settings.DEVEX_LLM_TIMEOUT = 2
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(autouse=True)
def _fake_search(monkeypatch):
    install_fake_search(monkeypatch)


def test_the_backend_is_off_by_default(settings):
    settings.DEVEX_LLM_BASE_URL = ""
    settings.DEVEX_LLM_MODEL = ""

    answer = assistant_answer(question="How do payouts work?")

    assert llm.llm_config() is None
    assert answer.backend == "extractive"
    assert answer.retrieval["llm"] is None


def test_the_model_writes_the_answer_from_the_same_passages_with_checked_citations(fake_llm):
    answer = assistant_answer(question="and how often?", previous_questions=["how do payouts work?"])

    assert answer.backend == "llm:tiny-test-model"
    assert answer.body == "Payouts go out weekly on Mondays [1]. They need a payout account [2]. Also see."
    # the marker to the non-existent passage 9 is dropped and recorded
    assert answer.retrieval["llm"] == {"model": "tiny-test-model", "used": True, "dropped_citations": [9]}
    # the markers point at the passages the model was given, in the order it numbered them
    request = fake_llm.requests[0]
    prompt = request["body"]["messages"][-1]["content"]
    given = [line for line in prompt.splitlines() if line.startswith("[")]
    assert given[0].startswith("[1] Payouts › Payout schedule (/devex/docs/user/payouts/#payout-schedule)")
    assert answer.citations[0]["url"] == "/devex/docs/user/payouts/#payout-schedule"
    assert [c["n"] for c in answer.citations] == [1, 2]
    assert (
        "**Sources**\n\n1. [Payouts › Payout schedule](/devex/docs/user/payouts/#payout-schedule)"
        in answer.content
    )
    assert answer.answered is True


def test_the_request_is_a_chat_completion_with_the_rules_the_key_and_the_model(fake_llm):
    assistant_answer(question="How do payouts work?")

    request = fake_llm.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["Authorization"] == "Bearer sk-local-test"
    body = request["body"]
    assert body["model"] == "tiny-test-model"
    assert body["temperature"] == 0
    system = body["messages"][0]
    assert system["role"] == "system"
    assert "ONLY the numbered" in system["content"]
    assert "cite only numbers from the list" in system["content"]
    assert body["messages"][-1]["content"].endswith("Question: How do payouts work?")


def test_earlier_turns_are_sent_as_history(fake_llm, user):
    conversation = conversation_start(user=user)
    conversation_ask(conversation=conversation, question="how do payouts work?", user=user)

    reply = conversation_ask(conversation=conversation, question="and how often?", user=user)

    messages = fake_llm.requests[-1]["body"]["messages"]
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[1]["content"] == "how do payouts work?"
    assert reply.retrieval["answer_backend"] == "llm:tiny-test-model"
    assert Message.objects.filter(conversation=conversation).count() == 4


@pytest.mark.parametrize(
    ("status", "reply", "raw", "reason"),
    [
        (500, "ignored", None, "HTTP 500"),
        (200, None, b"not json at all", "did not return JSON"),
        (200, None, b'{"choices": []}', "Malformed"),
        (200, "Payouts are weekly.", None, "cites none"),
        (200, "Everything is in [7].", None, "cites none"),
        (200, "I don't know.", None, "does not know"),
        (200, "   ", None, "Empty"),
    ],
)
def test_any_failure_falls_back_to_the_extractive_answer(fake_llm, status, reply, raw, reason):
    fake_llm.status = status
    fake_llm.reply = reply
    fake_llm.raw = raw

    answer = assistant_answer(question="How do payouts work?")

    assert answer.backend == "extractive"
    assert answer.answered is True
    assert answer.citations[0]["url"] == "/devex/docs/user/payouts/#how-payouts-work"
    assert "A payout moves the available balance" in answer.content
    assert answer.retrieval["llm"]["used"] is False
    assert reason in answer.retrieval["llm"]["error"]


def test_a_timeout_falls_back_too(fake_llm, settings):
    settings.DEVEX_LLM_TIMEOUT = 0.2
    fake_llm.delay = 1.0

    started = time.monotonic()
    answer = assistant_answer(question="How do payouts work?")

    assert time.monotonic() - started < 1.0
    assert answer.backend == "extractive"
    assert answer.retrieval["llm"]["used"] is False


def test_an_unreachable_endpoint_falls_back(settings):
    settings.DEVEX_LLM_BASE_URL = "http://127.0.0.1:9/v1"  # the discard port: nothing listens
    settings.DEVEX_LLM_MODEL = "tiny-test-model"
    settings.DEVEX_LLM_TIMEOUT = 1

    answer = assistant_answer(question="How do payouts work?")

    assert answer.backend == "extractive"
    assert "unreachable" in answer.retrieval["llm"]["error"]


def test_the_model_is_not_asked_when_the_docs_do_not_cover_the_question(fake_llm):
    answer = assistant_answer(
        question="Does the platform support blockchain smart contract payouts in Japan?"
    )

    assert answer.answered is False
    assert answer.backend == "extractive"
    assert fake_llm.requests == []


def test_only_http_urls_are_called(settings):
    settings.DEVEX_LLM_BASE_URL = "file:///etc"
    settings.DEVEX_LLM_MODEL = "m"

    with pytest.raises(llm.LLMError):
        llm.llm_write_answer("q", [object()])

"""Optional LLM backend for the documentation assistant: any OpenAI-compatible chat-completions endpoint.

Off by default. It is on when both DEVEX_LLM_BASE_URL (e.g. ``http://127.0.0.1:8080/v1``; the request goes to
``<base>/chat/completions``) and DEVEX_LLM_MODEL are set; DEVEX_LLM_API_KEY is sent as a Bearer token when set,
DEVEX_LLM_TIMEOUT (seconds) bounds the whole call.

Contract: `llm_write_answer` gets the SAME numbered passages the extractive composer would cite. The prompt tells
the model to answer only from them and to cite them as ``[n]``. Markers that reference a passage number that does
not exist are removed and reported in `LLMAnswer.dropped_citations`; valid ones are renumbered in order of first
use so they match the "Sources" list. Any error, timeout, malformed reply, a reply that cites nothing, or a reply
that says it does not know raises `LLMError`, and the caller falls back to the extractive answer.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from devex.answering import PassageLike, renumber_citations

MAX_PASSAGE_CHARS = 2500
MAX_HISTORY_TURNS = 4
MAX_TOKENS = 700

SYSTEM_PROMPT = (
    "You are the NovaCron Community documentation assistant. Answer the user's question using ONLY the numbered "
    "documentation passages you are given. After every sentence that uses a passage, cite it with its number in "
    "square brackets, like [1] or [2]; cite only numbers from the list you were given, never any other source. "
    "When a passage has a code example that answers the question, copy it verbatim in a fenced code block. Be "
    "concise: a short paragraph or a few bullet points. Do not add a list of sources; it is added for you. If "
    "the passages do not answer the question, reply exactly: I don't know."
)


class LLMError(Exception):
    """The LLM backend could not give a usable answer; the caller falls back to the extractive one."""


@dataclass(frozen=True)
class LLMConfig:
    base_url: str
    model: str
    api_key: str
    timeout: float

    @property
    def endpoint(self) -> str:
        return self.base_url.rstrip("/") + "/chat/completions"


@dataclass(frozen=True)
class LLMAnswer:
    body: str
    cited: tuple[
        int, ...
    ]  # 1-based numbers of the given passages, in the order of the new markers [1], [2]...
    dropped_citations: tuple[int, ...]
    model: str


def llm_config() -> LLMConfig | None:
    """The configured backend, or None when it is off (no DEVEX_LLM_BASE_URL or no DEVEX_LLM_MODEL)."""
    base_url = getattr(settings, "DEVEX_LLM_BASE_URL", "") or ""
    model = getattr(settings, "DEVEX_LLM_MODEL", "") or ""
    if not base_url or not model:
        return None
    return LLMConfig(
        base_url=base_url,
        model=model,
        api_key=getattr(settings, "DEVEX_LLM_API_KEY", "") or "",
        timeout=float(getattr(settings, "DEVEX_LLM_TIMEOUT", 20)),
    )


def llm_enabled() -> bool:
    return llm_config() is not None


def build_messages(
    question: str, passages: Sequence[PassageLike], history: Sequence[tuple[str, str]] = ()
) -> list[dict[str, str]]:
    """The chat messages: the system rules, the earlier turns (role, text), then the passages and the question."""
    messages = [{"role": "system", "content": SYSTEM_PROMPT}]
    for role, text in list(history)[-2 * MAX_HISTORY_TURNS :]:
        messages.append({"role": "assistant" if role == "assistant" else "user", "content": text})
    numbered = "\n\n".join(
        f"[{n}] {p.heading_path or p.document_title} ({p.url})\n{p.text[:MAX_PASSAGE_CHARS]}"
        for n, p in enumerate(passages, start=1)
    )
    messages.append(
        {"role": "user", "content": f"Documentation passages:\n\n{numbered}\n\nQuestion: {question}"}
    )
    return messages


def _post(config: LLMConfig, payload: dict[str, Any]) -> dict[str, Any]:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if config.api_key:
        headers["Authorization"] = f"Bearer {config.api_key}"
    request = urllib.request.Request(  # noqa: S310 - llm_write_answer checked the scheme
        config.endpoint, data=json.dumps(payload).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=config.timeout) as response:  # noqa: S310
            return json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        raise LLMError(f"HTTP {exc.code} from the LLM endpoint") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise LLMError(f"LLM endpoint unreachable: {exc}") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise LLMError("The LLM endpoint did not return JSON") from exc


def llm_write_answer(
    question: str,
    passages: Sequence[PassageLike],
    *,
    history: Sequence[tuple[str, str]] = (),
    config: LLMConfig | None = None,
) -> LLMAnswer:
    """Ask the configured model to write the answer from `passages`; raise LLMError when it cannot."""
    config = config or llm_config()
    if config is None:
        raise LLMError("The LLM backend is off")
    if urlsplit(config.endpoint).scheme not in {"http", "https"}:
        raise LLMError("DEVEX_LLM_BASE_URL must be an http(s) URL")
    if not passages:
        raise LLMError("No passages to answer from")
    data = _post(
        config,
        {
            "model": config.model,
            "messages": build_messages(question, passages, history),
            "temperature": 0,
            "max_tokens": MAX_TOKENS,
            "stream": False,
        },
    )
    try:
        content = data["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError) as exc:
        raise LLMError("Malformed chat-completions reply") from exc
    if not isinstance(content, str) or not content.strip():
        raise LLMError("Empty reply")
    if content.strip().lower().startswith(("i don't know", "i do not know")):
        raise LLMError("The model said it does not know")
    body, cited, dropped = renumber_citations(content, len(passages))
    if not cited:
        raise LLMError("The reply cites none of the given passages")
    return LLMAnswer(
        body=body,
        cited=tuple(cited),
        dropped_citations=tuple(dropped),
        model=str(data.get("model") or config.model),
    )

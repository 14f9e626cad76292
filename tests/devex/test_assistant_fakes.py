"""A small fake docs corpus and search for the assistant's tests (this module holds no tests itself).

`install_fake_search(monkeypatch)` replaces the assistant's three seams to retrieval (search, confidence rule,
status) with a lexical scorer over FAKE_CORPUS. Its score is the idf-weighted share of the query's words found
in the passage (0..1); a passage is confident at FAKE_THRESHOLD and above.
"""

import math
import re
from dataclasses import dataclass

from devex.answering import STOPWORDS, stem
from devex.services import assistant as assistant_service

FAKE_THRESHOLD = 0.25
FAKE_BACKEND = {
    "name": "fake-lexical",
    "dims": 0,
    "index": "exact",
    "chunks": 6,
    "last_build": "2025-01-01T00:00:00+00:00",
}
_FAKE_STOP = STOPWORDS - {"work", "works"}


@dataclass(frozen=True)
class FakePassage:
    chunk_id: int
    document_title: str
    heading_path: str
    url: str
    text: str
    score: float = 0.0
    lexical_rank: int | None = None
    dense_rank: int | None = None
    source: str = "docs"
    language: str = "en"


FAKE_CORPUS = [
    FakePassage(
        1,
        "Payouts",
        "Payouts › How payouts work",
        "/devex/docs/user/payouts/#how-payouts-work",
        "Sellers are paid from their available balance. A payout moves the available balance of one currency "
        "to the seller's payout account. New earnings are held in escrow for 14 days before they become "
        "available.\n\n- Payouts go to a bank account (IBAN) or a Stripe account.\n- Nothing is paid below "
        "the minimum of 50.00 in the account's currency.\n\nList your payouts with the API:\n\n"
        '```bash\ncurl -H "Authorization: Bearer $TOKEN" https://novacron.example/api/v1/revenue/payouts/\n```',
    ),
    FakePassage(
        2,
        "Payouts",
        "Payouts › Payout schedule",
        "/devex/docs/user/payouts/#payout-schedule",
        "Each seller picks a payout schedule: daily, weekly (on Mondays) or monthly (on the first day of the "
        "month). The schedule is set on the payout account and applies from the next run. Payout runs start "
        "at 06:30 UTC.",
    ),
    FakePassage(
        3,
        "API overview",
        "API overview › Authentication",
        "/devex/docs/api/overview/#authentication",
        "Authenticate with a personal API token in the Authorization header. Create tokens under Account → "
        "API tokens; each token has scopes such as read, write or devex:read.\n\n"
        '```bash\ncurl -H "Authorization: Bearer nc_live_xxx" https://novacron.example/api/v1/accounts/me/\n```',
    ),
    FakePassage(
        4,
        "API overview",
        "API overview › Idempotency",
        "/devex/docs/api/overview/#idempotency",
        "POST requests that move money accept an Idempotency-Key header. Retrying with the same key and body "
        "replays the first response.",
    ),
    FakePassage(
        5,
        "Getting started",
        "Getting started › Run the platform",
        "/devex/docs/getting-started/#run-the-platform",
        "Run the platform on your machine with make run; it migrates the database, loads demo data and starts "
        "the development server on port 8000.\n\n```bash\nmake run\n```",
    ),
    FakePassage(
        6,
        "Certification",
        "Certification › Exams",
        "/devex/docs/user/certification/#exams",
        "Exams are timed and drawn at random from an item bank. You pass with 70 percent or more.",
        source="docs",
    ),
]


def _terms(text: str) -> set[str]:
    return {
        stem(w)
        for w in re.findall(r"[a-z0-9][a-z0-9\-]*", text.lower())
        if w not in _FAKE_STOP and len(w) > 1
    }


_DOC_TERMS = {p.chunk_id: _terms(f"{p.heading_path} {p.text}") for p in FAKE_CORPUS}


def _idf(term: str) -> float:
    df = sum(1 for terms in _DOC_TERMS.values() if term in terms)
    return math.log(1 + len(FAKE_CORPUS) / (1 + df)) if df else 0.0


def fake_search(query, *, k=5, sources=None, language=None, method="hybrid"):
    wanted = _terms(query)
    total = sum(_idf(t) for t in wanted) or 1.0
    # Query words unknown to the corpus weigh as much as a rare word: an off-topic question scores low.
    total += sum(math.log(1 + len(FAKE_CORPUS)) for t in wanted if _idf(t) == 0)
    scored = []
    for passage in FAKE_CORPUS:
        if sources and passage.source not in sources:
            continue
        if language and passage.language != language:
            continue
        score = sum(_idf(t) for t in wanted & _DOC_TERMS[passage.chunk_id]) / total
        if score > 0:
            scored.append((score, passage))
    scored.sort(key=lambda item: (-item[0], item[1].chunk_id))
    return [
        FakePassage(**{**p.__dict__, "score": round(s, 4), "lexical_rank": rank})
        for rank, (s, p) in enumerate(scored[:k], start=1)
    ]


def install_fake_search(monkeypatch, search=fake_search):
    calls: list[dict] = []

    def recording_search(query, **kwargs):
        calls.append({"query": query, **kwargs})
        return search(query, **kwargs)

    monkeypatch.setattr(assistant_service, "search_passages", recording_search)
    monkeypatch.setattr(assistant_service, "passage_is_confident", lambda p: p.score >= FAKE_THRESHOLD)
    monkeypatch.setattr(assistant_service, "retrieval_status", lambda: dict(FAKE_BACKEND, details={}))
    return calls

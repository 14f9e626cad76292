"""The documentation pages at /devex/docs/: a public index of every docs/ page, each page rendered with the
heading ids its #anchors use, links between pages rewritten, and nothing outside docs/ reachable."""

import re

import pytest
from django.test import Client

from devex import facade
from devex.selectors import docs_page_file, docs_pages

pytestmark = pytest.mark.django_db

PAYOUTS = """# Payouts

Sellers are paid from their available balance.

## How payouts work

A payout moves the balance to your payout account. See the [API overview](../api/overview.md#errors).

## Payout schedule

Daily, weekly or monthly.

```bash
curl /api/v1/revenue/payouts/
```
"""


@pytest.fixture
def docs(settings, tmp_path):
    root = tmp_path / "docs"
    (root / "user").mkdir(parents=True)
    (root / "api").mkdir()
    (root / "index.md").write_text("# Welcome\n\nStart with [payouts](user/payouts.md).\n", encoding="utf-8")
    (root / "user" / "payouts.md").write_text(PAYOUTS, encoding="utf-8")
    (root / "api" / "overview.md").write_text(
        "# API overview\n\n## Errors\n\nOne error body.\n", encoding="utf-8"
    )
    (root / "notes.txt").write_text("not markdown", encoding="utf-8")
    (root / ".hidden.md").write_text("# Hidden", encoding="utf-8")
    (tmp_path / "secret.md").write_text("# Secret\n\ntop secret", encoding="utf-8")
    (root / "escape.md").symlink_to(tmp_path / "secret.md")
    settings.DEVEX_DOCS_DIR = str(root)
    return root


def test_the_index_lists_every_docs_page_for_anyone(docs):
    response = Client().get("/devex/docs/")

    body = response.content.decode()
    assert response.status_code == 200
    assert '<a href="/devex/docs/index/">Welcome</a>' in body
    assert '<a href="/devex/docs/user/payouts/">Payouts</a>' in body
    assert '<a href="/devex/docs/api/overview/">API overview</a>' in body
    assert "Sellers are paid from their available balance." in body  # the page's summary
    assert "Secret" not in body
    assert "Hidden" not in body
    assert [p.path for p in docs_pages()] == ["index", "api/overview", "user/payouts"]


def test_a_page_renders_with_heading_ids_for_its_anchors(docs):
    response = Client().get("/devex/docs/user/payouts/")

    body = response.content.decode()
    assert response.status_code == 200
    assert '<h2 id="how-payouts-work">How payouts work</h2>' in body
    assert '<h2 id="payout-schedule">Payout schedule</h2>' in body
    assert "<pre><code" in body
    assert 'href="/devex/docs/"' in body  # back to the index
    assert "<title>Payouts" in body


def test_links_between_markdown_pages_point_at_their_portal_pages(docs):
    payouts = Client().get("/devex/docs/user/payouts/").content.decode()
    index = Client().get("/devex/docs/index/").content.decode()

    assert re.search(r'href="/devex/docs/api/overview/#errors"', payouts)
    assert re.search(r'href="/devex/docs/user/payouts/"', index)


def test_without_the_trailing_slash_the_page_redirects(docs):
    response = Client().get("/devex/docs/user/payouts")

    assert response.status_code == 301
    assert response["Location"] == "/devex/docs/user/payouts/"


@pytest.mark.parametrize(
    "url",
    [
        "/devex/docs/nope/",
        "/devex/docs/user/nope/",
        "/devex/docs/notes/",
        "/devex/docs/notes.txt/",
        "/devex/docs/.hidden/",
        "/devex/docs/../secret/",
        "/devex/docs/user/../../secret/",
        "/devex/docs/%2e%2e/secret/",
        "/devex/docs/..%2fsecret/",
        "/devex/docs/user/..%2F..%2Fsecret/",
        "/devex/docs//etc/passwd/",
        "/devex/docs/escape/",
    ],
)
def test_unknown_pages_and_paths_outside_docs_are_404(docs, url):
    response = Client().get(url)

    assert response.status_code == 404
    assert "top secret" not in response.content.decode()


@pytest.mark.parametrize("path", ["../secret", "/etc/passwd", "user/../../secret", "escape", "", "user/"])
def test_the_selector_only_finds_markdown_files_under_docs(docs, path):
    assert docs_page_file(path) is None


def test_the_facade_gives_the_url_of_a_page(docs):
    assert facade.docs_page_url("user/payouts.md") == "/devex/docs/user/payouts/"
    assert facade.docs_page_url("../secret") is None


def test_the_real_docs_render_with_working_links():
    index = Client().get("/devex/docs/")
    overview = Client().get("/devex/docs/api/overview/")
    start = Client().get("/devex/docs/index/")

    assert index.status_code == overview.status_code == start.status_code == 200
    assert 'href="/devex/docs/getting-started/"' in start.content.decode()
    assert re.search(r'<h2 id="[a-z0-9-]+">', overview.content.decode())
    assert 'href="/devex/docs/developer/assistant/"' in index.content.decode()


def test_the_index_searches_the_docs_and_lists_each_section_once(monkeypatch, docs):
    from tests.devex.test_assistant_fakes import FakePassage, install_fake_search

    window = FakePassage(
        1, "Payouts", "Payouts › Payout schedule", "/devex/docs/user/payouts/#payout-schedule", "Weekly."
    )
    install_fake_search(monkeypatch, search=lambda query, **kwargs: [window, window, window])

    body = Client().get("/devex/docs/", {"q": "payout schedule"}).content.decode()

    assert "Sections matching" in body
    assert body.count('<a href="/devex/docs/user/payouts/#payout-schedule">') == 1

"""Catalog search and facets. Ranking is tested on PostgreSQL (stemmed, weighted tsvector) and on the SQLite
fallback (the same weight order)."""

import pytest
from django.db import connection

from marketplace.models import App
from marketplace.selectors.catalog import CatalogQuery, catalog_apps, catalog_facets
from marketplace.services.certification import certification_grant, certification_request
from tests.marketplace.factories import make_app

LONG = "A long description that is complete enough for the automated checks of the marketplace pipeline. " * 2


@pytest.fixture
def corpus(publisher):
    in_name = make_app(publisher, name="Invoice Scheduler", tagline="Run jobs on time", description=LONG)
    in_tagline = make_app(
        publisher,
        name="Ledger Tools",
        tagline="Scheduling invoices for finance teams",
        description=LONG,
        vertical="finance",
    )
    in_description = make_app(
        publisher,
        name="Paper Trail",
        tagline="Audit everything",
        description=LONG + " Also exports invoices.",
        category="compliance",
    )
    unrelated = make_app(
        publisher, name="Chat Bridge", tagline="Messages to chat", description=LONG, category="communication"
    )
    return in_name, in_tagline, in_description, unrelated


def _names(**params):
    return [a.name for a in catalog_apps(CatalogQuery(**params))]


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_ranks_name_over_tagline_over_description_with_stemming(corpus):
    with connection.cursor() as cursor:  # the generated column and its GIN index exist
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'marketplace_app_search_gin'")
        assert "gin" in cursor.fetchone()[0].lower()
    # "invoicing" and "invoices" stem to "invoic": every form matches.
    assert _names(q="invoicing") == ["Invoice Scheduler", "Ledger Tools", "Paper Trail"]
    assert _names(q="scheduled invoices")[:2] == ["Invoice Scheduler", "Ledger Tools"]
    assert _names(q="invoice -ledger") == ["Invoice Scheduler", "Paper Trail"]  # websearch syntax
    assert _names(q="nonexistentword") == []


@pytest.mark.django_db
def test_sqlite_fallback_ranks_by_where_the_words_appear(corpus, settings):
    if settings.IS_POSTGRES:
        pytest.skip("the fallback runs on SQLite")
    assert _names(q="invoice") == ["Invoice Scheduler", "Ledger Tools", "Paper Trail"]
    assert _names(q="chat") == ["Chat Bridge"]


@pytest.mark.django_db
def test_facets_count_with_the_other_filters_and_filters_apply(corpus, publisher, publisher_user, reviewer):
    facets = {f.key: f for f in catalog_facets(CatalogQuery(vertical="finance"))}
    verticals = {o["value"]: o["count"] for o in facets["vertical"].options}
    assert verticals["finance"] == 1
    assert verticals["general"] == 3
    categories = {o["value"]: o["count"] for o in facets["category"].options}
    assert categories["monitoring"] == 1  # the others are filtered by vertical=finance
    assert {o["value"]: o["count"] for o in facets["price_model"].options}["free"] == 1
    assert _names(category="compliance") == ["Paper Trail"]
    assert _names(language="en", price_model="free", vertical="finance") == ["Ledger Tools"]

    app = corpus[3]
    from marketplace.models import AppVersion, CheckResult

    version = AppVersion.objects.get(app=app)
    AppVersion.objects.filter(pk=version.pk).update(submission=1)
    for name in ("manifest", "links"):
        CheckResult.objects.create(version=version, run=1, check_name=name, status="pass")
    request = certification_request(
        app=app,
        user=publisher_user,
        kind="certified",
        questionnaire=dict.fromkeys(
            (
                "encrypts_in_transit",
                "encrypts_at_rest",
                "least_privilege",
                "vulnerability_management",
                "incident_response",
                "data_deletion",
            ),
            True,
        ),
        support_response_hours=24,
        uptime_slo="99.9",
    )
    certification_grant(request=request, reviewer=reviewer)
    assert _names(certification="certified") == ["Chat Bridge"]
    cert_facet = {f.key: f for f in catalog_facets(CatalogQuery())}["certification"]
    assert {o["value"]: o["count"] for o in cert_facet.options}["certified"] == 1


@pytest.mark.django_db
def test_sorting_and_unlisted_apps(corpus, publisher):
    App.objects.filter(pk=corpus[3].pk).update(install_count=50, rating_average="4.5", rating_count=2)
    hidden = make_app(publisher, name="Invoice Draft", published=False)
    assert _names(sort="installs")[0] == "Chat Bridge"
    assert _names(sort="rating")[0] == "Chat Bridge"
    assert _names(min_rating=4) == ["Chat Bridge"]
    assert hidden.name not in _names(q="invoice")
    assert _names(sort="newest")[0] == "Chat Bridge"  # created last (published_at = creation)


@pytest.mark.django_db
def test_catalog_api_and_page(api_client, client, corpus):
    response = api_client.get("/api/v1/marketplace/apps/", {"q": "invoice", "page_size": 2})
    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 3
    assert body["pages"] == 2
    assert len(body["results"]) == 2
    assert {f["key"] for f in body["facets"]} >= {
        "category",
        "vertical",
        "price_model",
        "min_rating",
        "certification",
        "language",
    }
    page = client.get("/marketplace/", {"q": "invoice", "vertical": "finance"}).content.decode()
    assert "Ledger Tools" in page
    assert "Chat Bridge" not in page


@pytest.mark.django_db
def test_catalog_counts_and_anonymous_app_pages_are_cached_briefly(client, corpus, settings, publisher_user):
    from django.core.cache import cache

    from marketplace.services.apps import app_update

    cache.clear()
    settings.MARKETPLACE_CATALOG_CACHE_SECONDS = 60
    first = client.get("/api/v1/marketplace/apps/", {"q": "invoice"}).json()
    App.objects.filter(pk=corpus[3].pk).update(tagline="Invoices to chat")  # behind the services' back
    assert (
        client.get("/api/v1/marketplace/apps/", {"q": "invoice"}).json()["count"] == first["count"]
    )  # cached

    page = client.get(f"/marketplace/{corpus[0].slug}/").content.decode()
    assert "Run jobs on time" in page
    app_update(app=corpus[0], user=publisher_user, tagline="Never miss a run")  # a real edit shows at once
    assert "Never miss a run" in client.get(f"/marketplace/{corpus[0].slug}/").content.decode()
    cache.clear()


@pytest.mark.django_db
@pytest.mark.parametrize("sort", ["", "relevance", "rating", "installs", "newest"])
@pytest.mark.parametrize("q", ["", "invoices"])
def test_the_facet_pass_gives_the_first_page_in_the_catalogs_order(corpus, monkeypatch, sort, q):
    # Given figures that make every order differ, and a facet pass that returns only the first two ids
    from marketplace.selectors import catalog

    for n, app in enumerate(corpus):
        App.objects.filter(pk=app.pk).update(install_count=10 * (n % 2), rating_average=n, rating_count=1)
    monkeypatch.setattr(catalog, "FIRST_KEYS", 2)
    query = CatalogQuery(q=q, sort=sort)

    # When a search's pages are read through the facet pass (first two) and the ordinary path (the rest)
    count, _facets, results = catalog.catalog_search(query)
    paged = [a.name for a in results[0:2]] + [a.name for a in results[2:10]]

    # Then they are the catalog's own order, with ranks when searching
    assert paged == _names(q=q, sort=sort)
    assert count == len(paged)
    assert len(results.first_keys) == min(2, count)
    assert all((a.rank is not None) == bool(q) for a in results[0:2])

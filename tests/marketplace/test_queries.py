"""Lists cost a constant number of queries, however many rows they show: each test builds ROWS rows and allows
fewer queries than a query per row would need (the N+1s found in review: kept prices per plan, check results per
version, seat counts per installation, organisations per publisher, entitlements per installation row)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from marketplace.models import (
    AppVersion,
    Badge,
    CertificationRequest,
    CheckResult,
    Installation,
    PriceChange,
    SeatAssignment,
)
from marketplace.selectors.catalog import CatalogQuery, catalog_results, catalog_search_facets
from marketplace.selectors.pricing import customer_prices
from marketplace.services.checks import CHECKS
from marketplace.services.publishers import agreement_current, publisher_register
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.marketplace.factories import make_app

pytestmark = pytest.mark.django_db
API = "/api/v1/marketplace"
ROWS = 6


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _portal(user):
    client = Client()
    client.force_login(user)
    return client


def _org_with(admin, role="owner"):
    org = OrganizationFactory()
    MembershipFactory(organization=org, user=admin, role=role)
    return org


def _install(app, plan, *, user=None, org=None, by, seats=1, created_at=None):
    installation = Installation.objects.create(
        app=app,
        plan=plan,
        version=app.versions.get(),
        user=None if org else user,
        organization=org,
        installed_by=by,
        status="active",
        seats=seats,
    )
    if created_at:
        Installation.objects.filter(pk=installation.pk).update(created_at=created_at)
    return installation


def test_customer_prices_of_many_plans_take_constant_queries(publisher, buyer, django_assert_max_num_queries):
    # Given an app with ROWS paid plans, repriced yesterday: the buyer holds one, organisations they own the others
    plans = [{"name": f"Tier {i}", "model": "one_time", "amount": 1000 + i} for i in range(ROWS)]
    app = make_app(publisher, plans=plans)
    started = timezone.now() - timedelta(days=10)
    for i, plan in enumerate(app.plans.all()):
        holder = {"user": buyer} if i == 0 else {"org": _org_with(buyer)}
        _install(app, plan, by=buyer, created_at=started, **holder)
        PriceChange.objects.create(
            plan=plan, old_amount=500, new_amount=plan.amount, changed_at=timezone.now() - timedelta(days=1)
        )
    plans = list(app.plans.all())

    # When they are priced for the buyer (memberships, installations, price changes)
    with django_assert_max_num_queries(3):
        prices = customer_prices(plans, buyer)

    # Then every plan keeps its old price
    assert {p.amount for p in prices.values()} == {500}
    assert all(p.grandfathered for p in prices.values())


def test_app_api_reads_the_app_once_and_prices_every_plan_in_bulk(
    publisher, buyer, django_assert_max_num_queries
):
    # Given a listed app with ROWS plans and a signed-in visitor
    app = make_app(
        publisher, plans=[{"name": f"Tier {i}", "model": "one_time", "amount": 900} for i in range(ROWS)]
    )
    client = _api(buyer)

    # When its page is read: app (+ publisher, category), 5 prefetches, badges, memberships, installations
    with django_assert_max_num_queries(9) as captured:
        response = client.get(f"{API}/apps/{app.slug}/")

    # Then the plans are all there and the app row was read once
    assert response.status_code == 200
    assert len(response.json()["plans"]) == ROWS
    reads = [
        q["sql"] for q in captured.captured_queries if q["sql"].startswith('SELECT "marketplace_app"."id"')
    ]
    assert len(reads) == 1


def _version_with_checks(app, number, state=AppVersion.State.IN_REVIEW):
    now = timezone.now()
    version = AppVersion.objects.create(
        app=app,
        version=f"2.{number}.0",
        major=2,
        state=state,
        manifest={},
        submission=2,
        submitted_at=now,
        queued_at=now,
    )
    for run in (1, 2):  # an older run, which must not show
        CheckResult.objects.bulk_create(
            CheckResult(version=version, check_name=name, run=run, status="pass") for name in CHECKS
        )
    return version


def test_version_lists_fetch_checks_in_bulk(
    publisher, publisher_user, reviewer, django_assert_max_num_queries
):
    # Given an app with ROWS submitted versions, each with the checks of two runs
    app = make_app(publisher)
    for n in range(ROWS):
        _version_with_checks(app, n)

    # When the publisher lists the versions and a reviewer reads the queue
    with django_assert_max_num_queries(3):
        versions = _api(publisher_user).get(f"{API}/apps/{app.slug}/versions/")
    with django_assert_max_num_queries(4):
        queue = _api(reviewer).get(f"{API}/review-queue/")

    # Then each version shows its latest run's checks and its SLA timer
    assert len(versions.json()) == ROWS + 1
    rows = queue.json()
    assert len(rows) == ROWS
    assert all(len(r["checks"]) == len(CHECKS) and r["checks"][0]["run"] == 2 for r in rows)
    assert all(r["sla"]["label"] == "Manual review" for r in rows)


def test_installation_lists_count_seats_in_bulk(publisher, django_assert_max_num_queries):
    # Given an organisation with ROWS per-seat installations, each with two seats taken
    admin, member = UserFactory(), UserFactory()
    org = _org_with(admin)
    MembershipFactory(organization=org, user=member)
    seat_plan = [{"name": "Team", "model": "per_seat", "interval": "month", "amount": 500}]
    for _ in range(ROWS):
        app = make_app(publisher, plans=seat_plan)
        installation = _install(app, app.plans.get(), org=org, by=admin, seats=5)
        SeatAssignment.objects.create(installation=installation, user=admin, assigned_by=admin)
        SeatAssignment.objects.create(installation=installation, user=member, assigned_by=admin)

    # When the organisation's installations are listed through the API and the portal
    with django_assert_max_num_queries(5):
        api = _api(member).get(f"{API}/installations/", {"organization": org.slug})
    client = _portal(member)
    with django_assert_max_num_queries(9):
        page = client.get("/marketplace/installed/")

    # Then every row has its seat figures, and the member sees their seat
    assert api.status_code == 200
    assert [r["seats_assigned"] for r in api.json()] == [2] * ROWS
    assert page.status_code == 200
    rows = page.context["organizations"][0]["rows"]
    assert len(rows) == ROWS
    assert all(ent.user_has_seat and ent.seats_assigned == 2 and ent.licensed for _i, ent in rows)


def test_publisher_list_reads_organisations_in_bulk(django_assert_max_num_queries):
    # Given a user who publishes for themselves and for ROWS organisations they administer
    user = UserFactory()
    version = agreement_current().version
    publisher_register(user=user, display_name="Mine", agreement_version=version)
    for n in range(ROWS):
        org = _org_with(user, role="admin")
        publisher_register(
            user=user, display_name=f"Org {n}", agreement_version=version, organization_id=org.pk
        )

    # When they list their publishers
    with django_assert_max_num_queries(2):
        response = _api(user).get(f"{API}/publishers/")

    # Then their own comes first, then each organisation's with its public id
    rows = response.json()
    assert len(rows) == ROWS + 1
    assert rows[0]["organization"] is None
    assert all(r["organization"] for r in rows[1:])


def test_app_console_counts_installs_in_one_aggregate(
    publisher, publisher_user, django_assert_max_num_queries
):
    # Given an app installed by ROWS users, two organisations and one trial
    app = make_app(publisher, plans=[{"name": "Free", "model": "free"}])
    plan = app.plans.get()
    for _ in range(ROWS):
        _install(app, plan, user=UserFactory(), by=publisher_user)
    for _ in range(2):
        admin = UserFactory()
        _install(app, plan, org=_org_with(admin), by=admin)
    trial = _install(app, plan, user=UserFactory(), by=publisher_user)
    Installation.objects.filter(pk=trial.pk).update(status="trial")
    client = _portal(publisher_user)

    # When the publisher opens the app's console
    with django_assert_max_num_queries(14) as captured:
        response = client.get(f"/marketplace/publish/apps/{app.slug}/")

    # Then the figures are right and came from one query on installations
    assert response.context["installs"] == {"total": ROWS + 3, "organizations": 2, "trials": 1}
    counted = [q for q in captured.captured_queries if 'FROM "marketplace_installation"' in q["sql"]]
    assert len(counted) == 1


def test_catalog_search_takes_constant_queries_with_badges(
    publisher, publisher_user, django_assert_max_num_queries
):
    # Given ROWS listed apps, some holding badges
    apps = [make_app(publisher, name=f"Dashboard {n}") for n in range(ROWS)]
    for app, kind in zip(apps[:3], ("certified", "certified", "enterprise_ready"), strict=True):
        request = CertificationRequest.objects.create(
            app=app, kind=kind, support_response_hours=4, requested_by=publisher_user, state="granted"
        )
        now = timezone.now()
        Badge.objects.create(
            app=app, kind=kind, request=request, granted_at=now, expires_at=now + timedelta(days=30)
        )

    # When a search counts, facets and fetches its first page: categories, facet pass, ids, rows
    with django_assert_max_num_queries(4):
        query = CatalogQuery(q="dashboard")
        count, facets = catalog_search_facets(query)
        page = catalog_results(query, known_count=count)[:24]

    # Then the badge counts come out of the same pass
    assert count == len(page) == ROWS
    certification = {
        o["value"]: o["count"] for o in next(f for f in facets if f.key == "certification").options
    }
    assert certification == {"certified": 2, "enterprise_ready": 1}

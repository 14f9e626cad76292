"""Exchange rates for finance staff: the portal page (list, enter a manual rate, fetch now), the API (anyone signed
in reads, finance posts with Idempotency-Key) and the admin (saves through the service, fetch action)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from rest_framework.test import APIClient

from novacron.core.models import AuditLog
from revenue.models import ExchangeRate
from revenue.services.fx import rate_set
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 25)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_finance_lists_rates_and_enters_a_manual_one_on_the_portal(finance_user):
    # given an ECB rate on file
    rate_set(base="EUR", quote="USD", rate="1.1581", as_of=DAY, source="ecb")
    client = _client(finance_user)

    # when finance opens the page and enters a rate
    page = client.get("/revenue/finance/fx-rates/")
    saved = client.post(
        "/revenue/finance/fx-rates/", {"base": "EUR", "quote": "BHD", "rate": "0.4366", "as_of": "2026-11-25"}
    )

    # then the page lists the rates, and the new one is stored as manual, by them, audited
    assert page.status_code == 200
    assert "1.1581" in page.content.decode()
    assert "ecb" in page.content.decode()
    assert saved.status_code == 302
    rate = ExchangeRate.objects.get(base="EUR", quote="BHD")
    assert (rate.rate, rate.as_of, rate.source, rate.entered_by) == (
        Decimal("0.4366"),
        DAY,
        "manual",
        finance_user,
    )
    assert AuditLog.objects.filter(action="revenue.fx_rate_set", actor=finance_user).exists()
    assert "0.4366" in client.get("/revenue/finance/fx-rates/?currency=BHD").content.decode()


def test_bad_rates_are_form_errors_and_others_cannot_enter_rates(finance_user):
    client = _client(finance_user)
    same = client.post("/revenue/finance/fx-rates/", {"base": "EUR", "quote": "EUR", "rate": "1"})
    negative = client.post("/revenue/finance/fx-rates/", {"base": "EUR", "quote": "USD", "rate": "-1"})
    assert same.status_code == 400
    assert same.context["form"].errors["quote"]
    assert negative.status_code == 400
    assert negative.context["form"].errors["rate"]
    assert _client(UserFactory()).get("/revenue/finance/fx-rates/").status_code == 403
    assert not ExchangeRate.objects.exists()


def test_fetch_now_uses_the_configured_provider(finance_user, settings):
    settings.REVENUE_FX_PROVIDER = "tests.revenue.billing.test_fx_update.RecordedEcb"
    response = _client(finance_user).post("/revenue/finance/fx-rates/update/", follow=True)
    assert "ecb 2026-11-25: 29 new" in response.content.decode()
    assert ExchangeRate.objects.filter(source="ecb").count() == 29


def test_api_reads_rates_and_looks_up_the_rate_of_a_day(user):
    rate_set(base="EUR", quote="USD", rate="1.1581", as_of=DAY, source="ecb")
    rate_set(base="EUR", quote="JPY", rate="181.13", as_of=DAY, source="ecb")
    client = _api(user)

    listed = client.get("/api/v1/revenue/fx-rates/?currency=jpy")
    lookup = client.get("/api/v1/revenue/fx-rates/lookup/?base=USD&quote=JPY&on=2026-11-26")
    missing = client.get("/api/v1/revenue/fx-rates/lookup/?base=USD&quote=BHD&on=2026-11-26")
    unknown = client.get("/api/v1/revenue/fx-rates/lookup/?base=USD&quote=XXX")

    assert listed.status_code == 200
    assert [(r["base"], r["quote"], r["rate"]) for r in listed.json()["results"]] == [
        ("EUR", "JPY", "181.1300000000")
    ]
    assert lookup.status_code == 200
    assert lookup.json()["via"] == "EUR"
    assert lookup.json()["as_of"] == "2026-11-25"
    assert Decimal(lookup.json()["rate"]).quantize(Decimal("0.0001")) == Decimal("156.4027")
    assert missing.status_code == 404
    assert unknown.status_code == 400
    assert "quote" in unknown.json()["error"]["fields"]


def test_api_finance_posts_a_rate_once_per_idempotency_key(finance_user, user):
    body = {"base": "USD", "quote": "KWD", "rate": "0.3075", "as_of": "2026-11-25"}

    refused = _api(user).post("/api/v1/revenue/fx-rates/", body, format="json")
    first = _api(finance_user).post(
        "/api/v1/revenue/fx-rates/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    replay = _api(finance_user).post(
        "/api/v1/revenue/fx-rates/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    bad = _api(finance_user).post("/api/v1/revenue/fx-rates/", {**body, "quote": "usd"}, format="json")

    assert refused.status_code == 403
    assert first.status_code == 201
    assert first.json()["source"] == "manual"
    assert first.json()["entered_by"] == finance_user.email
    assert replay.status_code == 201
    assert replay.headers.get("Idempotent-Replayed")
    assert bad.status_code == 400
    assert "quote" in bad.json()["error"]["fields"]
    assert ExchangeRate.objects.count() == 1
    assert AuditLog.objects.filter(action="revenue.fx_rate_set").count() == 1


def test_admin_saves_rates_through_the_service(finance_user):
    # given a staff member of finance
    finance_user.is_staff = True
    finance_user.save()
    finance_user.user_permissions.add(*Permission.objects.filter(codename__endswith="_exchangerate"))
    client = _client(type(finance_user).objects.get(pk=finance_user.pk))

    # when they add a rate in the admin
    response = client.post(
        "/admin/revenue/exchangerate/add/",
        {"base": "eur", "quote": "CHF", "rate": "0.9322", "as_of": "2026-11-25"},
    )
    bad = client.post(
        "/admin/revenue/exchangerate/add/",
        {"base": "EUR", "quote": "ABC", "rate": "1", "as_of": "2026-11-25"},
    )

    # then it is a manual, audited rate; an unknown currency is a form error
    assert response.status_code == 302
    rate = ExchangeRate.objects.get(quote="CHF")
    assert (rate.base, rate.source, rate.entered_by_id) == ("EUR", "manual", finance_user.pk)
    assert bad.status_code == 200
    assert "Unsupported currency" in bad.content.decode()
    assert ExchangeRate.objects.count() == 1

"""`fx_update` and the daily task: store one day's provider rates with source and date, idempotent per day;
a provider's correction updates its own row; a rate finance entered by hand is kept. Cross rates go through
the pivot currency only within one fixing."""

import datetime as dt
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from novacron.core.models import AuditLog
from revenue.fx_providers import ProvidedRate, RateBatch, RateProvider, ecb_parse
from revenue.models import ExchangeRate
from revenue.services.fx import RateMissing, convert_with_rate, rate_get, rate_set, rates_update
from revenue.tasks_fx import update_fx_rates

pytestmark = pytest.mark.django_db
RECORDED = Path(__file__).resolve().parent.parent / "recorded" / "ecb_eurofxref_daily.xml"
DAY = dt.date(2026, 11, 25)


class RecordedEcb(RateProvider):
    """The ECB provider's answer, from the recorded file (the HTTP part is tested in test_fx_providers)."""

    source = "ecb"

    def fetch(self) -> RateBatch:
        return ecb_parse(RECORDED.read_bytes())


class Corrected(RateProvider):
    source = "ecb"

    def fetch(self) -> RateBatch:
        return RateBatch(source="ecb", as_of=DAY, rates=[ProvidedRate("EUR", "USD", Decimal("1.1600"))])


def test_fx_update_stores_the_days_rates_once(settings):
    # given the ECB as the configured provider
    settings.REVENUE_FX_PROVIDER = "tests.revenue.billing.test_fx_update.RecordedEcb"
    out = StringIO()

    # when fx_update runs twice the same day
    call_command("fx_update", stdout=out)
    call_command("fx_update", stdout=out)

    # then 29 rates are stored once, with their source and date, and the second run changes nothing
    assert ExchangeRate.objects.count() == 29
    usd = ExchangeRate.objects.get(base="EUR", quote="USD")
    assert (usd.rate, usd.as_of, usd.source, usd.entered_by) == (Decimal("1.1581"), DAY, "ecb", None)
    assert "29 new" in out.getvalue()
    assert "0 new, 0 corrected, 29 unchanged" in out.getvalue()
    assert AuditLog.objects.filter(action="revenue.fx_update").count() == 1


def test_a_correction_updates_the_providers_row_but_a_manual_rate_is_kept(finance_user):
    # given the day stored from the ECB, and finance's own EUR→JPY rate for that day
    rates_update(provider=RecordedEcb())
    rate_set(base="EUR", quote="JPY", rate="180", as_of=DAY, actor=finance_user)

    # when the ECB publishes a corrected USD rate, and the full file again
    corrected = rates_update(provider=Corrected())
    again = rates_update(provider=RecordedEcb())

    # then the correction lands, and the hand-entered JPY rate is never overwritten
    assert corrected.updated == 1
    assert again.updated == 1  # back to the file's 1.1581
    assert again.kept == ["EUR/JPY"]
    jpy = ExchangeRate.objects.get(base="EUR", quote="JPY", as_of=DAY)
    assert (jpy.rate, jpy.source, jpy.entered_by) == (Decimal("180"), "manual", finance_user)
    assert AuditLog.objects.filter(action="revenue.fx_rate_set", actor=finance_user).count() == 1


def test_manual_provider_fetches_nothing_and_reports_stale_pairs(settings):
    settings.REVENUE_FX_PROVIDER = "revenue.fx_providers.ManualRateProvider"
    settings.REVENUE_FX_STALE_DAYS = 7
    rate_set(base="EUR", quote="USD", rate="1.1", as_of=dt.date.today() - dt.timedelta(days=30))
    rate_set(base="GBP", quote="USD", rate="1.3", as_of=dt.date.today())
    out = StringIO()

    call_command("fx_update", stdout=out)

    assert "nothing to fetch" in out.getvalue()
    assert "Stale (no recent rate): EUR/USD" in out.getvalue()
    assert ExchangeRate.objects.count() == 2
    assert "nothing to fetch" in update_fx_rates.delay().get()


def test_fx_update_fails_clearly_for_an_unknown_provider():
    with pytest.raises(CommandError, match="No exchange-rate provider"):
        call_command("fx_update", "--provider", "revenue.nothing.Here")


def test_cross_rates_go_through_the_pivot_within_one_fixing(settings):
    # given the ECB's EUR-based rates of one day
    settings.REVENUE_FX_PIVOT = "EUR"
    rates_update(provider=RecordedEcb())

    # when converting USD to JPY (the ECB has no USD→JPY rate)
    amount, rate = convert_with_rate(100_00, "USD", "JPY", on=DAY)

    # then 1 USD = 181.13 / 1.1581 JPY, computed from the two legs, and the record says so
    assert rate.via == "EUR"
    assert amount == 15_640  # 100 × 156.4023…, JPY has no minor unit
    record = rate.as_dict()
    assert record["via"] == "EUR"
    assert record["source"] == "ecb"
    assert record["as_of"] == "2026-11-25"
    assert [leg["quote"] for leg in record["legs"]] == ["USD", "JPY"]

    # and legs from different days or sources are never combined
    rate_set(base="EUR", quote="BHD", rate="0.4366", as_of=DAY, source="manual")
    with pytest.raises(RateMissing):
        rate_get("USD", "BHD", on=DAY)
    settings.REVENUE_FX_PIVOT = ""
    with pytest.raises(RateMissing):
        rate_get("USD", "JPY", on=DAY)


def test_rate_set_refuses_unusable_rates():
    for bad in ("0", "-2", "abc", "1e12", "0.00000000001"):
        with pytest.raises(ValueError, match="exchange rate is a positive decimal"):
            rate_set(base="EUR", quote="USD", rate=bad, as_of=DAY)
    assert not ExchangeRate.objects.exists()

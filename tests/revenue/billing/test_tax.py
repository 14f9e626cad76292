"""The tax calculator: rates by date and country, reverse charge, VAT number validation, US nexus."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from revenue import hooks
from revenue.exceptions import ValidationError
from revenue.models import TaxRate
from revenue.services.tax import (
    billing_profile_update,
    tax_calculate,
    tax_rate_on,
    tax_rate_set,
    vat_number_parse,
)
from revenue.tax.rules import REVERSE_CHARGE_EU, REVERSE_CHARGE_GB
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def freeze_time(monkeypatch):
    """Set the clock the calculator reads (revenue.services.tax uses django.utils.timezone.now)."""

    def freeze(day: str) -> None:
        moment = datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)
        monkeypatch.setattr("revenue.services.tax.timezone.now", lambda: moment)

    return freeze


LINE = hooks.TaxInput(net_amount=10_000, currency="EUR", item_type="test.item", seller_id=1)


def _tax(country="", vat="", buyer=None, ip=""):
    buyer = buyer or UserFactory()
    context = hooks.TaxContext(
        buyer_id=buyer.pk, organization_id=None, billing_country=country, ip_country=ip, vat_number=vat
    )
    return tax_calculate([LINE, hooks.TaxInput(333, "EUR", "test.item", 1)], context)


def test_eu_consumer_pays_the_vat_of_their_country():
    first, second = _tax("DE")
    assert (first.amount, first.rate, first.jurisdiction, first.note) == (1_900, Decimal("0.19"), "DE", "")
    assert second.amount == 63  # 333 × 19% = 63.27, half-up per line
    assert _tax("FR")[0].amount == 2_000


def test_the_ip_country_is_the_place_of_supply_when_no_billing_country_is_given():
    assert _tax(ip="IT")[0].jurisdiction == "IT"


@pytest.mark.parametrize(
    ("day", "rate"),
    [("2025-06-30", "0.2200"), ("2025-07-01", "0.2400")],
)
def test_a_rate_change_applies_from_its_date(freeze_time, day, rate):
    # Estonia raised VAT from 22% to 24% on 1 July 2025 (seeded)
    freeze_time(day)
    assert _tax("EE")[0].rate == Decimal(rate)


def test_a_new_rate_row_changes_sales_from_that_day_on_only(freeze_time):
    tax_rate_set(jurisdiction="de", rate=Decimal("0.21"), valid_from=date(2031, 1, 1))
    assert tax_rate_on(jurisdiction="DE", on=date(2030, 12, 31)).rate == Decimal("0.19")
    freeze_time("2031-01-02")
    assert _tax("DE")[0].amount == 2_100
    with pytest.raises(ValidationError) as exc:
        tax_rate_set(jurisdiction="DE", rate=Decimal("0.22"), valid_from=date(2031, 1, 1))
    assert exc.value.field == "valid_from"


def test_b2b_in_another_member_state_is_reverse_charged():
    line = _tax("DE", vat="DE 136 695 976")[0]
    assert (line.amount, line.rate, line.jurisdiction, line.note) == (0, Decimal(0), "DE", REVERSE_CHARGE_EU)


def test_b2b_in_the_issuers_own_member_state_pays_local_vat():
    # The default issuing entity is Irish
    line = _tax("IE", vat="IE6388047V")[0]
    assert (line.amount, line.jurisdiction, line.note) == (2_300, "IE", "")


def test_uk_vat_and_uk_reverse_charge():
    assert _tax("GB")[0].amount == 2_000
    assert _tax("GB", vat="GB980780684")[0].note == REVERSE_CHARGE_GB


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("DE136695977", "check digits are wrong"),
        ("DE13669597", "wrong length or format"),
        ("US123456789", "Enter an EU or UK VAT number"),
    ],
)
def test_invalid_vat_numbers_are_rejected_with_a_clear_message(number, message):
    with pytest.raises(ValidationError) as exc:
        _tax("DE", vat=number)
    assert exc.value.field == "vat_number"
    assert message in exc.value.message


def test_a_vat_number_of_another_country_than_the_billing_country_is_refused():
    with pytest.raises(ValidationError, match="from DE, the billing country is FR"):
        _tax("FR", vat="DE136695976")


def test_greek_numbers_use_el_and_tax_in_gr():
    assert vat_number_parse("EL094259216").country == "GR"


def test_us_sales_tax_only_in_nexus_states(settings):
    buyer = UserFactory()
    billing_profile_update(actor=buyer, values={"country": "US", "region": "tx", "legal_name": "Acme"})
    assert _tax("US", buyer=buyer)[0].amount == 0
    settings.REVENUE_US_NEXUS_STATES = ["TX", "NY"]
    line = _tax("US", buyer=buyer)[0]
    assert (line.amount, line.jurisdiction) == (625, "US-TX")
    billing_profile_update(actor=buyer, values={"country": "US", "region": "OR"})
    assert _tax("US", buyer=buyer)[0].amount == 0  # no nexus in Oregon (and no sales tax there)


def test_other_countries_from_the_table_or_zero():
    assert _tax("NO")[0].amount == 2_500
    assert _tax("BR")[0] == hooks.TaxLine(amount=0, rate=Decimal(0), jurisdiction="")
    assert _tax("")[0].amount == 0


def test_unknown_country_code_is_a_field_error():
    with pytest.raises(ValidationError) as exc:
        _tax("ZX")
    assert exc.value.field == "billing_country"


def test_the_seeded_table_covers_every_member_state():
    from revenue.tax.rules import EU_MEMBER_STATES

    assert set(TaxRate.objects.values_list("jurisdiction", flat=True)) >= EU_MEMBER_STATES | {"GB"}

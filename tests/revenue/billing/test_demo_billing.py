"""seed_demo holds EU B2C, EU B2B reverse-charge, UK and US sales with their invoices and credit notes."""

import io

import pytest
from django.core.management import call_command

from revenue.models import CouponRedemption, Invoice, OrderLine
from tests.revenue.factories import assert_ledger_clean


@pytest.mark.django_db(transaction=True)
def test_demo_has_every_kind_of_sale_invoiced(settings):
    settings.REVENUE_ENABLED_GATEWAYS = ["local_test", "bank_transfer"]
    settings.REVENUE_DEFAULT_GATEWAY = "local_test"
    call_command("seed_demo", stdout=io.StringIO())

    jurisdictions = set(
        OrderLine.objects.filter(order__state="paid").values_list("tax_jurisdiction", flat=True)
    )
    assert {"DE", "FR", "GB"} <= jurisdictions  # EU B2C and UK
    reverse_charged = list(Invoice.objects.filter(reverse_charge=True, kind="invoice"))
    assert reverse_charged  # Globex's purchases (and its app subscription) are B2B reverse-charge
    for reverse in reverse_charged:
        assert reverse.customer["vat_number"] == "DE136695976"
        assert reverse.tax_total == 0
    assert Invoice.objects.filter(kind="invoice", customer__country="US", state="paid").exists()
    assert Invoice.objects.filter(kind="credit_note").count() == 2  # one per demo refund
    assert not Invoice.objects.filter(kind="invoice", state="draft").exists()
    assert CouponRedemption.objects.filter(coupon__code="WELCOME10").count() == 1
    assert Invoice.objects.filter(coupon_code="WELCOME10").exists()
    assert_ledger_clean()

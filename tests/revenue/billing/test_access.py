"""Billing through the API, the portal, the admin and the management commands; the tax report."""

import csv
import io
from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from revenue.models import Invoice, TaxRate
from revenue.selectors.billing import period_parse, tax_report
from revenue.services.refunds import refund_create
from revenue.services.tax import billing_profile_update
from tests.factories import UserFactory
from tests.revenue.billing.conftest import pdf_text

pytestmark = pytest.mark.django_db


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def sales(buy, run_on_commit):
    """A German consumer sale (19%), a French one partly refunded (20%), a reverse-charge sale (0%)."""
    buyer = UserFactory()
    german = buy(country="DE", buyer=buyer)
    french = buy(country="FR", amount=20_000)
    with run_on_commit():
        refund_create(order=french, amount=12_000)
    business = UserFactory()
    billing_profile_update(actor=business, values={"country": "NL", "vat_number": "NL004495445B01"})
    reverse = buy(country="", buyer=business)
    return {"buyer": buyer, "german": german, "french": french, "reverse": reverse}


def test_the_tax_report_groups_sales_and_credit_notes_per_jurisdiction_and_rate(sales):
    today = Invoice.objects.first().issued_at.date()
    rows = {(r.jurisdiction, r.scheme): r for r in tax_report(start=today, end=today)}
    de, fr, nl = rows[("DE", "standard")], rows[("FR", "standard")], rows[("NL", "reverse_charge")]
    assert (de.sales_net, de.sales_tax, de.tax_due) == (10_000, 1_900, 1_900)
    assert (fr.invoices, fr.credit_notes, fr.sales_tax, fr.credited_tax, fr.tax_due) == (
        1,
        1,
        4_000,
        2_000,
        2_000,
    )
    assert (fr.net_taxable, fr.credited_net) == (10_000, 10_000)
    assert (nl.rate, nl.sales_net, nl.tax_due) == (0, 10_000, 0)
    assert tax_report(start=date(2000, 1, 1), end=date(2000, 12, 31)) == []


def test_period_parsing():
    assert period_parse("2026-q3") == (date(2026, 7, 1), date(2026, 9, 30))
    assert period_parse("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert period_parse("2026") == (date(2026, 1, 1), date(2026, 12, 31))


def test_buyer_api_lists_reads_and_downloads_only_their_invoices(sales):
    client = _api(sales["buyer"])
    body = client.get("/api/v1/revenue/invoices/").json()
    assert [item["total"] for item in body["results"]] == [11_900]
    invoice = body["results"][0]
    assert invoice["number"].startswith("NC-")
    assert invoice["state"] == "paid"
    assert invoice["lines"][0]["tax_jurisdiction"] == "DE"
    pdf = client.get(invoice["pdf_url"])
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert invoice["number"] in pdf_text(pdf.content)
    other = Invoice.objects.get(order=sales["french"], kind="invoice")
    assert client.get(f"/api/v1/revenue/invoices/{other.public_id}/").status_code == 404
    assert client.get(f"/api/v1/revenue/invoices/{other.public_id}/pdf/").status_code == 404


def test_billing_profile_api_validates_the_vat_number():
    client = _api(UserFactory())
    bad = client.put(
        "/api/v1/revenue/billing-profile/", {"country": "DE", "vat_number": "DE136695977"}, format="json"
    )
    assert bad.status_code == 400
    assert "check digits" in str(bad.json())
    ok = client.put(
        "/api/v1/revenue/billing-profile/", {"country": "de", "vat_number": "de 136 695 976"}, format="json"
    )
    assert ok.status_code == 200
    assert ok.json()["vat_number"] == "DE136695976"
    assert client.get("/api/v1/revenue/billing-profile/").json()["country"] == "DE"


def test_finance_api_report_search_void_and_rates(sales, finance_user):
    client = _api(finance_user)
    period = str(Invoice.objects.first().issued_at.year)
    report = client.get("/api/v1/revenue/finance/tax-report/", {"period": period})
    assert report.status_code == 200
    assert {row["jurisdiction"] for row in report.json()["rows"]} >= {"DE", "FR", "NL"}
    as_csv = client.get("/api/v1/revenue/finance/tax-report/", {"period": period, "csv": "true"})
    assert as_csv["Content-Type"] == "text/csv"
    assert next(csv.reader(io.StringIO(as_csv.content.decode())))[2] == "jurisdiction"
    assert client.get("/api/v1/revenue/finance/tax-report/", {"period": "26"}).status_code == 400
    found = client.get("/api/v1/revenue/finance/invoices/", {"kind": "credit_note"}).json()["results"]
    assert len(found) == 1
    assert found[0]["credits_invoice"]
    paid = Invoice.objects.get(order=sales["german"])
    refused = client.post(
        f"/api/v1/revenue/finance/invoices/{paid.public_id}/void/", {"reason": "x"}, format="json"
    )
    assert refused.status_code == 409
    created = client.post(
        "/api/v1/revenue/finance/tax-rates/",
        {"jurisdiction": "DE", "rate": "0.2100", "valid_from": "2031-01-01", "kind": "vat"},
        format="json",
    )
    assert created.status_code == 201
    again = client.post(
        "/api/v1/revenue/finance/tax-rates/",
        {"jurisdiction": "DE", "rate": "0.2200", "valid_from": "2031-01-01"},
        format="json",
    )
    assert again.status_code == 400
    # And buyers may not
    assert (
        _api(sales["buyer"]).get("/api/v1/revenue/finance/tax-report/", {"period": period}).status_code == 403
    )


def test_portal_billing_page_lists_invoices_and_saves_details(client, sales):
    client.force_login(sales["buyer"])
    page = client.get(reverse("revenue:billing"))
    invoice = Invoice.objects.get(order=sales["german"])
    assert page.status_code == 200
    assert invoice.number in page.content.decode()
    download = client.get(reverse("revenue:invoice_pdf", args=[invoice.public_id]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    bad = client.post(reverse("revenue:billing"), {"country": "FR", "vat_number": "DE136695976"})
    assert bad.status_code == 400
    assert "the billing country is FR" in bad.content.decode()
    good = client.post(reverse("revenue:billing"), {"country": "US", "region": "TX", "legal_name": "Jo"})
    assert good.status_code == 302


def test_portal_finance_pages(client, sales, finance_user):
    client.force_login(finance_user)
    invoice = Invoice.objects.get(order=sales["german"])
    assert (
        invoice.number
        in client.get(reverse("revenue:finance_invoices"), {"q": invoice.number}).content.decode()
    )
    year = invoice.issued_at.year
    report = client.get(reverse("revenue:finance_tax_report"), {"period": str(year)})
    assert report.status_code == 200
    assert "reverse_charge" in report.content.decode()
    as_csv = client.get(reverse("revenue:finance_tax_report"), {"period": str(year), "csv": "1"})
    assert as_csv["Content-Type"] == "text/csv"
    assert client.get(reverse("revenue:finance_tax_report"), {"period": "nope"}).status_code == 400
    refused = client.post(reverse("revenue:finance_invoice_void", args=[invoice.public_id]), {"reason": "x"})
    assert refused.status_code == 400
    assert "credit note" in refused.content.decode()
    client.force_login(sales["buyer"])
    assert client.get(reverse("revenue:finance_tax_report")).status_code == 403


def test_admin_pages_load(admin_client, sales):
    invoice = Invoice.objects.get(order=sales["german"])
    assert admin_client.get(reverse("admin:revenue_invoice_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:revenue_invoice_change", args=[invoice.pk])).status_code == 200
    assert admin_client.get(reverse("admin:revenue_taxrate_changelist")).status_code == 200
    response = admin_client.post(
        reverse("admin:revenue_taxrate_add"),
        {"jurisdiction": "fr", "kind": "vat", "rate": "0.21", "valid_from": "2032-01-01", "note": "test"},
    )
    assert response.status_code == 302
    assert TaxRate.objects.filter(jurisdiction="FR", valid_from=date(2032, 1, 1)).exists()


def test_commands(sales, tmp_path, capsys):
    year = str(Invoice.objects.first().issued_at.year)
    call_command("tax_report", year, "--jurisdiction", "de")
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("period_start,period_end,jurisdiction")
    assert len(out) == 2
    assert ",DE,standard," in out[1]
    call_command("tax_rate_set", "AT", "0.22", "2033-01-01")
    assert TaxRate.objects.filter(jurisdiction="AT", valid_from=date(2033, 1, 1)).exists()
    call_command("billing_run", "--vat-checks")
    assert "issued or updated: 0" in capsys.readouterr().out


def test_the_sweep_invoices_orders_paid_outside_checkout(finance_user):
    from tests.revenue.factories import LineSpec, SellerFactory, create_paid_order

    order, _ = create_paid_order(lines=[LineSpec(SellerFactory(), 5_000)])  # e.g. settled by webhook
    assert not Invoice.objects.filter(order=order).exists()
    call_command("billing_run")
    assert Invoice.objects.get(order=order).state == "paid"


def test_organisation_billing_details_for_its_billing_staff_only(local_gateways):
    from novacron.accounts.models import OrgRole
    from tests.factories import MembershipFactory

    billing = MembershipFactory(role=OrgRole.BILLING)
    member = MembershipFactory(organization=billing.organization, role=OrgRole.MEMBER)
    url = f"/api/v1/revenue/billing-profile/?organization={billing.organization.slug}"
    values = {"legal_name": "Acme SARL", "country": "FR", "vat_number": "FR40303265045"}

    assert _api(member.user).put(url, values, format="json").status_code == 404
    saved = _api(billing.user).put(url, values, format="json")
    assert saved.status_code == 200
    assert _api(billing.user).get(url).json()["legal_name"] == "Acme SARL"

    # A purchase for the organisation is invoiced to it, under the reverse charge (FR is not the issuer's state)
    from revenue.services.checkout import checkout_create
    from tests.revenue.factories import ProductFactory

    product = ProductFactory(unit_amount=5_000, currency="EUR")
    order = checkout_create(
        buyer=billing.user,
        items=[("revenue.product", str(product.public_id), 1)],
        currency="EUR",
        payment_method="4242424242424242",
        organization=billing.organization.pk,
    )
    assert order.tax_total == 0
    assert order.lines.get().tax_jurisdiction == "FR"

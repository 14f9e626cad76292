"""The portal's Buy form and the checkout API: coupon codes with clear errors, the VAT number, volume prices, and
the IP country taken from the configured proxy header (REVENUE_IP_COUNTRY_HEADER) and stored with the sale."""

import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from revenue.models import BillingProfile, CouponRedemption, Invoice, Order
from revenue.request_evidence import ip_country_from_request
from revenue.services.coupons import coupon_create
from tests.factories import UserFactory
from tests.revenue.factories import ProductFactory

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _buy(client, product, **data):
    return client.post(
        "/revenue/buy/",
        {
            "product": product.pk,
            "quantity": 1,
            "payment": "card",
            "card_number": "4242 4242 4242 4242",
            "billing_country": "DE",
            "submission_token": uuid.uuid4().hex,
            **data,
        },
        **data.pop("headers", {}),
    )


def test_a_valid_coupon_is_applied_and_redeemed(local_gateways):
    # given a 10% coupon and a €100 product
    coupon_create(actor=None, values={"code": "SPRING", "kind": "percent", "percent_off": 10})
    product = ProductFactory(unit_amount=10_000, currency="EUR")
    buyer = UserFactory()

    # when the buyer types the code in lower case
    response = _buy(_client(buyer), product, coupon=" spring ")

    # then the order is €90 net + 19% VAT and the coupon is redeemed once
    order = Order.objects.get(buyer=buyer)
    assert response.status_code == 302
    assert (order.subtotal, order.tax_total) == (9_000, 1_710)
    assert CouponRedemption.objects.get(order=order).coupon.code == "SPRING"


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ({}, "&quot;NOPE&quot; is not a valid coupon."),
        ({"code": "NOPE", "kind": "percent", "percent_off": 10, "valid_until": "past"}, "This coupon has expired."),
        ({"code": "NOPE", "kind": "percent", "percent_off": 10, "valid_from": "future"}, "This coupon is not valid yet."),
        ({"code": "NOPE", "kind": "fixed", "amount_off": 500, "currency": "USD"}, "this checkout is in EUR"),
    ],
)  # fmt: skip
def test_an_unusable_coupon_is_a_form_error_and_nothing_is_bought(local_gateways, setup, message):
    # given a coupon that cannot be used here (or none at all)
    now = timezone.now()
    if setup:
        values = dict(setup)
        if values.get("valid_until") == "past":
            values["valid_until"] = now - timedelta(days=1)
        if values.get("valid_from") == "future":
            values["valid_from"] = now + timedelta(days=1)
        coupon_create(actor=None, values=values)
    buyer = UserFactory()

    # when the buyer submits the form with it
    response = _buy(_client(buyer), ProductFactory(unit_amount=10_000, currency="EUR"), coupon="nope")

    # then the form comes back with the error on the coupon field, and no order exists
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["coupon"]
    assert message in response.content.decode()
    assert not Order.objects.filter(buyer=buyer).exists()


def test_the_ip_country_header_is_evidence_stored_with_the_sale(
    local_gateways, settings, django_capture_on_commit_callbacks
):
    # given the proxy's header configured
    settings.REVENUE_IP_COUNTRY_HEADER = "CF-IPCountry"
    buyer = UserFactory()

    # when the buyer pays from an Austrian IP with a German billing address
    with django_capture_on_commit_callbacks(execute=True):
        _buy(_client(buyer), ProductFactory(currency="EUR"), headers={"HTTP_CF_IPCOUNTRY": "at"})

    # then the IP country is on the order's and the invoice's evidence (which notes the disagreement)
    order = Order.objects.get(buyer=buyer)
    assert order.tax_evidence["ip_country"] == "AT"
    assert order.tax_evidence["billing_country"] == "DE"
    invoice = Invoice.objects.get(order=order)
    assert invoice.evidence["ip_country"] == "AT"
    assert invoice.evidence["evidence_agrees"] is False


def test_the_header_is_ignored_when_off_or_not_a_country(rf, settings):
    settings.REVENUE_IP_COUNTRY_HEADER = ""
    assert ip_country_from_request(rf.get("/", HTTP_CF_IPCOUNTRY="DE")) == ""
    settings.REVENUE_IP_COUNTRY_HEADER = "CF-IPCountry"
    assert ip_country_from_request(rf.get("/", HTTP_CF_IPCOUNTRY="fr")) == "FR"
    for value in ("XX", "T1", "FRA", "", "1A"):
        assert ip_country_from_request(rf.get("/", HTTP_CF_IPCOUNTRY=value)) == ""


def test_the_checkout_api_takes_the_ip_country_from_the_header_not_the_body(local_gateways, settings):
    settings.REVENUE_IP_COUNTRY_HEADER = "CF-IPCountry"
    buyer = UserFactory()
    client = APIClient()
    client.force_authenticate(buyer)
    product = ProductFactory(currency="EUR")

    response = client.post(
        "/api/v1/revenue/checkouts/",
        {
            "items": [{"type": "revenue.product", "id": str(product.public_id), "quantity": 1}],
            "currency": "EUR",
            "payment_method": "4242424242424242",
            "billing_country": "FR",
            "ip_country": "US",
        },
        format="json",
        HTTP_CF_IPCOUNTRY="FR",
    )

    assert response.status_code == 201, response.content
    assert Order.objects.get(buyer=buyer).tax_evidence["ip_country"] == "FR"


def test_the_form_defaults_to_the_billing_details_and_takes_a_vat_number(
    local_gateways, django_capture_on_commit_callbacks
):
    # given a buyer whose billing details say Austria
    buyer = UserFactory()
    BillingProfile.objects.create(user=buyer, country="AT", legal_name="Alpen GmbH")
    client = _client(buyer)
    assert client.get("/revenue/buy/").context["form"]["billing_country"].value() == "AT"

    # when they buy as a German business with a VAT number
    with django_capture_on_commit_callbacks(execute=True):
        _buy(client, ProductFactory(currency="EUR"), vat_number="DE 136 695 976")

    # then it is a reverse-charge sale (no VAT), the number on the evidence
    order = Order.objects.get(buyer=buyer)
    assert order.tax_total == 0
    assert order.tax_evidence["vat_number"] == "DE136695976"


def test_a_bad_vat_number_is_a_form_error(local_gateways):
    buyer = UserFactory()
    response = _buy(_client(buyer), ProductFactory(currency="EUR"), vat_number="DE123")
    assert response.status_code == 200
    assert response.context["form"].errors["vat_number"]
    assert not Order.objects.filter(buyer=buyer).exists()


def test_volume_prices_apply_to_the_quantity_on_the_form(local_gateways):
    product = ProductFactory(
        unit_amount=2_000, currency="USD", volume_tiers=[{"min_quantity": 10, "unit_amount": 1_800}]
    )
    buyer = UserFactory()
    client = _client(buyer)
    assert "from 10: $18.00 each" in client.get("/revenue/buy/").content.decode()

    _buy(client, product, quantity=25, billing_country="US")

    line = Order.objects.get(buyer=buyer).lines.get()
    assert (line.quantity, line.unit_amount, line.net_amount) == (25, 1_800, 45_000)

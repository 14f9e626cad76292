"""Coupons: percentage and fixed discounts applied in checkout before tax, limits, shown on invoices, and the last
redemption taken exactly once under concurrency (PostgreSQL)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from revenue.exceptions import ValidationError
from revenue.models import CouponRedemption, Invoice, Order
from revenue.services.checkout import checkout_create
from revenue.services.coupons import coupon_create
from revenue.services.invoice_documents import invoice_pdf
from tests.factories import UserFactory
from tests.revenue.billing.conftest import VISA, pdf_text
from tests.revenue.factories import ProductFactory, SellerFactory, assert_ledger_clean

DECLINED = "4000000000000002"


def _coupon(**values):
    return coupon_create(
        actor=None, values={"code": "SPRING", "kind": "percent", "percent_off": 10, **values}
    )


def _checkout(buyer, products, coupon="", card=VISA, country="DE"):
    return checkout_create(
        buyer=buyer,
        items=[("revenue.product", str(p.public_id), 1) for p in products],
        currency="EUR",
        payment_method=card,
        billing_country=country,
        coupon=coupon,
    )


@pytest.mark.django_db
def test_a_percentage_coupon_comes_off_the_net_before_tax_and_shows_on_the_invoice(
    local_gateways, django_capture_on_commit_callbacks
):
    _coupon(percent_off="15")
    products = [
        ProductFactory(unit_amount=10_000, currency="EUR"),
        ProductFactory(unit_amount=3_333, currency="EUR"),
    ]

    with django_capture_on_commit_callbacks(execute=True):
        order = _checkout(UserFactory(), products, coupon=" spring ")

    # 15% of 133.33 = 20.00 (half-up), split 15.00 / 5.00 by net; 19% VAT on what is left
    first, second = order.lines.order_by("id")
    assert (first.net_amount, second.net_amount) == (8_500, 2_833)
    assert (first.metadata["discount"], second.metadata["discount"]) == (1_500, 500)
    assert (order.subtotal, order.tax_total) == (11_333, 1_615 + 538)
    assert CouponRedemption.objects.get(order=order).discount == 2_000
    invoice = Invoice.objects.get(order=order)
    assert invoice.coupon_code == "SPRING"
    text = pdf_text(invoice_pdf(invoice))
    assert "coupon SPRING" in text
    assert "−€20.00" in text
    assert_ledger_clean()


@pytest.mark.django_db
def test_a_fixed_coupon_never_exceeds_the_price_and_must_match_the_currency(local_gateways):
    coupon_create(
        actor=None, values={"code": "TENOFF", "kind": "fixed", "amount_off": 1_000, "currency": "EUR"}
    )
    order = _checkout(UserFactory(), [ProductFactory(unit_amount=600, currency="EUR")], coupon="TENOFF")
    assert (order.subtotal, order.total, order.state) == (0, 0, Order.State.PAID)
    usd = ProductFactory(unit_amount=600, currency="USD")
    with pytest.raises(ValidationError, match="this checkout is in USD") as exc:
        checkout_create(
            buyer=UserFactory(), items=[("revenue.product", str(usd.public_id), 1)], currency="USD",
            payment_method=VISA, coupon="TENOFF",
        )  # fmt: skip
    assert exc.value.field == "coupon"


@pytest.mark.django_db
def test_limits_validity_and_seller_scope(local_gateways):
    buyer = UserFactory()
    product = ProductFactory(unit_amount=1_000, currency="EUR")
    _coupon(code="ONCE", max_per_buyer=1)
    _checkout(buyer, [product], coupon="ONCE")
    with pytest.raises(ValidationError, match="already used"):
        _checkout(buyer, [product], coupon="ONCE")
    _coupon(code="OLD", valid_until=timezone.now() - timedelta(days=1))
    with pytest.raises(ValidationError, match="expired"):
        _checkout(buyer, [product], coupon="OLD")
    _coupon(code="OTHERSELLER", seller=SellerFactory())
    with pytest.raises(ValidationError, match="does not apply"):
        _checkout(buyer, [product], coupon="OTHERSELLER")
    with pytest.raises(ValidationError, match="not a valid coupon"):
        _checkout(buyer, [product], coupon="NOPE")
    assert Order.objects.filter(buyer=buyer).count() == 1  # refused checkouts wrote nothing


@pytest.mark.django_db
def test_a_declined_payment_frees_its_redemption(local_gateways):
    _coupon(code="LAST", max_redemptions=1)
    product = ProductFactory(unit_amount=1_000, currency="EUR")
    declined = _checkout(UserFactory(), [product], coupon="LAST", card=DECLINED)
    assert declined.state == Order.State.FAILED
    assert _checkout(UserFactory(), [product], coupon="LAST").state == Order.State.PAID
    with pytest.raises(ValidationError, match="fully redeemed"):
        _checkout(UserFactory(), [product], coupon="LAST")


@pytest.mark.django_db
def test_coupon_api_and_checkout_field(local_gateways, finance_user):
    finance = APIClient()
    finance.force_authenticate(finance_user)
    bad = finance.post(
        "/api/v1/revenue/finance/coupons/", {"code": "X", "kind": "percent", "percent_off": "150"}
    )
    assert bad.status_code == 400
    assert "percent_off" in bad.json()["error"]["fields"]
    made = finance.post(
        "/api/v1/revenue/finance/coupons/",
        {"code": "api10", "kind": "percent", "percent_off": "10"},
        format="json",
    )
    assert made.status_code == 201
    assert made.json()["code"] == "API10"
    buyer = APIClient()
    buyer.force_authenticate(UserFactory())
    product = ProductFactory(unit_amount=2_000, currency="EUR")
    item = {"type": "revenue.product", "id": str(product.public_id), "quantity": 1}
    bought = buyer.post(
        "/api/v1/revenue/checkouts/",
        {"items": [item], "currency": "EUR", "payment_method": VISA, "coupon": "API10"},
        format="json",
    )
    assert bought.status_code == 201
    assert bought.json()["subtotal"] == 1_800
    refused = buyer.post(
        "/api/v1/revenue/checkouts/",
        {"items": [item], "currency": "EUR", "payment_method": VISA, "coupon": "WRONG"},
        format="json",
    )
    assert refused.status_code == 400
    assert "coupon" in refused.json()["error"]["fields"]
    assert finance.get("/api/v1/revenue/finance/coupons/").json()["results"][0]["redemptions"] == 1


@pytest.mark.django_db
def test_finance_portal_creates_coupons(client, finance_user):
    client.force_login(finance_user)
    bad = client.post("/revenue/finance/coupons/", {"code": "F5", "kind": "fixed", "duration": "once"})
    assert bad.status_code == 400
    ok = client.post(
        "/revenue/finance/coupons/",
        {"code": "F5", "kind": "fixed", "amount_off": "5.00", "currency": "EUR", "duration": "once"},
    )
    assert ok.status_code == 302
    assert "F5" in client.get("/revenue/finance/coupons/").content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_last_redemptions_are_taken_exactly_once_under_concurrency(local_gateways):
    # Given a coupon with 3 redemptions left and 8 buyers checking out with it at once
    _coupon(code="RUSH", max_redemptions=3)
    product = ProductFactory(unit_amount=1_000, currency="EUR")
    buyers = [UserFactory() for _ in range(8)]
    barrier = threading.Barrier(8)
    outcomes: list[str] = []
    lock = threading.Lock()

    def work(buyer):
        try:
            barrier.wait()
            _checkout(buyer, [product], coupon="RUSH")
            result = "paid"
        except ValidationError as exc:
            result = exc.code or "refused"
        except Exception as exc:  # reported below
            result = repr(exc)
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=work, args=(b,)) for b in buyers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then exactly 3 got it, the others were told it is used up, and 3 redemptions exist
    assert sorted(outcomes) == ["coupon_exhausted"] * 5 + ["paid"] * 3
    assert CouponRedemption.objects.filter(coupon__code="RUSH").count() == 3

"""Volume prices (mode "volume": every unit at the tier the quantity reaches): tier boundaries, validation, the
facade's pure function, checkout through the resolver, and the invoice showing the list price and the saving."""

import pytest

from revenue import facade
from revenue.exceptions import ValidationError
from revenue.models import Invoice
from revenue.services.checkout import checkout_create
from revenue.services.coupons import coupon_create
from revenue.services.invoice_documents import invoice_pdf
from revenue.services.products import product_create, product_update
from revenue.volume_pricing import VolumeTierError, volume_price, volume_tiers_clean, volume_tiers_parse
from tests.factories import UserFactory
from tests.revenue.billing.conftest import VISA, pdf_text
from tests.revenue.factories import ProductFactory, SellerFactory

TIERS = [{"min_quantity": 10, "unit_amount": 1800}, {"min_quantity": 50, "unit_amount": 1500}]


@pytest.mark.parametrize(
    ("quantity", "unit", "reached"),
    [(1, 2000, 1), (9, 2000, 1), (10, 1800, 10), (49, 1800, 10), (50, 1500, 50), (500, 1500, 50)],
)
def test_every_unit_is_priced_at_the_tier_the_quantity_reaches(quantity, unit, reached):
    price = volume_price(list_unit_amount=2000, tiers=TIERS, quantity=quantity)
    assert (price.unit_amount, price.min_quantity) == (unit, reached)
    assert price.net == unit * quantity
    assert price.discount == (2000 - unit) * quantity
    # the facade answers the same, from dicts or pairs in any order
    assert facade.volume_unit_amount([(50, 1500), (10, 1800)], quantity, list_unit_amount=2000) == unit


def test_tiers_are_checked_against_the_list_price():
    assert [t.min_quantity for t in volume_tiers_clean(list(reversed(TIERS)), list_unit_amount=2000)] == [
        10,
        50,
    ]
    bad = [
        [{"min_quantity": 1, "unit_amount": 1000}],  # 1 is the list price
        [{"min_quantity": 10, "unit_amount": 2000}],  # not cheaper than the list price
        [{"min_quantity": 10, "unit_amount": 1500}, {"min_quantity": 50, "unit_amount": 1600}],  # dearer
        [{"min_quantity": 10, "unit_amount": 1500}, {"min_quantity": 10, "unit_amount": 1400}],  # twice
        [{"min_quantity": 10, "unit_amount": "15.00"}],
        [{"min_quantity": True, "unit_amount": 10}],
    ]
    for tiers in bad:
        with pytest.raises(VolumeTierError):
            volume_tiers_clean(tiers, list_unit_amount=2000)
    with pytest.raises(ValueError, match="lower than the list price"):
        facade.volume_tiers_check([{"min_quantity": 10, "unit_amount": 2500}], list_unit_amount=2000)
    assert volume_tiers_parse(" 10:1800; 50:1500 ") == TIERS
    with pytest.raises(VolumeTierError):
        volume_tiers_parse("10=1800")


@pytest.mark.django_db
def test_products_keep_valid_tiers_and_a_new_list_price_must_stay_above_them():
    seller = SellerFactory()
    product = product_create(
        seller=seller, actor=seller.user, name="Seat", unit_amount=2000, currency="USD", volume_tiers=TIERS
    )
    assert product.volume_tiers == TIERS

    with pytest.raises(ValidationError) as error:
        product_update(product=product, actor=seller.user, unit_amount=1700)
    assert error.value.field == "volume_tiers"
    product.refresh_from_db()
    assert product.unit_amount == 2000  # nothing half-written

    product = product_update(product=product, actor=seller.user, volume_tiers=[])
    assert product.volume_tiers == []


@pytest.mark.django_db
def test_checkout_prices_through_the_tiers_and_the_invoice_shows_the_volume_discount(
    local_gateways, django_capture_on_commit_callbacks
):
    # given a per-seat product at 20.00 EUR with tiers, and a 10% coupon
    product = ProductFactory(unit_amount=2000, currency="EUR", volume_tiers=TIERS)
    coupon_create(actor=None, values={"code": "TEAM", "kind": "percent", "percent_off": 10})

    # when a buyer in Germany takes 12 seats (the first tier) with the coupon
    with django_capture_on_commit_callbacks(execute=True):
        order = checkout_create(
            buyer=UserFactory(),
            items=[("revenue.product", str(product.public_id), 12)],
            currency="EUR",
            payment_method=VISA,
            billing_country="DE",
            coupon="TEAM",
        )

    # then every seat costs 18.00, the coupon comes off that, and VAT is on what is left
    line = order.lines.get()
    assert (line.unit_amount, line.quantity) == (1800, 12)
    assert line.metadata["volume"] == {
        "list_unit_amount": 2000,
        "unit_amount": 1800,
        "min_quantity": 10,
        "discount": 2400,
    }
    assert line.net_amount == 21_600 - 2_160
    assert order.subtotal == 19_440
    assert order.tax_total == 3_694

    # and the invoice lists the list price and the volume discount
    invoice = Invoice.objects.get(order=order)
    text = " ".join(pdf_text(invoice_pdf(invoice)).split())
    assert "Volume price from 10 units: list price €20.00 each, volume discount −€24.00" in text
    assert "€18.00" in text  # the unit price charged
    assert "Volume discount (included in the unit prices)" in text


@pytest.mark.django_db
def test_below_the_first_tier_the_list_price_applies_and_nothing_is_noted(local_gateways):
    product = ProductFactory(unit_amount=2000, currency="USD", volume_tiers=TIERS)
    order = checkout_create(
        buyer=UserFactory(),
        items=[("revenue.product", str(product.public_id), 9)],
        currency="USD",
        payment_method=VISA,
    )
    line = order.lines.get()
    assert (line.unit_amount, line.net_amount) == (2000, 18_000)
    assert "volume" not in line.metadata

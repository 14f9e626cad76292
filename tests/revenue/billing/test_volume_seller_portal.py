"""Sellers manage their products and volume prices on the portal (/revenue/products/)."""

import pytest
from django.test import Client

from revenue.models import Product
from tests.factories import UserFactory
from tests.revenue.factories import ProductFactory, SellerFactory

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_seller_creates_a_product_with_volume_prices_in_major_units():
    # given a developer seller
    seller = SellerFactory()
    client = _client(seller.user)

    # when they create a JPY product with volume prices, then a BHD one with too many decimals
    created = client.post(
        "/revenue/products/",
        {
            "seller": seller.pk,
            "name": "Seat",
            "currency": "JPY",
            "price": "2000",
            "volume_tiers": "10: 1800, 50: 1500",
        },
    )
    refused = client.post(
        "/revenue/products/",
        {
            "seller": seller.pk,
            "name": "Dear",
            "currency": "USD",
            "price": "20.00",
            "volume_tiers": "10: 18.005",
        },
    )
    dearer = client.post(
        "/revenue/products/",
        {
            "seller": seller.pk,
            "name": "Dear",
            "currency": "USD",
            "price": "20.00",
            "volume_tiers": "10: 25.00",
        },
    )

    # then the first is stored in minor units (JPY has none); the others are field errors and not stored
    assert created.status_code == 302
    product = Product.objects.get(name="Seat")
    assert (product.unit_amount, product.volume_tiers) == (
        2000,
        [{"min_quantity": 10, "unit_amount": 1800}, {"min_quantity": 50, "unit_amount": 1500}],
    )
    assert refused.status_code == 400
    assert refused.context["form"].errors["volume_tiers"]
    assert dearer.status_code == 400
    assert "lower than the list price" in dearer.context["form"].errors["volume_tiers"][0]
    assert not Product.objects.filter(name="Dear").exists()
    listing = client.get("/revenue/products/").content.decode()
    assert "from 10: ¥1,800" in listing


def test_a_seller_edits_tiers_and_others_cannot_see_the_product():
    product = ProductFactory(
        unit_amount=2000, currency="EUR", volume_tiers=[{"min_quantity": 10, "unit_amount": 1800}]
    )
    client = _client(product.seller.user)
    url = f"/revenue/products/{product.public_id}/"

    page = client.get(url)
    saved = client.post(
        url,
        {
            "seller": product.seller_id,
            "name": product.name,
            "currency": "EUR",
            "price": "20.00",
            "volume_tiers": "5: 19.00",
            "is_active": "on",
        },
    )

    assert page.context["form"]["volume_tiers"].value() == "10: 18.00"
    assert saved.status_code == 302
    product.refresh_from_db()
    assert product.volume_tiers == [{"min_quantity": 5, "unit_amount": 1900}]
    assert _client(UserFactory()).get(url).status_code == 404

"""Volume tiers through the products API (sellers) and the admin (staff)."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from novacron.core.models import AuditLog
from revenue.models import Product
from tests.factories import UserFactory
from tests.revenue.factories import ProductFactory

pytestmark = pytest.mark.django_db
TIERS = [{"min_quantity": 10, "unit_amount": 1800}, {"min_quantity": 50, "unit_amount": 1500}]


def test_a_seller_creates_and_changes_volume_tiers_through_the_api(user):
    client = APIClient()
    client.force_authenticate(user)
    body = {"name": "Seat", "unit_amount": 2000, "currency": "USD", "volume_tiers": list(reversed(TIERS))}

    created = client.post("/api/v1/revenue/products/", body, format="json")
    bad = client.post(
        "/api/v1/revenue/products/",
        {**body, "volume_tiers": [{"min_quantity": 5, "unit_amount": 2500}]},
        format="json",
    )
    product_id = created.json()["id"]
    cleared = client.patch(f"/api/v1/revenue/products/{product_id}/", {"volume_tiers": []}, format="json")

    assert created.status_code == 201
    assert created.json()["volume_tiers"] == TIERS  # sorted
    assert bad.status_code == 400
    assert "volume_tiers" in bad.json()["error"]["fields"]
    assert cleared.status_code == 200
    assert cleared.json()["volume_tiers"] == []
    assert Product.objects.count() == 1
    update = AuditLog.objects.get(action="revenue.product_update")
    assert update.before["volume_tiers"] == TIERS
    assert update.after["volume_tiers"] == []


def test_staff_edit_tiers_in_the_admin_as_quantity_price_pairs():
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin_user)
    product = ProductFactory(unit_amount=2000)
    data = {
        "seller": product.seller_id,
        "name": product.name,
        "description": "",
        "unit_amount": 2000,
        "currency": "USD",
        "is_active": "on",
    }

    page = client.get(f"/admin/revenue/product/{product.pk}/change/")
    saved = client.post(
        f"/admin/revenue/product/{product.pk}/change/", {**data, "volume_tiers": "50:1500, 10:1800"}
    )
    refused = client.post(f"/admin/revenue/product/{product.pk}/change/", {**data, "volume_tiers": "10:2100"})

    assert page.status_code == 200
    assert saved.status_code == 302
    assert refused.status_code == 200
    assert "must be lower than the list price" in refused.content.decode()
    product.refresh_from_db()
    assert product.volume_tiers == TIERS

"""Products: sellers manage their own; everyone signed in sees the active ones."""

import pytest

from novacron.accounts.models import OrgRole
from novacron.core.exceptions import PermissionDenied
from novacron.core.models import AuditLog
from revenue.exceptions import ValidationError
from revenue.models import Product, Seller
from revenue.services.products import product_create, product_deactivate, product_update
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.revenue.factories import ProductFactory, SellerFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/revenue/products/"


def test_a_user_creates_a_product_as_their_developer_seller(auth_client, user):
    response = auth_client.post(
        URL, {"name": "Priority support", "unit_amount": 19_900, "currency": "eur"}, format="json"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["name"], body["unit_amount"], body["currency"], body["is_active"]) == (
        "Priority support",
        19_900,
        "EUR",
        True,
    )
    assert body["item_type"] == "revenue.product"
    seller = Seller.objects.get(user=user, kind=Seller.Kind.DEVELOPER)
    assert body["seller"] == str(seller.public_id)
    assert AuditLog.objects.filter(action="revenue.product_create", object_id=body["id"]).exists()


def test_list_shows_active_products_and_my_inactive_ones(auth_client, user):
    mine = SellerFactory(user=user)
    ProductFactory(name="A active", seller=mine)
    ProductFactory(name="B mine inactive", seller=mine, is_active=False)
    ProductFactory(name="C others active")
    ProductFactory(name="D others inactive", is_active=False)

    names = [p["name"] for p in auth_client.get(URL).json()["results"]]
    own = [p["name"] for p in auth_client.get(URL, {"mine": "1"}).json()["results"]]

    assert names == ["A active", "B mine inactive", "C others active"]
    assert own == ["A active", "B mine inactive"]


def test_only_the_seller_changes_a_product(auth_client, user, api_client):
    product = ProductFactory(seller=SellerFactory(user=user), unit_amount=1_000)
    url = f"{URL}{product.public_id}/"

    changed = auth_client.patch(url, {"unit_amount": 1_500, "name": "Gold support"}, format="json")
    api_client.force_authenticate(UserFactory())
    refused = api_client.patch(url, {"unit_amount": 1}, format="json")

    assert changed.status_code == 200, changed.json()
    assert (changed.json()["unit_amount"], changed.json()["name"]) == (1_500, "Gold support")
    assert refused.status_code == 403
    product.refresh_from_db()
    assert product.unit_amount == 1_500
    audit = AuditLog.objects.get(action="revenue.product_update")
    assert (audit.before["unit_amount"], audit.after["unit_amount"]) == (1_000, 1_500)


def test_inactive_products_of_others_are_not_found(auth_client):
    product = ProductFactory(is_active=False)

    assert auth_client.get(f"{URL}{product.public_id}/").status_code == 404


def test_validation_errors_name_the_field():
    seller = SellerFactory()
    actor = seller.user
    cases = [
        ({"name": " ", "unit_amount": 100, "currency": "USD"}, "name"),
        ({"name": "x", "unit_amount": -1, "currency": "USD"}, "unit_amount"),
        ({"name": "x", "unit_amount": 1.5, "currency": "USD"}, "unit_amount"),
        ({"name": "x", "unit_amount": 100, "currency": "ABC"}, "currency"),
    ]
    for fields, field in cases:
        with pytest.raises(ValidationError) as error:
            product_create(seller=seller, actor=actor, **fields)
        assert error.value.field == field
    assert not Product.objects.exists()


def test_organisation_admins_manage_their_organisations_products():
    organization = OrganizationFactory()
    seller = Seller.objects.create(kind=Seller.Kind.PARTNER, display_name="Acme", organization=organization)
    admin = MembershipFactory(organization=organization, role=OrgRole.ADMIN).user
    member = MembershipFactory(organization=organization, role=OrgRole.MEMBER).user

    product = product_create(
        seller=seller, actor=admin, name="Training day", unit_amount=90_000, currency="USD"
    )
    with pytest.raises(PermissionDenied):
        product_update(product=product, actor=member, unit_amount=1)
    product = product_deactivate(product=product, actor=admin)

    assert product.is_active is False
    assert product_update(product=product, actor=admin, is_active=False) == product  # nothing changed
    assert AuditLog.objects.filter(action="revenue.product_update").count() == 1

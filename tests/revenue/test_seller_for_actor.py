"""Which seller a user acts for (selectors.seller_for_actor / services.sellers.seller_ensure_for_actor), and the
one answer every API gives when it is not theirs: 404 not_a_seller."""

from unittest import mock

import pytest
from rest_framework.test import APIClient

from novacron.accounts.models import OrgRole
from revenue.exceptions import NotASeller, ValidationError
from revenue.models import Plan, Seller
from revenue.selectors import seller_for_actor
from revenue.services.sellers import seller_ensure_for_actor, seller_platform
from revenue.services.subscriptions_plans import plan_upsert
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.revenue.factories import SellerFactory
from tests.revenue.subscriptions.factories import PlanFactory

pytestmark = pytest.mark.django_db

PLANS = "/api/v1/revenue/subscriptions/plans/"


def _org_seller(user, role):
    organization = OrganizationFactory()
    MembershipFactory(organization=organization, user=user, role=role)
    return Seller.objects.create(
        kind=Seller.Kind.PARTNER, display_name="A org", organization_id=organization.pk
    )


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_own_seller_first_then_an_organisations():
    # given a user who owns an organisation's seller and, later, has their own
    user = UserFactory()
    org_seller = _org_seller(user, OrgRole.OWNER)
    # then without their own they act for the organisation's, with it for their own
    assert seller_for_actor(user=user, manage=True) == org_seller
    own = SellerFactory(user=user, display_name="Z mine")
    assert seller_for_actor(user=user) == own
    assert seller_for_actor(user=user, public_id=org_seller.public_id, manage=True) == org_seller


def test_a_billing_contact_reads_but_does_not_manage():
    user = UserFactory()
    org_seller = _org_seller(user, OrgRole.BILLING)
    assert seller_for_actor(user=user, public_id=str(org_seller.public_id)) == org_seller
    with pytest.raises(NotASeller) as named:
        seller_for_actor(user=user, public_id=org_seller.public_id, manage=True)
    assert named.value.field == "seller"
    with pytest.raises(NotASeller, match="not a seller"):
        seller_for_actor(user=user, manage=True)


def test_others_and_the_platform_are_not_yours():
    user, superuser = UserFactory(), UserFactory(is_superuser=True)
    other, platform = SellerFactory(), seller_platform()
    for public_id in (other.public_id, platform.public_id):
        with pytest.raises(NotASeller):
            seller_for_actor(user=user, public_id=public_id, manage=True)
    with pytest.raises(NotASeller):
        seller_for_actor(user=superuser, public_id=platform.public_id)  # reads: never the platform
    assert seller_for_actor(user=superuser, public_id=platform.public_id, manage=True) == platform


def test_ensure_creates_the_developer_seller_once():
    user = UserFactory()
    first = seller_ensure_for_actor(user=user)
    assert (first.kind, first.user_id) == (Seller.Kind.DEVELOPER, user.pk)
    assert seller_ensure_for_actor(user=user) == first
    with pytest.raises(NotASeller):
        seller_ensure_for_actor(user=user, public_id=SellerFactory().public_id)


def test_creating_for_someone_elses_seller_is_404_not_a_seller(user, auth_client):
    # (was 403 for plans and 400 for products; now the same answer as the other seller endpoints)
    other = SellerFactory()
    plan = auth_client.post(
        PLANS,
        {"slug": "x", "name": "X", "unit_amount": 1, "currency": "EUR", "seller": str(other.public_id)},
        format="json",
    )
    product = auth_client.post(
        "/api/v1/revenue/products/",
        {"name": "X", "unit_amount": 1, "currency": "EUR", "seller": str(other.public_id)},
        format="json",
    )
    for response in (plan, product):
        assert response.status_code == 404, response.content
        assert response.json()["error"]["code"] == "not_a_seller"
        assert "seller" in response.json()["error"]["fields"]
    assert not Plan.objects.exists()


def test_payout_account_of_an_organisation_only_its_managers_set():
    user = UserFactory()
    org_seller = _org_seller(user, OrgRole.BILLING)
    response = _client(user).put(
        "/api/v1/revenue/payout-account/",
        {
            "seller": str(org_seller.public_id),
            "currency": "USD",
            "method": "stripe_connect",
            "stripe_account_id": "acct_1",
        },
        format="json",
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_a_seller"


# --- plan create: "the slug exists" is the service's rule (create_only) ----------------------------------------


def test_api_refuses_an_existing_slug_and_changes_nothing(user, auth_client):
    existing = PlanFactory(key="revenue.plan:team", seller=SellerFactory(user=user), unit_amount=500)
    response = auth_client.post(
        PLANS, {"slug": "team", "name": "Team", "unit_amount": 900, "currency": "EUR"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"slug": ["A plan with this slug exists already."]}
    existing.refresh_from_db()
    assert existing.unit_amount == 500


def test_plan_upsert_create_only_and_the_default_update():
    plan = PlanFactory(unit_amount=500)
    values = {"name": "New", "unit_amount": 700, "currency": "EUR"}
    with pytest.raises(ValidationError) as refused:
        plan_upsert(key=plan.key, seller=plan.seller, values=values, create_only=True)
    assert refused.value.field == "slug"
    assert plan_upsert(key=plan.key, seller=plan.seller, values=values).unit_amount == 700  # upsert as before


def test_create_only_refuses_a_key_created_concurrently():
    # given a plan that appears after the service looked for it (a concurrent create of the same key)
    plan = PlanFactory()
    values = {"name": "Twin", "unit_amount": 1, "currency": "EUR"}
    # then the unique key refuses it with the same field error, not a 500
    with (
        mock.patch.object(Plan.objects, "select_for_update", return_value=Plan.objects.none()),
        pytest.raises(ValidationError) as refused,
    ):
        plan_upsert(key=plan.key, seller=plan.seller, values=values, create_only=True)
    assert refused.value.field == "slug"
    assert Plan.objects.filter(key=plan.key).count() == 1


# --- lookups by public id (selectors) --------------------------------------------------------------------------


def test_unknown_plan_and_subscription_are_404(auth_client, finance_user):
    missing = "00000000-0000-4000-8000-000000000000"
    assert auth_client.get(f"{PLANS}{missing}/").status_code == 404
    assert auth_client.patch(f"{PLANS}{missing}/", {"unit_amount": 1}, format="json").status_code == 404
    assert auth_client.get(f"/api/v1/revenue/subscriptions/{missing}/").status_code == 404
    retry = _client(finance_user).post(
        f"/api/v1/revenue/subscriptions/{missing}/retry/", HTTP_IDEMPOTENCY_KEY="r-1"
    )
    assert retry.status_code == 404
    assert retry.json()["error"]["code"] == "not_found"

"""Entitlements: which plan, how many seats, who holds one — through the service and the app-key API."""

from datetime import timedelta

import pytest
from django.utils import timezone

from marketplace.exceptions import Conflict, ValidationError
from marketplace.models import Installation
from marketplace.selectors import entitlements
from marketplace.services import installs, subscriptions
from marketplace.services.apps import api_key_rotate
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.marketplace.factories import make_app

pytestmark = pytest.mark.django_db
CARD = "4242424242424242"


@pytest.fixture
def org_admin(db):
    return UserFactory()


@pytest.fixture
def org(org_admin):
    organization = OrganizationFactory()
    MembershipFactory(organization=organization, user=org_admin, role="admin")
    return organization


@pytest.fixture
def seat_app(publisher):
    return make_app(
        publisher,
        plans=[
            {"name": "Team", "model": "per_seat", "interval": "month", "amount": 900},
            {
                "name": "Trial-able",
                "model": "subscription",
                "interval": "year",
                "amount": 10000,
                "trial_days": 14,
            },
        ],
    )


def test_seats_bought_for_an_organisation_and_assigned(seat_app, org, org_admin, run_on_commit):
    member, outsider = UserFactory(), UserFactory()
    MembershipFactory(organization=org, user=member)
    plan = seat_app.plans.get(name="Team")
    with run_on_commit():
        subscription = subscriptions.subscribe(
            app=seat_app, plan=plan, user=org_admin, payment_method=CARD, organization_id=org.pk, seats=2
        )
    assert (subscription.state, subscription.seats, subscription.unit_amount) == ("active", 2, 900)
    installation = Installation.objects.get(organization=org)
    assert installation.seats == 2

    installs.seat_assign(installation=installation, user=org_admin, member_id=member.pk)
    installs.seat_assign(installation=installation, user=org_admin, member_id=org_admin.pk)
    with pytest.raises(ValidationError):
        installs.seat_assign(installation=installation, user=org_admin, member_id=outsider.pk)
    third = UserFactory()
    MembershipFactory(organization=org, user=third)
    with pytest.raises(Conflict) as exc:
        installs.seat_assign(installation=installation, user=org_admin, member_id=third.pk)
    assert exc.value.code == "no_seats_left"

    answer = entitlements.entitlement(app=seat_app, organization_id=org.pk, user_id=member.pk)
    assert answer.licensed
    assert answer.plan == "Team"
    assert answer.plan_model == "per_seat"
    assert (answer.seats, answer.seats_assigned, answer.user_has_seat) == (2, 2, True)
    assert (
        entitlements.entitlement(app=seat_app, organization_id=org.pk, user_id=third.pk).user_has_seat
        is False
    )

    installs.seat_unassign(installation=installation, user=org_admin, member_id=member.pk)
    assert entitlements.entitlement(app=seat_app, organization_id=org.pk).seats_assigned == 1


def test_members_cannot_manage_installs(seat_app, org):
    member = UserFactory()
    MembershipFactory(organization=org, user=member, role="member")
    from marketplace.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        installs.trial_start(
            app=seat_app, plan=seat_app.plans.get(name="Trial-able"), user=member, organization_id=org.pk
        )


def test_unlicensed_trial_and_expired_answers(seat_app, org, org_admin):
    assert entitlements.entitlement(app=seat_app, organization_id=org.pk).status == "none"
    plan = seat_app.plans.get(name="Trial-able")
    installs.trial_start(app=seat_app, plan=plan, user=org_admin, organization_id=org.pk)
    answer = entitlements.entitlement(app=seat_app, organization_id=org.pk)
    assert answer.licensed
    assert answer.status == "trial"
    assert answer.plan == "Trial-able"
    later = timezone.now() + timedelta(days=15)
    assert entitlements.entitlement(app=seat_app, organization_id=org.pk, now=later).status == "expired"
    assert installs.installations_expire(now=later) == 1
    with pytest.raises(Conflict):  # one trial per customer and app
        installs.trial_start(app=seat_app, plan=plan, user=org_admin, organization_id=org.pk)


def test_free_install_uninstall_and_a_users_own_licence(publisher, buyer):
    app = make_app(publisher)
    installation = installs.install(app=app, plan=app.plans.get(), user=buyer)
    assert installation.granted_scopes == ["schedules:read", "runs:read"]
    with pytest.raises(Conflict):
        installs.install(app=app, plan=app.plans.get(), user=buyer)
    assert entitlements.entitlement(app=app, user_id=buyer.pk).licensed
    installs.uninstall(installation=installation, user=buyer)
    assert not entitlements.entitlement(app=app, user_id=buyer.pk).licensed
    app.refresh_from_db()
    assert app.install_count == 0


def test_only_published_apps_can_be_installed(publisher, buyer):
    app = make_app(publisher, published=False)
    with pytest.raises(Conflict):
        installs.install(app=app, plan=app.plans.get(), user=buyer)


def test_entitlement_api_with_the_app_key(api_client, seat_app, org, org_admin, publisher_user):
    installs.trial_start(
        app=seat_app, plan=seat_app.plans.get(name="Trial-able"), user=org_admin, organization_id=org.pk
    )
    key = api_key_rotate(app=seat_app, user=publisher_user)
    url = "/api/v1/marketplace/entitlements/"

    response = api_client.get(url, {"organization": org.slug}, HTTP_X_APP_KEY=key)
    assert response.status_code == 200, response.json()
    assert response.json()["licensed"] is True
    assert response.json()["status"] == "trial"
    assert api_client.get(url, {"organization": org.slug}, HTTP_X_APP_KEY="mkt_wrong").status_code == 403
    assert api_client.get(url, {"organization": org.slug}).status_code in (401, 403)
    assert api_client.get(url, {}, HTTP_X_APP_KEY=key).status_code == 400
    other = make_app(seat_app.publisher)
    assert (
        api_client.get(url, {"organization": org.slug, "app": other.slug}, HTTP_X_APP_KEY=key).status_code
        == 403
    )
    # The publisher, signed in, may ask too.
    api_client.force_authenticate(publisher_user)
    assert (
        api_client.get(url, {"organization": org.slug, "app": seat_app.slug}).json()["plan"] == "Trial-able"
    )


def test_usage_is_recorded_once_per_key_and_capped(api_client, publisher, publisher_user, buyer):
    app = make_app(
        publisher, plans=[{"name": "Metered", "model": "usage", "unit_amount": 3, "monthly_cap": 100}]
    )
    summary = subscriptions.subscribe(app=app, plan=app.plans.get(), user=buyer, payment_method=CARD)
    installation = Installation.objects.get(subscription_id=summary.id)
    key = api_key_rotate(app=app, user=publisher_user)
    body = {"installation": str(installation.public_id), "quantity": 30, "idempotency_key": "batch-1"}
    first = api_client.post("/api/v1/marketplace/usage/", body, format="json", HTTP_X_APP_KEY=key)
    assert first.status_code == 201
    assert first.json()["month_amount"]["amount"] == 90
    again = api_client.post("/api/v1/marketplace/usage/", body, format="json", HTTP_X_APP_KEY=key)
    assert again.status_code == 200
    assert again.json()["recorded"] is False
    more = api_client.post(
        "/api/v1/marketplace/usage/",
        {**body, "idempotency_key": "batch-2"},
        format="json",
        HTTP_X_APP_KEY=key,
    )
    assert more.json()["month_units"] == 60
    assert more.json()["month_amount"]["amount"] == 100

"""A publisher cannot touch another publisher's app: services refuse, the API and the portal answer 404."""

import pytest
from django.urls import reverse

from marketplace.exceptions import PermissionDenied
from marketplace.services import apps, pricing, versions
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.marketplace.factories import make_app, make_publisher, png

pytestmark = pytest.mark.django_db


@pytest.fixture
def rival():
    user = UserFactory()
    make_publisher(user, "Rival Inc")
    return user


def test_services_refuse_another_publishers_app(app, rival):
    version = app.versions.get()
    plan = app.plans.get()
    for call in (
        lambda: apps.app_update(app=app, user=rival, tagline="Hijacked"),
        lambda: apps.screenshot_add(app=app, user=rival, image=png()),
        lambda: apps.api_key_rotate(app=app, user=rival),
        lambda: versions.version_create(app=app, user=rival, version="9.0.0"),
        lambda: versions.version_deprecate(version=version, user=rival),
        lambda: pricing.plan_create(app=app, user=rival, name="Cheap", model="free"),
        lambda: pricing.plan_change_price(plan=plan, user=rival, amount=1),
    ):
        with pytest.raises(PermissionDenied):
            call()
    app.refresh_from_db()
    assert app.tagline != "Hijacked"


def test_api_and_portal_hide_another_publishers_app(api_client, client, app, rival):
    api_client.force_authenticate(rival)
    version = app.versions.get()
    assert (
        api_client.patch(
            f"/api/v1/marketplace/apps/{app.slug}/listing/", {"tagline": "x"}, format="json"
        ).status_code
        == 404
    )
    assert api_client.get(f"/api/v1/marketplace/apps/{app.slug}/versions/").status_code == 404
    assert api_client.get(f"/api/v1/marketplace/versions/{version.public_id}/").status_code == 404
    assert api_client.post(f"/api/v1/marketplace/versions/{version.public_id}/submit/").status_code == 404
    client.force_login(rival)
    assert client.get(reverse("marketplace:app_console", args=[app.slug])).status_code == 404
    assert client.get(reverse("marketplace:version", args=[version.public_id])).status_code == 404


def test_organisation_admins_manage_the_org_publisher_and_members_do_not(db):
    owner, member = UserFactory(), UserFactory()
    org = OrganizationFactory()
    MembershipFactory(organization=org, user=owner, role="owner")
    MembershipFactory(organization=org, user=member, role="member")
    from marketplace.services.publishers import agreement_current, publisher_register

    with pytest.raises(PermissionDenied):
        publisher_register(
            user=member,
            display_name="Org",
            agreement_version=agreement_current().version,
            organization_id=org.pk,
        )
    publisher = publisher_register(
        user=owner, display_name="Org", agreement_version=agreement_current().version, organization_id=org.pk
    )
    app = make_app(publisher)
    apps.app_update(app=app, user=owner, tagline="Updated by the owner")
    with pytest.raises(PermissionDenied):
        apps.app_update(app=app, user=member, tagline="Updated by a member")


def test_reviewer_pages_need_the_reviewer_role(client, buyer, reviewer):
    client.force_login(buyer)
    assert client.get(reverse("marketplace:queue")).status_code == 403
    client.force_login(reviewer)
    assert client.get(reverse("marketplace:queue")).status_code == 200


def test_unlisted_apps_are_hidden_from_the_public(client, publisher, publisher_user):
    app = make_app(publisher, published=False)
    assert client.get(reverse("marketplace:app", args=[app.slug])).status_code == 404
    client.force_login(publisher_user)
    assert client.get(reverse("marketplace:app", args=[app.slug])).status_code == 200

"""One rule for acting for an organisation, in the portal and the API alike: owners and admins install, buy and
publish for it; a plain member is refused with the same message (never silently served as themselves), and may
only read its installations."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from marketplace.exceptions import NotFound
from marketplace.models import Installation
from marketplace.selectors.organizations import managed_organizations, organization_id_of
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.marketplace.factories import make_app

pytestmark = pytest.mark.django_db
API = "/api/v1/marketplace"


@pytest.fixture
def org_people():
    org = OrganizationFactory()
    people = {role: UserFactory() for role in ("owner", "admin", "billing", "member")}
    for role, user in people.items():
        MembershipFactory(organization=org, user=user, role=role)
    return org, people


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_owners_and_admins_act_for_the_organisation_and_nobody_else(org_people):
    # Given an organisation with one person per role, and an outsider
    org, people = org_people
    outsider = UserFactory()

    # When each asks to act for it by id, slug and public id
    # Then owners and admins get its id; billing, members and outsiders are refused on the field
    for role in ("owner", "admin"):
        for ref in (org.pk, org.slug, str(org.public_id)):
            assert organization_id_of(ref, people[role]) == org.pk
        assert [o.id for o in managed_organizations(people[role])] == [org.pk]
    for user in (people["billing"], people["member"], outsider):
        with pytest.raises(NotFound) as refused:
            organization_id_of(org.slug, user)
        assert refused.value.field == "organization"
        assert managed_organizations(user) == []
    assert organization_id_of("", outsider) is None


def test_reading_an_organisations_installations_needs_membership_only(org_people):
    org, people = org_people

    assert organization_id_of(org.slug, people["member"], to_manage=False) == org.pk
    with pytest.raises(NotFound):
        organization_id_of(org.slug, UserFactory(), to_manage=False)
    assert _api(people["member"]).get(f"{API}/installations/", {"organization": org.slug}).status_code == 200
    assert _api(UserFactory()).get(f"{API}/installations/", {"organization": org.slug}).status_code == 404


def test_portal_and_api_refuse_a_member_installing_for_the_organisation(client, publisher, org_people):
    # Given a free app and a plain member of an organisation
    org, people = org_people
    app = make_app(publisher)
    plan = app.plans.get()
    member = people["member"]
    client.force_login(member)

    # When the member installs it for the organisation through the portal and the API
    page = client.post(
        reverse("marketplace:install", args=[app.slug]),
        {"plan": str(plan.public_id), "organization": str(org.pk)},
        follow=True,
    )
    api = _api(member).post(
        f"{API}/apps/{app.slug}/install/",
        {"plan": str(plan.public_id), "organization": org.slug},
        format="json",
    )

    # Then both refuse with the same message, and nothing was installed — not for the member either
    message = "Choose an organisation you own or administer."
    assert message in page.content.decode()
    assert api.status_code == 404
    assert api.json()["error"]["fields"]["organization"] == [message]
    assert not Installation.objects.filter(app=app).exists()


def test_an_admin_installs_for_the_organisation_in_the_portal(client, publisher, org_people):
    org, people = org_people
    app = make_app(publisher)
    client.force_login(people["admin"])

    response = client.post(
        reverse("marketplace:install", args=[app.slug]),
        {"plan": str(app.plans.get().public_id), "organization": str(org.pk)},
    )

    assert response.status_code == 302
    assert Installation.objects.get(app=app).organization_id == org.pk

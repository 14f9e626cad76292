"""The services marketplace in the Django admin: pages load, approval and dispute actions call the services."""

import pytest
from django.contrib.auth.models import Permission

from revenue.models import Partner, ServiceDispute, ServiceMilestone
from revenue.services.partner_disputes import milestone_dispute_open
from tests.factories import UserFactory
from tests.revenue.partners.factories import PartnerFactory, accepted_quote

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    user.user_permissions.add(Permission.objects.get(codename="manage_finance"))
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "model",
    ["partner", "servicelisting", "servicerequest", "servicequote", "servicemilestone", "servicedispute"],
)
def test_admin_pages_load(staff_client, model, pay):
    request, _, (milestone, _) = accepted_quote()
    pay(milestone, request.buyer)
    milestone_dispute_open(milestone=milestone, actor=request.buyer, reason="Late")
    assert staff_client.get(f"/admin/revenue/{model}/").status_code == 200


def test_staff_approve_a_partner_with_an_audited_action(staff_client):
    partner = PartnerFactory(status=Partner.Status.APPLIED)
    response = staff_client.post(
        "/admin/revenue/partner/", {"action": "approve", "_selected_action": [partner.pk]}, follow=True
    )
    assert response.status_code == 200
    partner.refresh_from_db()
    assert partner.status == Partner.Status.APPROVED
    assert partner.approved_by is not None


def test_finance_releases_a_disputed_milestone_from_the_admin(staff_client, pay):
    request, _, (milestone, _) = accepted_quote()
    pay(milestone, request.buyer)
    dispute = milestone_dispute_open(milestone=milestone, actor=request.buyer, reason="Late")
    staff_client.post(
        "/admin/revenue/servicedispute/", {"action": "resolve_release", "_selected_action": [dispute.pk]}
    )
    dispute.refresh_from_db()
    milestone.refresh_from_db()
    assert (dispute.state, dispute.outcome) == (ServiceDispute.State.RESOLVED, "release")
    assert "Resolved in the admin" in dispute.resolution_notes
    assert milestone.state == ServiceMilestone.State.RELEASED

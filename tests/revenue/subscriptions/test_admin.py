"""Admin: subscription records are read-only and render; actions call the services."""

import pytest

from revenue.models import Subscription
from revenue.services.subscriptions import subscription_start
from revenue.services.subscriptions_billing import subscription_renew
from tests.factories import UserFactory
from tests.revenue.subscriptions.conftest import T0
from tests.revenue.subscriptions.factories import FAILS, VISA, PlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, finance_user):
    finance_user.is_staff = True
    finance_user.is_superuser = True
    finance_user.save()
    client.force_login(finance_user)
    return client


def test_pages_render_read_only(staff_client):
    # given a past-due subscription with its charges and attempts
    sub = subscription_start(buyer=UserFactory(), plan=PlanFactory(), seats=1, payment_method=VISA, now=T0)
    Subscription.objects.filter(pk=sub.pk).update(payment_method=FAILS.replace(" ", ""))
    charge = subscription_renew(subscription=sub, now=sub.current_period_end)
    # when staff open every list and the detail pages, then they render, and adding is refused
    for name in ("plan", "subscription", "subscriptioncharge", "dunningattempt", "retentionoffer"):
        assert staff_client.get(f"/admin/revenue/{name}/").status_code == 200
    assert staff_client.get(f"/admin/revenue/subscription/{sub.pk}/change/").status_code == 200
    assert staff_client.get(f"/admin/revenue/subscriptioncharge/{charge.pk}/change/").status_code == 200
    assert staff_client.get("/admin/revenue/subscription/add/").status_code == 403


def test_actions_call_services(staff_client):
    buyer = UserFactory()
    plan = PlanFactory()
    sub = subscription_start(buyer=buyer, plan=plan, seats=1, payment_method=VISA, now=T0)
    # when staff cancel at the period end through the action
    staff_client.post(
        "/admin/revenue/subscription/",
        {"action": "cancel_at_period_end", "_selected_action": [sub.pk]},
    )
    sub.refresh_from_db()
    assert sub.cancel_at_period_end
    # when staff stop offering the plan
    staff_client.post("/admin/revenue/plan/", {"action": "deactivate", "_selected_action": [plan.pk]})
    plan.refresh_from_db()
    assert not plan.is_active

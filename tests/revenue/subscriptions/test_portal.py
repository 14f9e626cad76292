"""Portal journeys: subscribe, change seats, cancel through the retention page, update the card, finance's
dunning page; the billing page links to subscriptions."""

import pytest
from django.test import Client

from revenue.models import RetentionOffer, Subscription
from revenue.services.subscriptions import subscription_start
from revenue.services.subscriptions_billing import subscription_renew
from tests.factories import UserFactory
from tests.revenue.subscriptions.conftest import T0
from tests.revenue.subscriptions.factories import FAILS, VISA, PlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def buyer_client(user):
    client = Client()
    client.force_login(user)
    return client


def test_billing_page_links_to_subscriptions(buyer_client):
    page = buyer_client.get("/revenue/billing/").content.decode()
    assert "/revenue/subscriptions/" in page


def test_subscribe_change_and_cancel_with_offer(buyer_client, user):
    # given a plan on offer
    plan = PlanFactory(name="Team", unit_amount=1_000)
    page = buyer_client.get("/revenue/subscriptions/")
    assert "Team" in page.content.decode()
    # when subscribing with 2 seats
    response = buyer_client.post(
        "/revenue/subscriptions/", {"plan": plan.pk, "seats": 2, "card_number": VISA, "organization": ""}
    )
    sub = Subscription.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/revenue/subscriptions/{sub.public_id}/"
    detail = buyer_client.get(response["Location"]).content.decode()
    assert "•••• 4242" in detail
    assert "Next renewal" in detail
    # when adding a seat
    response = buyer_client.post(f"/revenue/subscriptions/{sub.public_id}/", {"plan": plan.pk, "seats": 3})
    sub.refresh_from_db()
    assert response.status_code == 302
    assert sub.seats == 3
    # when opening the cancel page: the offers are shown; taking the discount keeps the subscription
    page = buyer_client.get(f"/revenue/subscriptions/{sub.public_id}/cancel/").content.decode()
    assert "Take the discount" in page
    assert "Pause instead" in page
    buyer_client.post(
        f"/revenue/subscriptions/{sub.public_id}/cancel/", {"when": "period_end", "accept_offer": "discount"}
    )
    sub.refresh_from_db()
    assert sub.discount_periods_left == 3
    assert not sub.cancel_at_period_end
    # when canceling at the period end
    buyer_client.post(
        f"/revenue/subscriptions/{sub.public_id}/cancel/", {"when": "period_end", "reason": "budget"}
    )
    sub.refresh_from_db()
    assert sub.cancel_at_period_end
    assert RetentionOffer.objects.filter(outcome="declined", reason="budget").exists()
    # and resuming
    buyer_client.post(f"/revenue/subscriptions/{sub.public_id}/resume/")
    sub.refresh_from_db()
    assert not sub.cancel_at_period_end


def test_subscribe_form_errors(buyer_client):
    plan = PlanFactory(max_seats=2)
    response = buyer_client.post(
        "/revenue/subscriptions/", {"plan": plan.pk, "seats": 5, "card_number": VISA}
    )
    assert response.status_code == 400
    assert "Choose from 1 to 2 seats" in response.content.decode()
    response = buyer_client.post(
        "/revenue/subscriptions/", {"plan": plan.pk, "seats": 1, "card_number": FAILS}
    )
    assert response.status_code == 400
    assert "declined" in response.content.decode()


def test_update_card_on_a_past_due_subscription(buyer_client, user):
    sub = subscription_start(buyer=user, plan=PlanFactory(), seats=1, payment_method=VISA, now=T0)
    Subscription.objects.filter(pk=sub.pk).update(payment_method=FAILS.replace(" ", ""))
    subscription_renew(subscription=sub, now=sub.current_period_end)
    page = buyer_client.get(f"/revenue/subscriptions/{sub.public_id}/").content.decode()
    assert "We could not collect your last renewal" in page
    response = buyer_client.post(
        f"/revenue/subscriptions/{sub.public_id}/payment-method/", {"card_number": "12"}
    )
    assert response.status_code == 400
    buyer_client.post(f"/revenue/subscriptions/{sub.public_id}/payment-method/", {"card_number": VISA})
    sub.refresh_from_db()
    assert sub.state == Subscription.State.ACTIVE


def test_someone_elses_subscription_is_404(buyer_client):
    sub = subscription_start(buyer=UserFactory(), plan=PlanFactory(), seats=1, payment_method=VISA)
    assert buyer_client.get(f"/revenue/subscriptions/{sub.public_id}/").status_code == 404


def test_finance_dunning_page(finance_user, buyer_client):
    sub = subscription_start(buyer=UserFactory(), plan=PlanFactory(), seats=1, payment_method=VISA, now=T0)
    Subscription.objects.filter(pk=sub.pk).update(payment_method=FAILS.replace(" ", ""))
    subscription_renew(subscription=sub, now=sub.current_period_end)
    assert buyer_client.get("/revenue/finance/dunning/").status_code == 403
    client = Client()
    client.force_login(finance_user)
    page = client.get(
        "/revenue/finance/dunning/", {"start": "2026-01-01", "end": "2026-12-31"}
    ).content.decode()
    assert sub.buyer.email in page
    assert "Recovered revenue" in page
    assert "card_declined" in page
    response = client.post("/revenue/finance/dunning/", {"subscription": str(sub.public_id)})
    assert response.status_code == 302
    assert sub.charges.get(kind="renewal").attempts == 2


def test_seller_sees_subscribers(user):
    plan = PlanFactory(seller__user=user)
    subscription_start(buyer=UserFactory(email="sub@example.com"), plan=plan, seats=1, payment_method=VISA)
    client = Client()
    client.force_login(user)
    assert plan.name in client.get("/revenue/subscriptions/subscribers/").content.decode()

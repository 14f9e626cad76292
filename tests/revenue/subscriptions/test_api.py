"""API journeys under /api/v1/revenue/subscriptions/: plans, subscribe (idempotent), change, cancel with an
offer, payment method, finance dunning queue and metrics; errors with field messages."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from revenue.models import Order, Plan, RetentionOffer, Subscription
from revenue.services.subscriptions import subscription_start
from revenue.services.subscriptions_billing import subscription_renew
from tests.factories import UserFactory
from tests.revenue.subscriptions.conftest import T0
from tests.revenue.subscriptions.factories import FAILS, VISA, PlanFactory

pytestmark = pytest.mark.django_db
BASE = "/api/v1/revenue/subscriptions/"


def test_subscribe_idempotent_then_read(auth_client, user):
    # given a plan on offer
    plan = PlanFactory(unit_amount=1_200)
    body = {"plan": str(plan.public_id), "seats": 2, "payment_method": VISA, "billing_country": "DE"}
    # when the same subscribe request is sent twice with one Idempotency-Key
    first = auth_client.post(BASE, body, format="json", HTTP_IDEMPOTENCY_KEY="sub-1")
    second = auth_client.post(BASE, body, format="json", HTTP_IDEMPOTENCY_KEY="sub-1")
    # then one subscription, one charge, the same answer
    assert first.status_code == 201, first.content
    assert second.json() == first.json()
    assert Subscription.objects.count() == 1
    assert Order.objects.count() == 1
    data = first.json()
    assert (data["state"], data["seats"], data["payment_method_label"]) == ("active", 2, "•••• 4242")
    assert data["charges"][0]["amount"] == 2_400
    assert {o["kind"] for o in data["retention_offers"]} == {"discount", "pause"}
    listing = auth_client.get(BASE).json()
    assert [s["id"] for s in listing["results"]] == [data["id"]]


def test_subscribe_bad_input_gives_field_errors(auth_client):
    plan = PlanFactory(max_seats=3)
    response = auth_client.post(
        BASE, {"plan": str(plan.public_id), "seats": 9, "payment_method": VISA}, format="json"
    )
    assert response.status_code == 400
    assert "seats" in response.json()["error"]["fields"]
    response = auth_client.post(
        BASE, {"plan": str(plan.public_id), "seats": 1, "payment_method": "1234"}, format="json"
    )
    assert response.status_code == 400
    assert "payment_method" in response.json()["error"]["fields"]
    assert not Subscription.objects.exists()


def test_first_payment_declined_answers_402(auth_client):
    plan = PlanFactory()
    response = auth_client.post(BASE, {"plan": str(plan.public_id), "payment_method": FAILS}, format="json")
    assert response.status_code == 402
    assert response.json()["error"]["code"] == "payment_declined"


def test_change_cancel_with_offer_and_resume(auth_client, user):
    plan = PlanFactory(unit_amount=1_000)
    sub = subscription_start(buyer=user, plan=plan, seats=1, payment_method=VISA)
    url = f"{BASE}{sub.public_id}/"
    # when adding seats: applied now (prorated charge)
    response = auth_client.post(url + "change/", {"seats": 3}, format="json", HTTP_IDEMPOTENCY_KEY="chg-1")
    assert response.status_code == 200, response.content
    assert response.json()["seats"] == 3
    assert [c["kind"] for c in response.json()["charges"]][:1] == ["proration"]
    # when asking to cancel but taking the pause offer
    response = auth_client.post(url + "cancel/", {"accept_offer": "pause"}, format="json")
    assert response.json()["pause_periods"] == 1
    assert RetentionOffer.objects.get().outcome == "accepted"
    # when resuming (drops the pause) and then canceling at the period end
    assert auth_client.post(url + "resume/").json()["pause_periods"] == 0
    response = auth_client.post(url + "cancel/", {"reason": "moving on"}, format="json")
    assert response.json()["cancel_at_period_end"] is True
    # then both offers are recorded as declined
    assert RetentionOffer.objects.filter(outcome="declined").count() == 2
    # an unknown offer is a field error
    response = auth_client.post(url + "cancel/", {"accept_offer": "free"}, format="json")
    assert response.status_code == 400


def test_change_needs_plan_or_seats(auth_client, user):
    sub = subscription_start(buyer=user, plan=PlanFactory(), seats=1, payment_method=VISA)
    response = auth_client.post(f"{BASE}{sub.public_id}/change/", {}, format="json")
    assert response.status_code == 400


def test_other_users_cannot_see_or_touch(auth_client):
    sub = subscription_start(buyer=UserFactory(), plan=PlanFactory(), seats=1, payment_method=VISA)
    assert auth_client.get(f"{BASE}{sub.public_id}/").status_code == 404
    assert auth_client.post(f"{BASE}{sub.public_id}/cancel/", {}, format="json").status_code == 404


def test_payment_method_update_recovers_past_due(auth_client, user):
    sub = subscription_start(buyer=user, plan=PlanFactory(), seats=1, payment_method=VISA, now=T0)
    Subscription.objects.filter(pk=sub.pk).update(payment_method=FAILS.replace(" ", ""))
    subscription_renew(subscription=sub, now=sub.current_period_end)
    response = auth_client.post(
        f"{BASE}{sub.public_id}/payment-method/",
        {"payment_method": VISA},
        format="json",
        HTTP_IDEMPOTENCY_KEY="pm-1",
    )
    assert response.status_code == 200
    assert response.json()["state"] == "active"
    assert response.json()["charges"][0]["recovered"] is True


def test_plan_create_and_update_by_its_seller(auth_client, user):
    response = auth_client.post(
        f"{BASE}plans/",
        {
            "slug": "team",
            "name": "Team",
            "unit_amount": 900,
            "currency": "eur",
            "interval": "year",
            "trial_days": 14,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    plan = Plan.objects.get(key="revenue.plan:team")
    assert (plan.currency, plan.interval, plan.seller.user_id) == ("EUR", "year", user.pk)
    response = auth_client.patch(f"{BASE}plans/{plan.public_id}/", {"unit_amount": 950}, format="json")
    assert response.json()["unit_amount"] == 950
    stranger = APIClient()
    stranger.force_authenticate(UserFactory())
    assert (
        stranger.patch(f"{BASE}plans/{plan.public_id}/", {"unit_amount": 1}, format="json").status_code == 403
    )
    response = auth_client.post(
        f"{BASE}plans/", {"slug": "x", "name": "X", "unit_amount": 1, "currency": "ZZZ"}, format="json"
    )
    assert response.status_code == 400
    assert "currency" in response.json()["error"]["fields"]


def test_finance_dunning_queue_metrics_and_retry(finance_user, auth_client):
    sub = subscription_start(buyer=UserFactory(), plan=PlanFactory(), seats=1, payment_method=VISA, now=T0)
    Subscription.objects.filter(pk=sub.pk).update(payment_method=FAILS.replace(" ", ""))
    subscription_renew(subscription=sub, now=sub.current_period_end)
    assert auth_client.get(f"{BASE}finance/dunning/").status_code == 403
    client = APIClient()
    client.force_authenticate(finance_user)
    rows = client.get(f"{BASE}finance/dunning/").json()["results"]
    assert [r["subscription"] for r in rows] == [str(sub.public_id)]
    assert rows[0]["attempts"] == 1
    assert rows[0]["last_failure_code"] == "card_declined"
    response = client.post(f"{BASE}{sub.public_id}/retry/", HTTP_IDEMPOTENCY_KEY="retry-1")
    assert response.status_code == 200
    assert response.json()["state"] == "past_due"
    start = (T0 - timedelta(days=1)).date().isoformat()
    metrics = client.get(f"{BASE}finance/metrics/", {"start": start, "end": "2026-12-31"}).json()
    assert metrics["failed_renewals"] == 1
    assert metrics["involuntary_churn"] == 0
    assert (
        client.get(f"{BASE}finance/metrics/", {"start": "2026-02-01", "end": "2026-01-01"}).status_code == 400
    )


def test_schema_documents_the_endpoints(auth_client):
    schema = auth_client.get("/api/schema/").content.decode()
    for operation in (
        "revenue_subscription_create",
        "revenue_subscription_change",
        "revenue_dunning_queue",
        "revenue_plan_list",
        "revenue_recovery_metrics",
    ):
        assert operation in schema

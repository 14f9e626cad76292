"""Subscriptions paid through Stripe (against localstripe), on a simulated clock: the card is attached to the
buyer's Customer at subscribe time, the first period is charged on-session, renewals off-session with the stored
PaymentMethod; a declined renewal goes to dunning, a card that wants authentication too (no exception)."""

from datetime import timedelta

import pytest
import stripe

from revenue.exceptions import ValidationError
from revenue.gateways.stripe_gateway import StripeGateway
from revenue.models import DunningAttempt, Order, Subscription, SubscriptionCharge
from revenue.services.dunning import dunning_run
from revenue.services.subscriptions import subscription_payment_method_set, subscription_start
from revenue.services.subscriptions_billing import subscription_renew
from tests.factories import UserFactory
from tests.revenue.conftest import STRIPE_TEST_KEY
from tests.revenue.factories import assert_ledger_clean
from tests.revenue.subscriptions.conftest import T0
from tests.revenue.subscriptions.factories import PlanFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.xdist_group("localstripe"),
    pytest.mark.usefixtures("stripe_enabled"),
]
DAY = timedelta(days=1)


@pytest.fixture
def client(stripe_enabled):
    return stripe.StripeClient(STRIPE_TEST_KEY, base_addresses={"api": stripe_enabled}, max_network_retries=0)


@pytest.fixture
def charges(monkeypatch):
    """Every ChargeRequest the Stripe gateway receives (the real call still goes to localstripe)."""
    seen = []
    original = StripeGateway.charge

    def spy(self, request):
        seen.append(request)
        return original(self, request)

    monkeypatch.setattr(StripeGateway, "charge", spy)
    return seen


def _card(client, number):
    card = {"number": number, "exp_month": 12, "exp_year": 2035, "cvc": "123"}
    return client.v1.payment_methods.create(params={"type": "card", "card": card})["id"]


def _subscribe(client, number="4242424242424242", buyer=None):
    return subscription_start(
        buyer=buyer or UserFactory(),
        plan=PlanFactory(unit_amount=2_500),
        seats=2,
        payment_method=_card(client, number),
        gateway="stripe",
        now=T0,
    )


def test_subscribe_then_renew_off_session_with_the_stored_card(client, charges, committed):
    # given a buyer subscribing with a Stripe test card
    buyer = UserFactory(email="stripe-buyer@example.com")
    with committed():
        sub = _subscribe(client, buyer=buyer)
    # then the card is attached to the buyer's Customer and the first period charged on-session
    assert sub.state == Subscription.State.ACTIVE
    assert sub.payment_method.startswith("pm_")
    assert sub.payment_method_label == "Visa •••• 4242"
    method = client.v1.payment_methods.retrieve(sub.payment_method)
    customer = client.v1.customers.retrieve(method["customer"])
    assert customer["email"] == buyer.email
    assert [(r.off_session, r.stored_payment_method) for r in charges] == [(False, sub.payment_method)]
    # when the period ends and the renewal runs (simulated clock)
    due = sub.current_period_end
    with committed():
        charge = subscription_renew(subscription=sub, now=due)
    # then it is charged off-session to the same customer and card, and the subscription runs another month
    assert charge.state == SubscriptionCharge.State.PAID
    assert [(r.off_session, r.stored_payment_method) for r in charges][1:] == [(True, sub.payment_method)]
    intent = client.v1.payment_intents.retrieve(charge.order.payments.get().gateway_reference)
    assert (intent["status"], intent["amount"], intent["customer"], intent["payment_method"]) == (
        "succeeded",
        charge.order.total,
        customer["id"],
        sub.payment_method,
    )
    sub.refresh_from_db()
    assert (sub.state, sub.current_period_start, sub.current_period_end) == (
        Subscription.State.ACTIVE,
        due,
        due.replace(month=3),
    )
    assert_ledger_clean()


def test_a_second_card_reuses_the_buyers_customer(client):
    # given a Stripe subscriber
    buyer = UserFactory(email="same-customer@example.com")
    sub = _subscribe(client, buyer=buyer)
    first = client.v1.payment_methods.retrieve(sub.payment_method)["customer"]
    # when they store another card
    sub = subscription_payment_method_set(
        subscription=sub, actor=buyer, payment_method=_card(client, "5555555555554444"), now=T0 + DAY
    )
    # then it is attached to the same Customer (one per buyer)
    assert client.v1.payment_methods.retrieve(sub.payment_method)["customer"] == first
    assert len(client.v1.customers.list(params={"email": buyer.email}).data) == 1
    assert sub.payment_method_label.endswith("•••• 4444")


def test_a_card_declined_on_attach_is_refused_and_nothing_is_created(client):
    with pytest.raises(ValidationError) as refused:
        _subscribe(client, number="4000000000000002")
    assert refused.value.field == "payment_method"
    assert not Subscription.objects.exists()
    assert not Order.objects.exists()


def test_a_declined_renewal_goes_to_dunning_then_recovers(client, committed):
    # given a Stripe subscriber whose stored card now fails when charged (attaches fine)
    sub = _subscribe(client)
    sub = subscription_payment_method_set(
        subscription=sub, actor=sub.buyer, payment_method=_card(client, "4000000000000341"), now=T0 + DAY
    )
    due = sub.current_period_end
    # when the renewal runs
    with committed():
        charge = subscription_renew(subscription=sub, now=due)
    # then it failed without an exception: past due, retry scheduled, the order failed with Stripe's code
    sub.refresh_from_db()
    assert sub.state == Subscription.State.PAST_DUE
    assert (charge.state, charge.last_failure_code, charge.next_retry_at) == (
        SubscriptionCharge.State.OPEN,
        "card_declined",
        due + DAY,
    )
    attempt = DunningAttempt.objects.get(charge=charge)
    assert (attempt.outcome, attempt.order.state) == (DunningAttempt.Outcome.FAILED, Order.State.FAILED)
    # when the dunning retry on day 1 fails too, then the buyer stores a good card (retried at once)
    assert dunning_run(now=due + DAY + timedelta(minutes=1))["retried"] == 1
    with committed():
        sub = subscription_payment_method_set(
            subscription=sub,
            actor=sub.buyer,
            payment_method=_card(client, "4242424242424242"),
            now=due + 2 * DAY,
        )
    # then the revenue is recovered
    charge.refresh_from_db()
    assert (charge.state, charge.recovered, charge.attempts) == (SubscriptionCharge.State.PAID, True, 3)
    assert sub.state == Subscription.State.ACTIVE
    assert_ledger_clean()


def test_a_renewal_needing_authentication_goes_to_dunning(client, committed):
    # given a Stripe subscriber whose stored card asks for 3-D Secure
    sub = _subscribe(client)
    sub = subscription_payment_method_set(
        subscription=sub, actor=sub.buyer, payment_method=_card(client, "4000002760003184"), now=T0 + DAY
    )
    # when the renewal runs off-session
    with committed():
        charge = subscription_renew(subscription=sub, now=sub.current_period_end)
    # then no exception: the attempt failed with authentication_required and dunning takes over
    sub.refresh_from_db()
    assert sub.state == Subscription.State.PAST_DUE
    attempt = DunningAttempt.objects.get(charge=charge)
    assert (attempt.outcome, attempt.failure_code) == (
        DunningAttempt.Outcome.FAILED,
        "authentication_required",
    )
    assert attempt.order.state == Order.State.REQUIRES_ACTION  # localstripe: the buyer may still confirm it
    assert charge.next_retry_at == sub.current_period_end + DAY

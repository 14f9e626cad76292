"""Lifecycle: start (trial or paid), renewal through checkout, cancel/resume, retention offers, plan changes —
transitions allowed and refused."""

from datetime import timedelta

import pytest

from revenue.exceptions import InvalidState, PaymentDeclined, ValidationError
from revenue.models import DunningAttempt, Invoice, Order, RetentionOffer, Subscription, SubscriptionCharge
from revenue.services.checkout import checkout_confirm
from revenue.services.dunning import dunning_run
from revenue.services.invoices import invoices_sync_due
from revenue.services.subscriptions import (
    subscription_cancel,
    subscription_change,
    subscription_resume,
    subscription_start,
)
from revenue.services.subscriptions_billing import subscription_renew
from revenue.services.subscriptions_common import active_until
from tests.factories import UserFactory
from tests.revenue.factories import assert_ledger_clean
from tests.revenue.subscriptions.conftest import T0
from tests.revenue.subscriptions.factories import FAILS, THREE_DS, VISA, PlanFactory

pytestmark = pytest.mark.django_db


def test_start_without_trial_charges_the_first_period_through_checkout(changes, committed):
    # given a monthly plan at 10.00 EUR per seat
    plan = PlanFactory(unit_amount=1_000)
    buyer = UserFactory()
    # when a buyer subscribes with 3 seats
    with committed():
        sub = subscription_start(
            buyer=buyer, plan=plan, seats=3, payment_method=VISA, billing_country="DE", now=T0
        )
    # then the subscription is active for one month and the order charged 3 seats
    assert sub.state == Subscription.State.ACTIVE
    assert sub.current_period_end == T0.replace(month=2)
    charge = sub.charges.get()
    assert charge.state == SubscriptionCharge.State.PAID
    line = charge.order.lines.get()
    assert (line.item_type, line.quantity, line.unit_amount, line.net_amount) == (
        "revenue.subscription",
        3,
        1_000,
        3_000,
    )
    assert "10 Jan 2026 – 10 Feb 2026" in line.description
    assert [c.event for c in changes] == ["activated"]
    assert changes[0].active_until == sub.current_period_end
    assert_ledger_clean()


def test_renewal_invoice_shows_the_period(committed):
    # given an active subscription at its period end
    plan = PlanFactory(unit_amount=1_500)
    with committed():
        sub = subscription_start(
            buyer=UserFactory(), plan=plan, seats=1, payment_method=VISA, billing_country="DE", now=T0
        )
    # when the renewal runs and invoices are synced
    with committed():
        charge = subscription_renew(subscription=sub, now=sub.current_period_end + timedelta(minutes=5))
        invoices_sync_due(now=T0 + timedelta(days=32))
    # then the renewal is paid, the period advanced, and its invoice line names the period
    sub.refresh_from_db()
    assert charge.kind == SubscriptionCharge.Kind.RENEWAL
    assert charge.state == SubscriptionCharge.State.PAID
    assert (sub.current_period_start, sub.current_period_end) == (T0.replace(month=2), T0.replace(month=3))
    invoice = Invoice.objects.get(order=charge.order)
    assert "10 Feb 2026 – 10 Mar 2026" in invoice.lines.get().description


def test_trial_attaches_the_card_and_charges_at_trial_end(changes, committed):
    # given a plan with a 14-day trial
    plan = PlanFactory(trial_days=14)
    # when a buyer subscribes
    with committed():
        sub = subscription_start(buyer=UserFactory(), plan=plan, seats=2, payment_method=VISA, now=T0)
    # then nothing is charged and access runs to the trial end
    assert sub.state == Subscription.State.TRIALING
    assert not Order.objects.exists()
    assert active_until(sub) == T0 + timedelta(days=14)
    # when the trial ends
    with committed():
        subscription_renew(subscription=sub, now=T0 + timedelta(days=14))
    # then the first month is charged and the subscription is active
    sub.refresh_from_db()
    assert sub.state == Subscription.State.ACTIVE
    assert sub.current_period_end == (T0 + timedelta(days=14)).replace(month=2)
    assert [c.event for c in changes] == ["activated", "activated"]


def test_declined_card_is_refused_when_attached():
    # given / when a buyer subscribes with a card that is declined on attach / then a field error, nothing written
    with pytest.raises(ValidationError) as exc:
        subscription_start(
            buyer=UserFactory(), plan=PlanFactory(), seats=1, payment_method="4000000000000002", now=T0
        )
    assert exc.value.field == "payment_method"
    assert not Subscription.objects.exists()


def test_first_payment_declined_ends_incomplete():
    # given a card that attaches but fails when charged
    # when subscribing without a trial
    sub = subscription_start(buyer=UserFactory(), plan=PlanFactory(), seats=1, payment_method=FAILS, now=T0)
    # then the subscription never starts
    assert sub.state == Subscription.State.CANCELED
    assert sub.end_reason == Subscription.EndReason.INCOMPLETE
    assert active_until(sub) is None


def test_seats_out_of_range_refused():
    with pytest.raises(ValidationError) as exc:
        subscription_start(
            buyer=UserFactory(), plan=PlanFactory(max_seats=5), seats=6, payment_method=VISA, now=T0
        )
    assert exc.value.field == "seats"


def test_cancel_at_period_end_keeps_access_then_ends(changes, committed):
    # given an active subscription
    buyer = UserFactory()
    sub = subscription_start(buyer=buyer, plan=PlanFactory(), seats=1, payment_method=VISA, now=T0)
    # when the buyer cancels at the period end, declining the offers
    sub = subscription_cancel(
        subscription=sub, actor=buyer, at_period_end=True, reason="too expensive", now=T0
    )
    # then access continues, the declined offers are recorded, and at the period end it ends without a charge
    assert sub.state == Subscription.State.ACTIVE
    assert sub.cancel_at_period_end
    assert set(RetentionOffer.objects.values_list("kind", "outcome")) == {
        ("discount", "declined"),
        ("pause", "declined"),
    }
    with committed():
        assert subscription_renew(subscription=sub, now=sub.current_period_end) is None
    sub.refresh_from_db()
    assert sub.state == Subscription.State.CANCELED
    assert sub.ended_at == T0.replace(month=2)
    assert sub.charges.count() == 1
    assert changes[-1].event == "canceled"


def test_resume_undoes_a_scheduled_cancellation():
    buyer = UserFactory()
    sub = subscription_start(buyer=buyer, plan=PlanFactory(), seats=1, payment_method=VISA, now=T0)
    subscription_cancel(subscription=sub, actor=buyer, now=T0)
    sub = subscription_resume(subscription=sub, actor=buyer, now=T0)
    assert not sub.cancel_at_period_end
    with pytest.raises(InvalidState):
        subscription_resume(subscription=sub, actor=buyer, now=T0)


def test_retention_discount_accepted_lowers_the_next_renewals():
    # given an active 10.00 EUR × 2 subscription
    buyer = UserFactory()
    sub = subscription_start(
        buyer=buyer, plan=PlanFactory(unit_amount=999), seats=2, payment_method=VISA, now=T0
    )
    # when the buyer accepts the 20% discount offer instead of canceling
    sub = subscription_cancel(subscription=sub, actor=buyer, accept_offer="discount", now=T0)
    # then the outcome is recorded and the next renewal charges 999 − round(199.8) = 799 per seat
    assert RetentionOffer.objects.get().outcome == RetentionOffer.Outcome.ACCEPTED
    charge = subscription_renew(subscription=sub, now=sub.current_period_end)
    assert (charge.unit_amount, charge.discount_amount, charge.amount) == (799, 400, 1_598)
    assert charge.order.lines.get().metadata["retention_discount"] == 400
    sub.refresh_from_db()
    assert sub.discount_periods_left == 2


def test_pause_offer_pauses_at_period_end_then_resumes(changes, committed):
    buyer = UserFactory()
    sub = subscription_start(buyer=buyer, plan=PlanFactory(), seats=1, payment_method=VISA, now=T0)
    subscription_cancel(subscription=sub, actor=buyer, accept_offer="pause", now=T0)
    # when the period ends: paused for one period, no charge, no access
    with committed():
        subscription_renew(subscription=sub, now=sub.current_period_end)
    sub.refresh_from_db()
    assert sub.state == Subscription.State.PAUSED
    assert sub.resume_at == T0.replace(month=3)
    assert active_until(sub) is None
    # when the pause is over, a new period is charged
    with committed():
        charge = subscription_renew(subscription=sub, now=T0.replace(month=3))
    sub.refresh_from_db()
    assert charge.state == SubscriptionCharge.State.PAID
    assert (sub.state, sub.current_period_end) == (Subscription.State.ACTIVE, T0.replace(month=4))
    assert [c.event for c in changes][-2:] == ["paused", "resumed"]


def test_cancel_immediately_refunds_unused_time():
    # given a 31-day period paid 3 100 cents, canceled after 10 days
    buyer = UserFactory()
    sub = subscription_start(
        buyer=buyer, plan=PlanFactory(unit_amount=3_100), seats=1, payment_method=VISA, now=T0
    )
    sub = subscription_cancel(subscription=sub, actor=buyer, at_period_end=False, now=T0 + timedelta(days=10))
    # then it ends now and 21/31 of the total is refunded (2 100)
    assert sub.state == Subscription.State.CANCELED
    order = sub.charges.get().order
    order.refresh_from_db()
    assert order.refunded_total == 2_100
    assert_ledger_clean()


def test_someone_else_cannot_cancel():
    sub = subscription_start(buyer=UserFactory(), plan=PlanFactory(), seats=1, payment_method=VISA, now=T0)
    from novacron.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        subscription_cancel(subscription=sub, actor=UserFactory(), now=T0)


def test_canceled_subscription_cannot_change_or_cancel_again():
    buyer = UserFactory()
    sub = subscription_start(buyer=buyer, plan=PlanFactory(), seats=1, payment_method=VISA, now=T0)
    sub = subscription_cancel(subscription=sub, actor=buyer, at_period_end=False, now=T0)
    with pytest.raises(InvalidState):
        subscription_change(subscription=sub, actor=buyer, seats=2, now=T0)
    with pytest.raises(InvalidState):
        subscription_cancel(subscription=sub, actor=buyer, now=T0)


def test_upgrade_prorated_immediately_downgrade_at_period_end():
    # given 2 seats at 31.00 EUR for the 31 days from 10 Jan
    buyer = UserFactory()
    plan = PlanFactory(unit_amount=3_100)
    sub = subscription_start(buyer=buyer, plan=plan, seats=2, payment_method=VISA, now=T0)
    # when adding a seat 21 days in (10 of 31 days left)
    sub = subscription_change(subscription=sub, actor=buyer, seats=3, now=T0 + timedelta(days=21))
    # then it applies now and 10/31 × (9 300 − 6 200) = 1 000 is charged
    assert sub.seats == 3
    proration = sub.charges.get(kind=SubscriptionCharge.Kind.PRORATION)
    assert (proration.amount, proration.state) == (1_000, SubscriptionCharge.State.PAID)
    # when removing two seats: scheduled for the period end, nothing charged
    sub = subscription_change(subscription=sub, actor=buyer, seats=1, now=T0 + timedelta(days=22))
    assert (sub.seats, sub.pending_seats) == (3, 1)
    charge = subscription_renew(subscription=sub, now=sub.current_period_end)
    assert (charge.seats, charge.amount) == (1, 3_100)
    sub.refresh_from_db()
    assert (sub.seats, sub.pending_seats) == (1, None)


def test_upgrade_with_failing_card_changes_nothing():
    buyer = UserFactory()
    plan = PlanFactory(unit_amount=1_000)
    sub = subscription_start(buyer=buyer, plan=plan, seats=1, payment_method=VISA, now=T0)
    sub.payment_method = FAILS.replace(" ", "")
    sub.save()
    with pytest.raises(PaymentDeclined):
        subscription_change(
            subscription=sub,
            actor=buyer,
            plan=PlanFactory(seller=plan.seller, unit_amount=2_000),
            now=T0 + timedelta(days=3),
        )
    sub.refresh_from_db()
    assert sub.plan == plan
    assert sub.state == Subscription.State.ACTIVE
    assert sub.charges.get(kind=SubscriptionCharge.Kind.PRORATION).state == SubscriptionCharge.State.VOID


def test_monthly_to_annual_starts_a_new_year_with_credit():
    buyer = UserFactory()
    monthly = PlanFactory(unit_amount=3_100)
    annual = PlanFactory(seller=monthly.seller, unit_amount=40_000, interval="year")
    sub = subscription_start(buyer=buyer, plan=monthly, seats=1, payment_method=VISA, now=T0)
    now = T0 + timedelta(days=21)
    sub = subscription_change(subscription=sub, actor=buyer, plan=annual, now=now)
    # 40 000 − 10/31 × 3 100 = 39 000, a new period of one year from now
    assert sub.charges.get(kind=SubscriptionCharge.Kind.PRORATION).amount == 39_000
    assert (sub.plan, sub.current_period_start, sub.current_period_end) == (
        annual,
        now,
        now.replace(year=2027),
    )


def test_jpy_upgrade_prorated_in_whole_yen():
    # given ¥1 000 per seat a month (31 days from 10 Jan), 1 seat
    buyer = UserFactory()
    sub = subscription_start(
        buyer=buyer, plan=PlanFactory(unit_amount=1_000, currency="JPY"), seats=1, payment_method=VISA, now=T0
    )
    # when a second seat is added with 10 days left
    sub = subscription_change(subscription=sub, actor=buyer, seats=2, now=T0 + timedelta(days=21))
    # then charge round(10/31 × 2 000) = 645, credit round(10/31 × 1 000) = 323, due ¥322 — whole yen
    proration = sub.charges.get(kind=SubscriptionCharge.Kind.PRORATION)
    assert (proration.amount, proration.currency) == (322, "JPY")
    assert proration.order.total == 322 + proration.order.tax_total


def test_first_payment_needing_3ds_waits_for_the_buyer(committed, changes):
    # given a card that asks for 3-D Secure
    buyer = UserFactory()
    sub = subscription_start(buyer=buyer, plan=PlanFactory(), seats=1, payment_method=THREE_DS, now=T0)
    # then the subscription waits, incomplete, with no access
    assert sub.state == Subscription.State.INCOMPLETE
    assert active_until(sub) is None
    attempt = DunningAttempt.objects.get()
    assert attempt.failure_code == "authentication_required"
    # when the buyer confirms the payment
    with committed():
        checkout_confirm(order=attempt.order, actor=buyer, now=T0 + timedelta(minutes=5))
    # then it is active
    sub.refresh_from_db()
    assert sub.state == Subscription.State.ACTIVE
    assert [c.event for c in changes] == ["activated"]


def test_unconfirmed_start_expires_after_a_day():
    sub = subscription_start(
        buyer=UserFactory(), plan=PlanFactory(), seats=1, payment_method=THREE_DS, now=T0
    )
    Subscription.objects.filter(pk=sub.pk).update(created_at=T0)
    dunning_run(now=T0 + timedelta(hours=24))
    sub.refresh_from_db()
    assert (sub.state, sub.end_reason) == (Subscription.State.CANCELED, Subscription.EndReason.INCOMPLETE)

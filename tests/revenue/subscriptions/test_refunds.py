"""Money given back by subscriptions: a period paid twice (two 3-D Secure orders confirmed) is refunded in full
automatically and once; an immediate cancellation refunds the unused time of the period's charge AND of the
upgrades charged within that period."""

from datetime import timedelta

import pytest

from novacron.core.models import AuditLog
from revenue.models import DunningAttempt, Order, Refund, Subscription, SubscriptionCharge
from revenue.services import subscriptions_billing
from revenue.services.checkout import checkout_confirm
from revenue.services.dunning import dunning_run
from revenue.services.proration import prorate
from revenue.services.subscriptions import subscription_cancel, subscription_change, subscription_start
from revenue.services.subscriptions_billing import charge_record_order, subscription_renew
from tests.factories import UserFactory
from tests.revenue.factories import assert_ledger_clean
from tests.revenue.subscriptions.conftest import T0
from tests.revenue.subscriptions.factories import THREE_DS, VISA, PlanFactory

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


def _two_orders_waiting(committed):
    """An active subscription whose stored card now asks for 3-D Secure: the renewal and the first dunning retry
    each left an order waiting for the buyer. Returns (subscription, charge, [order 1, order 2])."""
    buyer = UserFactory()
    sub = subscription_start(
        buyer=buyer, plan=PlanFactory(unit_amount=2_000), seats=1, payment_method=VISA, now=T0
    )
    Subscription.objects.filter(pk=sub.pk).update(payment_method=THREE_DS.replace(" ", ""))
    sub.refresh_from_db()
    due = sub.current_period_end
    with committed():
        charge = subscription_renew(subscription=sub, now=due)
    with committed():
        dunning_run(now=due + DAY + timedelta(minutes=1))
    attempts = list(DunningAttempt.objects.filter(charge=charge).order_by("number"))
    assert [a.failure_code for a in attempts] == ["authentication_required"] * 2
    orders = [a.order for a in attempts]
    assert all(o.state == Order.State.REQUIRES_ACTION for o in orders)
    return sub, charge, orders


def test_period_paid_twice_refunds_the_duplicate_in_full(committed):
    # given a renewal with two orders waiting for 3-D Secure
    sub, charge, (first, second) = _two_orders_waiting(committed)
    # when the buyer confirms both
    with committed():
        checkout_confirm(order=first, actor=sub.buyer, now=sub.current_period_end + 2 * DAY)
    with committed():
        checkout_confirm(order=second, actor=sub.buyer, now=sub.current_period_end + 2 * DAY)
    # then the charge is paid by the first order, and the second is refunded in full at the gateway
    charge.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (charge.state, charge.order_id) == (SubscriptionCharge.State.PAID, first.pk)
    assert first.refunded_total == 0
    assert second.state == Order.State.PAID
    assert second.refunded_total == second.total > 0
    refund = Refund.objects.get(payment__order=second)
    assert (refund.state, refund.amount, refund.idempotency_key) == (
        Refund.State.SUCCEEDED,
        second.total,
        f"sub-duplicate:{second.public_id}",
    )
    # and the attempt that made the duplicate says so, with its refund
    attempts = list(DunningAttempt.objects.filter(charge=charge).order_by("number"))
    assert [a.outcome for a in attempts] == [
        DunningAttempt.Outcome.SUCCEEDED,
        DunningAttempt.Outcome.REFUNDED,
    ]
    assert attempts[1].refund == refund
    # and it is audited once, and the subscription renewed once
    audit = AuditLog.objects.get(action="revenue.subscription.duplicate_refunded")
    assert audit.after["order"] == str(second.public_id)
    assert audit.after["paid_by"] == str(first.public_id)
    assert audit.after["amount"] == second.total
    sub.refresh_from_db()
    assert sub.state == Subscription.State.ACTIVE
    assert sub.current_period_end == charge.period_end
    assert_ledger_clean()


def test_a_payment_confirmed_after_the_subscription_ended_is_refunded_not_applied(committed):
    # given a renewal left waiting for 3-D Secure, and the subscription canceled now by the buyer
    sub, charge, (first, _second) = _two_orders_waiting(committed)
    with committed():
        sub = subscription_cancel(
            subscription=sub, actor=sub.buyer, at_period_end=False, now=first.created_at
        )
    charge.refresh_from_db()
    assert charge.state == SubscriptionCharge.State.VOID
    # when the buyer confirms one of the waiting orders afterwards
    with committed():
        checkout_confirm(order=first, actor=sub.buyer, now=sub.ended_at + DAY)
    # then it is refunded in full and the subscription stays ended
    first.refresh_from_db()
    sub.refresh_from_db()
    charge.refresh_from_db()
    assert first.state == Order.State.PAID
    assert first.refunded_total == first.total > 0
    assert charge.state == SubscriptionCharge.State.VOID
    assert sub.state == Subscription.State.CANCELED
    assert (
        AuditLog.objects.get(action="revenue.subscription.duplicate_refunded").after["charge_state"] == "void"
    )
    assert_ledger_clean()


def test_an_upgrade_paid_after_its_period_is_refunded_not_applied(committed):
    buyer = UserFactory()
    plan = PlanFactory(unit_amount=1_000)
    sub = subscription_start(buyer=buyer, plan=plan, seats=1, payment_method=VISA, now=T0)
    Subscription.objects.filter(pk=sub.pk).update(payment_method=THREE_DS.replace(" ", ""))
    sub.refresh_from_db()
    from revenue.exceptions import PaymentDeclined

    with pytest.raises(PaymentDeclined), committed():  # the upgrade's charge waits for 3-D Secure
        subscription_change(subscription=sub, actor=buyer, seats=3, now=T0 + DAY)
    upgrade = sub.charges.get(kind=SubscriptionCharge.Kind.PRORATION)
    order = upgrade.dunning_attempts.get().order
    # the period ends (renewed with the old seats) before the buyer confirms the upgrade's payment
    Subscription.objects.filter(pk=sub.pk).update(payment_method=VISA.replace(" ", ""))
    sub.refresh_from_db()
    with committed():
        subscription_renew(subscription=sub, now=sub.current_period_end)
    with committed():
        checkout_confirm(order=order, actor=buyer, now=sub.current_period_end + DAY)
    sub.refresh_from_db()
    order.refresh_from_db()
    assert sub.seats == 1  # not applied
    assert order.refunded_total == order.total > 0
    assert_ledger_clean()


def test_duplicate_refund_is_idempotent(committed):
    # given a period paid twice and refunded
    sub, charge, (first, second) = _two_orders_waiting(committed)
    with committed():
        checkout_confirm(order=first, actor=sub.buyer, now=sub.current_period_end + 2 * DAY)
        checkout_confirm(order=second, actor=sub.buyer, now=sub.current_period_end + 2 * DAY)
    # when the paid hook runs again (a late webhook) and the hourly sweep runs
    with committed():
        charge_record_order(charge=charge, order=second)
        result = dunning_run(now=sub.current_period_end + 3 * DAY)
    # then nothing more is refunded or audited
    assert result["duplicates_refunded"] == 0
    assert Refund.objects.filter(payment__order=second).count() == 1
    assert not Refund.objects.filter(payment__order=first).exists()
    assert AuditLog.objects.filter(action="revenue.subscription.duplicate_refunded").count() == 1
    second.refresh_from_db()
    assert second.refunded_total == second.total
    assert_ledger_clean()


def test_duplicate_missed_at_payment_time_is_refunded_by_the_hourly_run(committed, monkeypatch):
    # given a period paid twice while the refund could not be made (the process failed right after payment)
    sub, _charge, (first, second) = _two_orders_waiting(committed)
    with committed():
        checkout_confirm(order=first, actor=sub.buyer, now=sub.current_period_end + 2 * DAY)

    def crash(**kwargs):
        raise RuntimeError("worker died")

    monkeypatch.setattr(subscriptions_billing, "duplicate_order_refund", crash)
    with committed():
        checkout_confirm(order=second, actor=sub.buyer, now=sub.current_period_end + 2 * DAY)
    monkeypatch.undo()
    second.refresh_from_db()
    assert (second.state, second.refunded_total) == (Order.State.PAID, 0)
    # when the hourly dunning run comes
    with committed():
        result = dunning_run(now=sub.current_period_end + 2 * DAY + timedelta(hours=1))
    # then the duplicate is refunded in full and recorded
    assert result["duplicates_refunded"] == 1
    second.refresh_from_db()
    assert second.refunded_total == second.total
    attempt = DunningAttempt.objects.get(order=second)
    assert attempt.outcome == DunningAttempt.Outcome.REFUNDED
    assert attempt.refund.state == Refund.State.SUCCEEDED
    assert_ledger_clean()


def test_cancel_immediately_refunds_upgrades_made_in_the_period(committed):
    # given 10.00 EUR per seat for 31 days (10 Jan – 10 Feb), 1 seat, upgraded to 3 seats after 11 days
    buyer = UserFactory()
    sub = subscription_start(
        buyer=buyer, plan=PlanFactory(unit_amount=1_000), seats=1, payment_method=VISA, now=T0
    )
    upgraded_at = T0 + 11 * DAY
    sub = subscription_change(subscription=sub, actor=buyer, seats=3, now=upgraded_at)
    period = sub.charges.get(kind=SubscriptionCharge.Kind.INITIAL).order
    upgrade = sub.charges.get(kind=SubscriptionCharge.Kind.PRORATION).order
    assert upgrade.total == 1_290  # 20/31 of 2 000 more
    # when it is canceled immediately with 10 days left
    canceled_at = T0 + 21 * DAY
    with committed():
        sub = subscription_cancel(subscription=sub, actor=buyer, at_period_end=False, now=canceled_at)
    # then the period's charge gives back 10/31 and the upgrade 10/20 of what each order took
    period.refresh_from_db()
    upgrade.refresh_from_db()
    assert sub.state == Subscription.State.CANCELED
    end = sub.current_period_end
    assert (
        period.refunded_total
        == prorate(
            old_amount=period.total, new_amount=0, period_start=T0, period_end=end, now=canceled_at
        ).credit
        == 323
    )
    assert (
        upgrade.refunded_total
        == prorate(
            old_amount=upgrade.total, new_amount=0, period_start=upgraded_at, period_end=end, now=canceled_at
        ).credit
        == 645
    )
    assert set(Refund.objects.values_list("state", flat=True)) == {Refund.State.SUCCEEDED}
    assert Refund.objects.count() == 2
    assert_ledger_clean()


def test_cancel_refund_skips_upgrades_of_an_earlier_period(committed):
    # given an upgrade in the first period, then a renewal at the new price
    buyer = UserFactory()
    sub = subscription_start(
        buyer=buyer, plan=PlanFactory(unit_amount=1_000), seats=1, payment_method=VISA, now=T0
    )
    sub = subscription_change(subscription=sub, actor=buyer, seats=2, now=T0 + 11 * DAY)
    with committed():
        renewal = subscription_renew(subscription=sub, now=sub.current_period_end)
    sub.refresh_from_db()
    # when canceled immediately 7 days into the new period (28 days long: 10 Feb – 10 Mar)
    with committed():
        subscription_cancel(
            subscription=sub, actor=buyer, at_period_end=False, now=renewal.period_start + 7 * DAY
        )
    # then only the renewal is refunded: 21/28 of 2 000 = 1 500; the old upgrade is untouched
    renewal.refresh_from_db()
    assert renewal.order.refunded_total == 1_500
    earlier = sub.charges.get(kind=SubscriptionCharge.Kind.PRORATION).order
    assert earlier.refunded_total == 0
    assert Refund.objects.count() == 1
    assert_ledger_clean()

"""PostgreSQL: renewal beats (and dunning retries) running at once on the same subscriptions never charge a
period twice; a duplicate payment is refunded once however the hooks and sweeps interleave; the ledger stays
clean."""

import threading
from datetime import timedelta

import pytest
from django.db import connection

from novacron.core.models import AuditLog
from revenue.models import DunningAttempt, Order, Refund, Subscription, SubscriptionCharge
from revenue.services.checkout import checkout_confirm
from revenue.services.dunning import dunning_run
from revenue.services.subscriptions import subscription_start
from revenue.services.subscriptions_billing import charge_record_order, subscription_renew
from tests.factories import UserFactory
from tests.revenue.factories import assert_ledger_clean
from tests.revenue.subscriptions.conftest import T0
from tests.revenue.subscriptions.factories import FAILS, THREE_DS, VISA, PlanFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
THREADS = 6


def _together(target, *args):
    """Run `target(*args)` in THREADS threads released at the same moment; re-raise the first error."""
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def run():
        try:
            barrier.wait()
            target(*args)
        except BaseException as exc:  # reported to the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def test_concurrent_renewals_charge_each_period_once():
    # given three subscriptions at their period end
    plan = PlanFactory(unit_amount=1_000)
    subs = [
        subscription_start(buyer=UserFactory(), plan=plan, seats=2, payment_method=VISA, now=T0)
        for _ in range(3)
    ]
    due = subs[0].current_period_end

    # when six workers renew all of them at the same moment
    def renew_all():
        for sub in subs:
            subscription_renew(
                subscription=Subscription.objects.get(pk=sub.pk), now=due + timedelta(minutes=1)
            )

    _together(renew_all)
    # then each has exactly one renewal charge, paid by exactly one paid order
    for sub in subs:
        renewal = SubscriptionCharge.objects.get(subscription=sub, kind="renewal")
        assert renewal.state == SubscriptionCharge.State.PAID
        orders = Order.objects.filter(lines__item_id=str(renewal.public_id))
        assert orders.count() == 1
        assert DunningAttempt.objects.filter(charge=renewal).count() == 1
        sub.refresh_from_db()
        assert sub.current_period_end == due.replace(month=3)
    assert_ledger_clean()


def test_concurrent_dunning_retries_one_attempt_each():
    # given a past-due subscription with its retry due
    sub = subscription_start(buyer=UserFactory(), plan=PlanFactory(), seats=1, payment_method=VISA, now=T0)
    Subscription.objects.filter(pk=sub.pk).update(payment_method=FAILS.replace(" ", ""))
    charge = subscription_renew(subscription=Subscription.objects.get(pk=sub.pk), now=sub.current_period_end)
    # when six dunning jobs run at once a day later
    _together(lambda: dunning_run(now=sub.current_period_end + timedelta(days=1, minutes=1)))
    # then the retry happened once
    assert DunningAttempt.objects.filter(charge=charge).count() == 2
    assert Order.objects.filter(lines__item_id=str(charge.public_id)).count() == 2


def test_duplicate_payment_refunded_once_under_concurrency():
    # given a renewal whose two 3-D Secure orders wait for the buyer, the first one confirmed
    buyer = UserFactory()
    sub = subscription_start(buyer=buyer, plan=PlanFactory(), seats=1, payment_method=VISA, now=T0)
    Subscription.objects.filter(pk=sub.pk).update(payment_method=THREE_DS.replace(" ", ""))
    due = sub.current_period_end
    charge = subscription_renew(subscription=Subscription.objects.get(pk=sub.pk), now=due)
    dunning_run(now=due + timedelta(days=1, minutes=1))
    first, second = (a.order for a in DunningAttempt.objects.filter(charge=charge).order_by("number"))
    checkout_confirm(order=first, actor=buyer, now=due + timedelta(days=2))
    # when the buyer confirms the second while hourly dunning jobs and late paid hooks run at the same moment
    calls = iter(range(THREADS))

    def race():
        turn = next(calls)
        if turn == 0:
            checkout_confirm(order=Order.objects.get(pk=second.pk), actor=buyer, now=due + timedelta(days=2))
        elif turn % 2:
            dunning_run(now=due + timedelta(days=2, hours=1))
        else:
            charge_record_order(
                charge=SubscriptionCharge.objects.get(pk=charge.pk), order=Order.objects.get(pk=second.pk)
            )

    _together(race)
    dunning_run(now=due + timedelta(days=2, hours=2))  # whatever the interleaving, the sweep finishes the job
    # then the duplicate is refunded exactly once, in full, and audited once
    second.refresh_from_db()
    assert second.state == Order.State.PAID
    assert Refund.objects.filter(payment__order=second).count() == 1
    assert second.refunded_total == second.total
    assert not Refund.objects.filter(payment__order=first).exists()
    assert AuditLog.objects.filter(action="revenue.subscription.duplicate_refunded").count() == 1
    assert DunningAttempt.objects.get(order=second).outcome == DunningAttempt.Outcome.REFUNDED
    assert_ledger_clean()

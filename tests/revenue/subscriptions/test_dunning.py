"""Dunning over a simulated clock: a failed renewal retried 1, 3, 5 and 7 days after the failure, recovered or
suspended after the grace period; renewal idempotency (the beat running twice never charges twice)."""

from datetime import timedelta

import pytest
from django.core import mail

from revenue.models import DunningAttempt, Order, Subscription, SubscriptionCharge
from revenue.selectors.subscriptions import dunning_queue, recovery_metrics
from revenue.services.dunning import dunning_run
from revenue.services.subscriptions import subscription_payment_method_set, subscription_start
from revenue.services.subscriptions_billing import renewals_due, subscription_renew
from revenue.services.subscriptions_common import active_until, has_access
from revenue.tasks_subscriptions import renew_subscriptions
from tests.factories import UserFactory
from tests.revenue.factories import assert_ledger_clean
from tests.revenue.subscriptions.conftest import T0
from tests.revenue.subscriptions.factories import FAILS, VISA, PlanFactory

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


def _failing_subscription():
    """Active from T0 (paid with a good card), then the stored card switched to one whose charges fail."""
    sub = subscription_start(
        buyer=UserFactory(), plan=PlanFactory(unit_amount=2_500), seats=2, payment_method=VISA, now=T0
    )
    Subscription.objects.filter(pk=sub.pk).update(payment_method=FAILS.replace(" ", ""))
    sub.refresh_from_db()
    return sub


def _run_days(start, days):
    """Run the hourly dunning job at each of `days` after `start` (plus an hour)."""
    return [dunning_run(now=start + d * DAY + timedelta(hours=1)) for d in days]


def test_failed_renewal_retried_on_schedule_then_suspended(committed, changes):
    # given an active subscription whose card now fails
    sub = _failing_subscription()
    due = sub.current_period_end
    # when the renewal runs at the period end
    with committed():
        charge = subscription_renew(subscription=sub, now=due)
    # then it is past due, keeps access for the 7-day grace period, and the buyer got a reminder
    sub.refresh_from_db()
    assert sub.state == Subscription.State.PAST_DUE
    assert active_until(sub) == due + 7 * DAY
    assert charge.next_retry_at == due + DAY
    assert len(mail.outbox) == 1
    assert "try again" in mail.outbox[0].body
    # when the dunning job runs every day for 8 days
    retries = []
    for day in range(1, 9):
        with committed():
            result = dunning_run(now=due + day * DAY + timedelta(minutes=1))
        retries.append(result["retried"])
    # then it retried exactly on days 1, 3, 5 and 7, and suspended on day 7 after the last failure
    assert retries == [1, 0, 1, 0, 1, 0, 1, 0]
    attempts = list(DunningAttempt.objects.filter(charge=charge).order_by("number"))
    assert [(a.attempted_at - due).days for a in attempts] == [0, 1, 3, 5, 7]
    assert all(a.outcome == DunningAttempt.Outcome.FAILED for a in attempts)
    sub.refresh_from_db()
    charge.refresh_from_db()
    assert (sub.state, sub.end_reason) == (Subscription.State.CANCELED, Subscription.EndReason.PAYMENT_FAILED)
    assert charge.state == SubscriptionCharge.State.UNCOLLECTIBLE
    assert sub.ended_at >= due + 7 * DAY  # never before the grace period: the paid period ended at `due`
    assert [c.event for c in changes][-2:] == ["past_due", "suspended"]
    assert len(mail.outbox) == 5
    assert "last try" in mail.outbox[-1].body
    assert (
        not Order.objects.filter(state=Order.State.PAID)
        .exclude(pk=sub.charges.get(kind="initial").order_id)
        .exists()
    )
    metrics = recovery_metrics(start=T0, end=due + 30 * DAY)
    assert metrics.involuntary_churn == 1
    assert metrics.recovered == []
    assert_ledger_clean()


def test_retry_recovers_after_the_card_is_fixed(committed, changes):
    # given a past-due subscription (renewal failed)
    sub = _failing_subscription()
    due = sub.current_period_end
    charge = subscription_renew(subscription=sub, now=due)
    dunning_run(now=due + DAY)  # the first retry fails too
    # when the buyer fixes the card on day 2 (the good card is stored and tried at once)
    with committed():
        sub = subscription_payment_method_set(
            subscription=sub, actor=sub.buyer, payment_method=VISA, now=due + 2 * DAY
        )
    # then the revenue is recovered and the period runs from the due date (no free days, none lost)
    charge.refresh_from_db()
    assert charge.state == SubscriptionCharge.State.PAID
    assert charge.recovered
    assert sub.state == Subscription.State.ACTIVE
    assert (sub.current_period_start, sub.current_period_end) == (due, due.replace(month=3))
    assert changes[-1].event == "renewed"
    assert has_access(sub, due + 20 * DAY)
    # and the later retries do nothing
    nothing = {"retried": 0, "recovered": 0, "suspended": 0, "duplicates_refunded": 0}
    assert _run_days(due, [3, 5, 7]) == [nothing] * 3
    metrics = recovery_metrics(start=T0, end=due + 30 * DAY)
    assert [(m.currency, m.amount, m.charges) for m in metrics.recovered] == [("EUR", 5_000, 1)]
    assert metrics.involuntary_churn == 0
    assert not dunning_queue().exists()


def test_dunning_queue_lists_past_due_with_next_retry():
    sub = _failing_subscription()
    subscription_renew(subscription=sub, now=sub.current_period_end)
    row = dunning_queue().get()
    assert row.subscription == sub
    assert row.attempts == 1
    assert row.next_retry_at == sub.current_period_end + DAY


def test_custom_schedule_from_settings(settings):
    settings.REVENUE_DUNNING_RETRY_DAYS = [2]
    sub = _failing_subscription()
    due = sub.current_period_end
    charge = subscription_renew(subscription=sub, now=due)
    assert charge.next_retry_at == due + 2 * DAY
    assert _run_days(due, [1, 2]) == [
        {"retried": 0, "recovered": 0, "suspended": 0, "duplicates_refunded": 0},
        {"retried": 1, "recovered": 0, "suspended": 1, "duplicates_refunded": 0},
    ]


def test_beat_running_twice_never_charges_twice():
    # given a subscription at its period end
    sub = subscription_start(buyer=UserFactory(), plan=PlanFactory(), seats=1, payment_method=VISA, now=T0)
    due = sub.current_period_end
    # when the renewal runs twice (same time, then later)
    first = subscription_renew(subscription=sub, now=due)
    second = subscription_renew(subscription=sub, now=due)
    third = subscription_renew(subscription=sub, now=due + timedelta(hours=1))
    # then one renewal charge (the later runs find the period already renewed), one paid order for it
    assert first.state == SubscriptionCharge.State.PAID
    assert second is None
    assert third is None
    renewal = SubscriptionCharge.objects.get(kind="renewal")
    assert renewal.key == f"sub:{sub.public_id}:period:{due.isoformat()}"
    assert Order.objects.filter(lines__item_id=str(renewal.public_id)).count() == 1


def test_failing_renewal_not_charged_again_by_the_beat():
    # given a failed renewal (the retry is scheduled)
    sub = _failing_subscription()
    subscription_renew(subscription=sub, now=sub.current_period_end)
    # when the renewal beat runs again before the retry
    assert sub.pk not in renewals_due(now=sub.current_period_end + timedelta(hours=2))
    subscription_renew(subscription=sub, now=sub.current_period_end + timedelta(hours=2))
    # then only the first attempt exists
    assert DunningAttempt.objects.filter(charge__kind="renewal").count() == 1


def test_renew_task_through_celery_is_idempotent(monkeypatch):
    sub = subscription_start(buyer=UserFactory(), plan=PlanFactory(), seats=1, payment_method=VISA, now=T0)
    monkeypatch.setattr("revenue.services.subscriptions_billing.timezone.now", lambda: sub.current_period_end)
    assert renew_subscriptions.delay().get() == 1
    assert renew_subscriptions.delay().get() == 0
    assert SubscriptionCharge.objects.filter(kind="renewal", state="paid").count() == 1


def test_stale_processing_attempt_is_settled_from_its_order():
    # given an attempt left "processing" by a dead worker, with no order made
    sub = _failing_subscription()
    charge = subscription_renew(subscription=sub, now=sub.current_period_end)
    attempt = DunningAttempt.objects.create(
        charge=charge, number=2, attempted_at=sub.current_period_end + DAY
    )
    SubscriptionCharge.objects.filter(pk=charge.pk).update(attempts=2)
    Subscription.objects.filter(pk=sub.pk).update(payment_method="4242424242424242")
    # when the next retry is due, within 15 minutes: nothing (another worker may be charging)
    assert dunning_run(now=sub.current_period_end + DAY + timedelta(minutes=5))["recovered"] == 0
    # and later: the stale attempt is closed and a new one collects
    assert dunning_run(now=sub.current_period_end + DAY + timedelta(minutes=30))["recovered"] == 1
    attempt.refresh_from_db()
    assert attempt.failure_code == "interrupted"

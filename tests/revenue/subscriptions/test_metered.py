"""Metered usage billed in arrears through a registered usage meter: added to the renewal's charge, billed on its
own when the subscription ends, never refunded as "unused time"; zero charges settle without a payment."""

from datetime import timedelta

import pytest

from revenue import hooks
from revenue.models import SubscriptionCharge
from revenue.services.subscriptions import subscription_cancel, subscription_start
from revenue.services.subscriptions_billing import subscription_renew
from tests.factories import UserFactory
from tests.revenue.factories import assert_ledger_clean
from tests.revenue.subscriptions.conftest import T0
from tests.revenue.subscriptions.factories import VISA, PlanFactory

pytestmark = pytest.mark.django_db
PREFIX = "test.metered:"


@pytest.fixture
def meter():
    """A meter that bills 10 cents per hour of each window (so the amounts follow the dates)."""
    calls = []

    def measure(subscription_id, start, end):
        calls.append((subscription_id, start, end))
        return int((end - start).total_seconds() // 3600) * 10

    hooks.register_usage_meter(PREFIX, measure)
    yield calls
    hooks._usage_meters.pop(PREFIX)


def _plan(unit_amount):
    return PlanFactory(key=f"{PREFIX}{unit_amount}", unit_amount=unit_amount)


def test_renewal_adds_the_closed_period_usage_and_windows_are_contiguous(meter):
    sub = subscription_start(buyer=UserFactory(), plan=_plan(1_000), seats=2, payment_method=VISA, now=T0)
    initial = sub.charges.get()
    assert (initial.usage_amount, initial.amount) == (0, 2_000)  # the first period has no usage before it
    first = subscription_renew(subscription=sub, now=sub.current_period_end)
    hours = int((first.period_start - T0).total_seconds() // 3600)
    assert (first.usage_amount, first.amount) == (hours * 10, 2_000 + hours * 10)
    assert first.state == SubscriptionCharge.State.PAID
    sub.refresh_from_db()
    second = subscription_renew(subscription=sub, now=sub.current_period_end)
    assert [(s, e) for _, s, e in meter] == [
        (T0, first.period_start),
        (first.period_start, second.period_start),
    ]
    assert_ledger_clean()


def test_immediate_cancel_refunds_only_the_period_part_and_bills_the_last_usage(meter):
    buyer = UserFactory()
    sub = subscription_start(buyer=buyer, plan=_plan(3_100), seats=1, payment_method=VISA, now=T0)
    renewal = subscription_renew(subscription=sub, now=sub.current_period_end)
    order = renewal.order
    sub.refresh_from_db()
    sub = subscription_cancel(
        subscription=sub, actor=buyer, at_period_end=False, now=sub.current_period_start + timedelta(days=10)
    )
    order.refresh_from_db()
    period_part = order.total * 3_100 // renewal.amount
    days = (renewal.period_end - renewal.period_start).days
    assert order.refunded_total == round(period_part * (days - 10) / days)  # the usage part is not refunded
    final = sub.charges.get(kind=SubscriptionCharge.Kind.USAGE)
    assert (final.amount, final.state) == (10 * 24 * 10, SubscriptionCharge.State.PAID)
    assert_ledger_clean()


def test_zero_charges_settle_without_a_payment():
    sub = subscription_start(buyer=UserFactory(), plan=_plan(0), seats=1, payment_method=VISA, now=T0)
    charge = sub.charges.get()
    assert (sub.state, charge.state, charge.order_id) == ("active", "paid", None)
    renewal = subscription_renew(subscription=sub, now=sub.current_period_end)
    assert (renewal.state, renewal.order_id) == ("paid", None)

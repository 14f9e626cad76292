"""The facade contract for other apps: plans for external items, starting, reading entitlement, listeners."""

from datetime import timedelta

import pytest

from revenue import facade
from revenue.exceptions import UnknownItem
from revenue.services.subscriptions_billing import subscription_renew
from tests.factories import UserFactory
from tests.revenue.factories import SellerFactory
from tests.revenue.subscriptions.factories import VISA

pytestmark = pytest.mark.django_db


def test_external_plan_subscription_and_entitlement(changes, committed):
    # given an app's plan created through the facade
    seller = SellerFactory()
    plan = facade.plan_upsert(
        key="marketplace.plan:42",
        seller_id=seller.pk,
        name="Pro",
        unit_amount=500,
        currency="USD",
        trial_days=7,
    )
    assert facade.plan_get("marketplace.plan:42") == plan
    buyer = UserFactory()
    # when a user subscribes
    with committed():
        sub = facade.subscription_start(plan_key=plan.key, buyer_id=buyer.pk, seats=1, payment_method=VISA)
    # then it is trialing with access, and the listener was told
    assert (sub.state, sub.has_access) == ("trialing", True)
    assert facade.subscription_get(sub.id) == sub
    assert [s.id for s in facade.subscriptions_for(user_id=buyer.pk, plan_key="marketplace.plan:42")] == [
        sub.id
    ]
    assert [(c.event, c.plan_key, c.buyer_id) for c in changes] == [
        ("activated", "marketplace.plan:42", buyer.pk)
    ]
    # price update applies from the next renewal
    assert facade.plan_upsert(key=plan.key, seller_id=seller.pk, unit_amount=700).unit_amount == 700


def test_listener_errors_do_not_break_revenue(committed):
    def broken(change):
        raise RuntimeError("listener bug")

    facade.register_subscription_listener(broken)
    try:
        seller = SellerFactory()
        facade.plan_upsert(
            key="marketplace.plan:7", seller_id=seller.pk, name="P", unit_amount=100, currency="EUR"
        )
        with committed():
            sub = facade.subscription_start(
                plan_key="marketplace.plan:7", buyer_id=UserFactory().pk, seats=1, payment_method=VISA
            )
        assert sub.state == "active"
    finally:
        from revenue.hooks import unregister_subscription_listener

        unregister_subscription_listener(broken)


def test_renewal_notifies_renewed(changes, committed):
    seller = SellerFactory()
    facade.plan_upsert(
        key="marketplace.plan:9", seller_id=seller.pk, name="P", unit_amount=100, currency="EUR"
    )
    summary = facade.subscription_start(
        plan_key="marketplace.plan:9", buyer_id=UserFactory().pk, seats=1, payment_method=VISA
    )
    from revenue.models import Subscription

    sub = Subscription.objects.get(public_id=summary.id)
    with committed():
        subscription_renew(subscription=sub, now=sub.current_period_end + timedelta(seconds=1))
    assert changes[-1].event == "renewed"
    assert changes[-1].active_until == facade.subscription_get(sub.public_id).active_until


def test_unknown_plan_and_bad_reads():
    with pytest.raises(UnknownItem):
        facade.subscription_start(
            plan_key="marketplace.plan:none", buyer_id=UserFactory().pk, seats=1, payment_method=VISA
        )
    assert facade.subscription_get("not-a-uuid") is None
    assert facade.subscriptions_for() == []

"""Price rules: at most one change per 30 days once published; existing customers keep their price 90 days —
checked through revenue's checkout, which prices with the marketplace resolver."""

from datetime import timedelta

import pytest
from django.utils import timezone

from marketplace.exceptions import Conflict, ValidationError
from marketplace.models import Installation, Plan
from marketplace.selectors.pricing import price_for_customer
from marketplace.services import installs, pricing, subscriptions
from revenue import facade as revenue_facade
from tests.factories import UserFactory
from tests.marketplace.factories import make_app

pytestmark = pytest.mark.django_db
CARD = "4242424242424242"


@pytest.fixture
def paid_app(publisher):
    return make_app(
        publisher,
        plans=[
            {"name": "Pro", "model": "subscription", "interval": "month", "amount": 1000, "currency": "USD"},
            {"name": "Lifetime", "model": "one_time", "amount": 20000, "currency": "USD"},
        ],
    )


def test_price_may_change_once_every_30_days(paid_app, publisher_user):
    plan = paid_app.plans.get(name="Pro")
    now = timezone.now()
    pricing.plan_change_price(plan=plan, user=publisher_user, amount=1200, now=now)
    with pytest.raises(Conflict) as exc:
        pricing.plan_change_price(plan=plan, user=publisher_user, amount=1500, now=now + timedelta(days=29))
    assert exc.value.code == "price_change_too_soon"
    pricing.plan_change_price(plan=plan, user=publisher_user, amount=1500, now=now + timedelta(days=30))
    plan.refresh_from_db()
    assert plan.amount == 1500
    assert plan.price_changes.count() == 2


def test_unpublished_apps_change_prices_freely(publisher, publisher_user):
    app = make_app(publisher, published=False, plans=[{"name": "Pro", "model": "one_time", "amount": 500}])
    plan = app.plans.get()
    pricing.plan_change_price(plan=plan, user=publisher_user, amount=600)
    pricing.plan_change_price(plan=plan, user=publisher_user, amount=700)
    assert Plan.objects.get(pk=plan.pk).amount == 700


def test_price_change_input_is_checked(paid_app, publisher_user, buyer):
    plan = paid_app.plans.get(name="Pro")
    with pytest.raises(ValidationError):
        pricing.plan_change_price(plan=plan, user=publisher_user, amount=1000)  # unchanged
    with pytest.raises(ValidationError):
        pricing.plan_change_price(plan=plan, user=publisher_user, amount=0)
    from marketplace.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        pricing.plan_change_price(plan=plan, user=buyer, amount=1)


def _buy(plan, user, run_on_commit, **kwargs):
    with run_on_commit():
        return installs.purchase_start(app=plan.app, plan=plan, user=user, payment_method=CARD, **kwargs)


def _subscribe(plan, user, run_on_commit):
    with run_on_commit():
        return subscriptions.subscribe(app=plan.app, plan=plan, user=user, payment_method=CARD)


def test_existing_customers_keep_their_price_for_90_days(paid_app, publisher_user, buyer, run_on_commit):
    plan = paid_app.plans.get(name="Pro")
    assert _subscribe(plan, buyer, run_on_commit).unit_amount == 1000
    Installation.objects.filter(user=buyer).update(created_at=timezone.now() - timedelta(days=40))

    plan = pricing.plan_change_price(plan=plan, user=publisher_user, amount=1500)

    newcomer = UserFactory()
    assert _subscribe(plan, newcomer, run_on_commit).unit_amount == 1500
    kept = price_for_customer(plan=plan, user_id=buyer.pk)
    assert (kept.amount, kept.grandfathered) == (1000, True)
    assert kept.until.date() == (timezone.now() + timedelta(days=90)).date()
    # revenue renews the existing subscriber at the kept price until the same day
    mine = revenue_facade.subscriptions_for(user_id=buyer.pk)[0]
    assert mine.unit_amount == 1000
    # After 90 days the customer pays the new price.
    later = price_for_customer(plan=plan, user_id=buyer.pk, now=timezone.now() + timedelta(days=91))
    assert later.amount == 1500
    assert not later.grandfathered


def test_a_lower_new_price_applies_to_existing_customers_at_once(
    paid_app, publisher_user, buyer, run_on_commit
):
    plan = paid_app.plans.get(name="Pro")
    _subscribe(plan, buyer, run_on_commit)
    Installation.objects.filter(user=buyer).update(created_at=timezone.now() - timedelta(days=1))
    plan = pricing.plan_change_price(plan=plan, user=publisher_user, amount=800)
    assert price_for_customer(plan=plan, user_id=buyer.pk).amount == 800
    assert revenue_facade.subscriptions_for(user_id=buyer.pk)[0].unit_amount == 800


def test_refund_revokes_a_one_time_licence(paid_app, buyer, run_on_commit):
    plan = paid_app.plans.get(name="Lifetime")
    order = _buy(plan, buyer, run_on_commit)
    installation = Installation.objects.get(user=buyer)
    assert (installation.status, installation.current_period_end) == ("active", None)
    with pytest.raises(Conflict):
        _buy(plan, buyer, run_on_commit)
    with run_on_commit():
        revenue_facade.refund(order_id=order.public_id, reason="requested")
    installation.refresh_from_db()
    assert installation.status == "revoked"


def test_on_paid_is_idempotent(paid_app, buyer, run_on_commit):
    plan = paid_app.plans.get(name="Lifetime")
    order = _buy(plan, buyer, run_on_commit)
    line = order.lines[0]
    sold = revenue_facade.SoldLine(
        order_id=str(order.public_id),
        order_line_id=line.id,
        buyer_id=buyer.pk,
        organization_id=None,
        item_type=line.item_type,
        item_id=line.item_id,
        quantity=1,
        net_amount=line.net_amount,
        currency="USD",
        metadata={},
    )
    assert installs.fulfil_paid_line(sold) is None  # already fulfilled
    assert Installation.objects.get(user=buyer).purchases.count() == 1


def test_free_plans_are_installed_not_bought(publisher, buyer):
    app = make_app(publisher)
    with pytest.raises(ValidationError):
        installs.purchase_start(app=app, plan=app.plans.get(), user=buyer, payment_method=CARD)
    with pytest.raises(revenue_facade.UnknownItem):
        installs.resolve_plan(item_id="nope", quantity=1, buyer_id=buyer.pk, currency="USD")

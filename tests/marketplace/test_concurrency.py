"""Capacity under concurrency (PostgreSQL row locks): the last seat goes to exactly one member, and a holder
gets exactly one live installation."""

import threading

import pytest
from django.db import connection

from marketplace.exceptions import Conflict
from marketplace.models import Installation, SeatAssignment
from marketplace.services import installs
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.marketplace.factories import make_app, make_publisher


def _race(*calls):
    errors, barrier = [], threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        try:
            call()
        except Conflict as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("catalog_reference")
def test_the_last_seat_goes_to_one_member():
    admin = UserFactory()
    org = OrganizationFactory()
    MembershipFactory(organization=org, user=admin, role="owner")
    members = [UserFactory() for _ in range(2)]
    for m in members:
        MembershipFactory(organization=org, user=m)
    app = make_app(
        make_publisher(UserFactory()),
        plans=[{"name": "Team", "model": "per_seat", "interval": "month", "amount": 100}],
    )
    installation = Installation.objects.create(
        app=app,
        plan=app.plans.get(),
        version=app.versions.get(),
        organization=org,
        installed_by=admin,
        status="active",
        seats=1,
    )
    errors = _race(
        *[
            lambda m=m: installs.seat_assign(installation=installation, user=admin, member_id=m.pk)
            for m in members
        ]
    )
    assert len(errors) == 1
    assert SeatAssignment.objects.filter(installation=installation).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("catalog_reference")
def test_concurrent_installs_give_one_installation():
    user = UserFactory()
    app = make_app(make_publisher(UserFactory()))
    errors = _race(*[lambda: installs.install(app=app, plan=app.plans.get(), user=user) for _ in range(3)])
    assert len(errors) == 2
    assert Installation.objects.filter(app=app, user=user).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("catalog_reference")
def test_two_subscribes_at_once_start_one_subscription(settings):
    from marketplace.services import subscriptions
    from revenue.models import Subscription

    settings.REVENUE_ENABLED_GATEWAYS = ["local_test"]
    settings.REVENUE_DEFAULT_GATEWAY = "local_test"
    buyer = UserFactory()
    app = make_app(
        make_publisher(UserFactory()),
        plans=[{"name": "Pro", "model": "subscription", "interval": "month", "amount": 900}],
    )
    plan = app.plans.get()
    calls = [
        lambda: subscriptions.subscribe(app=app, plan=plan, user=buyer, payment_method="4242424242424242")
        for _ in range(3)
    ]
    errors = _race(*calls)
    assert Subscription.objects.filter(buyer=buyer).count() == 1
    assert len(errors) == 2  # in progress, or already subscribed
    installation = Installation.objects.get(app=app, user=buyer)
    assert installation.subscription_id == Subscription.objects.get(buyer=buyer).public_id

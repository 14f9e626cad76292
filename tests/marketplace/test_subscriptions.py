"""Recurring app plans are billed by revenue's subscriptions: subscribe, renew, change seats, dunning, uninstall,
kept prices after a rise, trials that convert — the installation and the entitlement follow the subscription."""

from datetime import timedelta

import pytest
from django.urls import reverse

from marketplace.exceptions import Conflict, ValidationError
from marketplace.models import Installation
from marketplace.selectors import entitlements
from marketplace.selectors.usage import usage_month
from marketplace.services import installs, pricing, subscriptions, usage
from marketplace.services.subscriptions import revenue_plan_key
from revenue.models import Subscription, SubscriptionCharge
from revenue.services.dunning import dunning_run
from revenue.services.subscriptions_billing import subscription_renew
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.marketplace.factories import make_app
from tests.revenue.factories import assert_ledger_clean

pytestmark = pytest.mark.django_db
CARD = "4242424242424242"
DECLINED = "4000000000000002"  # refused when the card is stored
THREE_DS = "4000002500003155"
FAILS_LATER = "4000000000000341"  # authorises, then fails: renewals with it fail
DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def _gateways(settings):
    settings.REVENUE_ENABLED_GATEWAYS = ["local_test", "bank_transfer"]
    settings.REVENUE_DEFAULT_GATEWAY = "local_test"
    settings.REVENUE_DUNNING_RETRY_DAYS = [1, 3]
    settings.REVENUE_DUNNING_GRACE_DAYS = None


@pytest.fixture
def sub_app(publisher):
    return make_app(
        publisher,
        plans=[
            {"name": "Pro", "model": "subscription", "interval": "month", "amount": 1_500, "trial_days": 14},
            {"name": "Pro annual", "model": "subscription", "interval": "year", "amount": 15_000},
            {"name": "Team", "model": "per_seat", "interval": "month", "amount": 900},
            {"name": "Lifetime", "model": "one_time", "amount": 50_000},
        ],
    )


@pytest.fixture
def org_admin(db):
    return UserFactory()


@pytest.fixture
def org(org_admin):
    organization = OrganizationFactory()
    MembershipFactory(organization=organization, user=org_admin, role="admin")
    return organization


def _subscription(installation):
    return Subscription.objects.get(public_id=installation.subscription_id)


def test_subscribe_installs_and_renewal_extends_without_a_gap(sub_app, buyer, run_on_commit):
    plan = sub_app.plans.get(name="Pro")
    with run_on_commit():
        summary = subscriptions.subscribe(app=sub_app, plan=plan, user=buyer, payment_method=CARD)
    assert (summary.state, summary.has_access) == ("active", True)
    installation = Installation.objects.get(app=sub_app, user=buyer)
    assert installation.status == "active"
    assert installation.subscription_id == summary.id
    assert installation.current_period_end == summary.current_period_end
    assert installation.price_amount == 1_500
    sub = _subscription(installation)
    assert sub.plan.key == revenue_plan_key(plan)
    assert sub.plan.seller_id == sub_app.publisher.seller_id
    end = sub.current_period_end

    # the renewal beat runs a few minutes after the period end: the licence never lapses in between
    gap = end + timedelta(minutes=5)
    assert entitlements.entitlement(app=sub_app, user_id=buyer.pk, now=gap).licensed
    assert installs.installations_expire(now=gap) == 0
    with run_on_commit():
        charge = subscription_renew(subscription=sub, now=gap)
    assert charge.state == SubscriptionCharge.State.PAID
    installation.refresh_from_db()
    sub.refresh_from_db()
    assert installation.status == "active"
    assert installation.current_period_end == sub.current_period_end > end
    answer = entitlements.entitlement(app=sub_app, user_id=buyer.pk, now=gap)
    assert (answer.licensed, answer.valid_until) == (True, sub.current_period_end)
    assert sub.charges.filter(state="paid").count() == 2
    assert_ledger_clean()


def test_recurring_plans_cannot_go_through_one_off_checkout(sub_app, buyer):
    with pytest.raises(ValidationError) as exc:
        installs.purchase_start(
            app=sub_app, plan=sub_app.plans.get(name="Pro"), user=buyer, payment_method=CARD
        )
    assert exc.value.field == "plan"
    with pytest.raises(ValidationError):
        subscriptions.subscribe(
            app=sub_app, plan=sub_app.plans.get(name="Lifetime"), user=buyer, payment_method=CARD
        )


def test_declined_card_installs_nothing(sub_app, buyer, run_on_commit):
    plan = sub_app.plans.get(name="Pro")
    with pytest.raises(ValidationError) as exc:
        subscriptions.subscribe(app=sub_app, plan=plan, user=buyer, payment_method=DECLINED)
    assert exc.value.field == "payment_method"
    with run_on_commit():
        summary = subscriptions.subscribe(app=sub_app, plan=plan, user=buyer, payment_method=FAILS_LATER)
    assert (summary.state, summary.has_access) == ("canceled", False)
    assert not Installation.objects.filter(app=sub_app).exists()
    assert not entitlements.entitlement(app=sub_app, user_id=buyer.pk).licensed


def test_three_d_secure_installs_once_confirmed(sub_app, buyer, run_on_commit):
    from revenue import facade as revenue_facade

    with run_on_commit():
        summary = subscriptions.subscribe(
            app=sub_app, plan=sub_app.plans.get(name="Pro"), user=buyer, payment_method=THREE_DS
        )
    assert summary.state == "incomplete"
    assert not Installation.objects.filter(app=sub_app).exists()
    with pytest.raises(Conflict) as exc:  # no second subscription while the first waits for the buyer
        subscriptions.subscribe(
            app=sub_app, plan=sub_app.plans.get(name="Pro"), user=buyer, payment_method=CARD
        )
    assert exc.value.code == "subscription_incomplete"
    order = Subscription.objects.get(public_id=summary.id).charges.get().dunning_attempts.get().order
    with run_on_commit():
        revenue_facade.confirm(order_id=order.public_id, buyer_id=buyer.pk)
    installation = Installation.objects.get(app=sub_app, user=buyer)
    assert (installation.status, installation.subscription_id) == ("active", summary.id)


def test_failed_renewals_then_suspension_expire_the_installation(sub_app, buyer, run_on_commit):
    with run_on_commit():
        subscriptions.subscribe(
            app=sub_app, plan=sub_app.plans.get(name="Pro"), user=buyer, payment_method=CARD
        )
    installation = Installation.objects.get(app=sub_app, user=buyer)
    sub = _subscription(installation)
    Subscription.objects.filter(pk=sub.pk).update(payment_method=FAILS_LATER)
    due = sub.current_period_end
    with run_on_commit():
        subscription_renew(subscription=sub, now=due)
    installation.refresh_from_db()
    # past due: the licence runs through the grace period (the last retry, 3 days)
    assert installation.status == "active"
    assert installation.current_period_end == due + 3 * DAY
    assert entitlements.entitlement(app=sub_app, user_id=buyer.pk, now=due + 2 * DAY).licensed
    for day in (1, 3):
        with run_on_commit():
            dunning_run(now=due + day * DAY + timedelta(minutes=1))
    sub.refresh_from_db()
    assert sub.state == Subscription.State.CANCELED
    installation.refresh_from_db()
    assert installation.status == "expired"
    assert not entitlements.entitlement(app=sub_app, user_id=buyer.pk).licensed
    assert_ledger_clean()


def test_seats_change_through_the_subscription(sub_app, org, org_admin, run_on_commit):
    team = sub_app.plans.get(name="Team")
    with run_on_commit():
        subscriptions.subscribe(
            app=sub_app, plan=team, user=org_admin, payment_method=CARD, organization_id=org.pk, seats=2
        )
    installation = Installation.objects.get(app=sub_app, organization=org)
    sub = _subscription(installation)
    assert (installation.seats, sub.seats) == (2, 2)
    members = [UserFactory(), UserFactory()]
    for member in members:
        MembershipFactory(organization=org, user=member)
        installs.seat_assign(installation=installation, user=org_admin, member_id=member.pk)
    with pytest.raises(Conflict):  # same plan and seats again
        subscriptions.subscribe(
            app=sub_app, plan=team, user=org_admin, payment_method=CARD, organization_id=org.pk, seats=2
        )
    with pytest.raises(ValidationError) as exc:  # fewer seats than assigned
        subscriptions.subscribe(
            app=sub_app, plan=team, user=org_admin, payment_method=CARD, organization_id=org.pk, seats=1
        )
    assert exc.value.field == "seats"

    # more seats: prorated and charged now, on the same subscription and installation
    with run_on_commit():
        summary = subscriptions.subscribe(
            app=sub_app, plan=team, user=org_admin, payment_method="", organization_id=org.pk, seats=4
        )
    assert summary.id == sub.public_id
    installation.refresh_from_db()
    assert installation.seats == 4
    assert sub.charges.filter(kind="proration", state="paid").count() == 1
    answer = entitlements.entitlement(app=sub_app, organization_id=org.pk, user_id=members[0].pk)
    assert (answer.seats, answer.seats_assigned, answer.user_has_seat) == (4, 2, True)
    assert Subscription.objects.filter(organization=org).count() == 1
    assert_ledger_clean()


def test_seat_decrease_applies_at_renewal_and_trims_the_latest_seats(sub_app, org, org_admin, run_on_commit):
    team = sub_app.plans.get(name="Team")
    with run_on_commit():
        subscriptions.subscribe(
            app=sub_app, plan=team, user=org_admin, payment_method=CARD, organization_id=org.pk, seats=3
        )
    installation = Installation.objects.get(app=sub_app, organization=org)
    first, second = UserFactory(), UserFactory()
    for member in (first, second):
        MembershipFactory(organization=org, user=member)
        installs.seat_assign(installation=installation, user=org_admin, member_id=member.pk)
    with run_on_commit():
        subscriptions.subscribe(
            app=sub_app, plan=team, user=org_admin, payment_method="", organization_id=org.pk, seats=2
        )
    installation.refresh_from_db()
    assert installation.seats == 3  # a decrease waits for the renewal
    installs.seat_assign(installation=installation, user=org_admin, member_id=org_admin.pk)
    sub = _subscription(installation)
    with run_on_commit():
        subscription_renew(subscription=sub, now=sub.current_period_end)
    installation.refresh_from_db()
    assert installation.seats == 2
    assert set(installation.seat_assignments.values_list("user_id", flat=True)) == {first.pk, second.pk}


def test_uninstall_cancels_at_period_end_and_reinstall_is_free(sub_app, buyer, run_on_commit):
    plan = sub_app.plans.get(name="Pro")
    with run_on_commit():
        subscriptions.subscribe(app=sub_app, plan=plan, user=buyer, payment_method=CARD)
    installation = Installation.objects.get(app=sub_app, user=buyer)
    with run_on_commit():
        installs.uninstall(installation=installation, user=buyer)
    sub = _subscription(installation)
    assert sub.cancel_at_period_end
    with pytest.raises(Conflict) as exc:  # not a second subscription on top of the ending one
        subscriptions.subscribe(app=sub_app, plan=plan, user=buyer, payment_method=CARD)
    assert exc.value.code == "subscription_ending"
    installation = installs.install(app=sub_app, plan=plan, user=buyer)  # within the paid period
    assert installation.status == "active"
    with run_on_commit():
        subscription_renew(subscription=sub, now=sub.current_period_end)
    sub.refresh_from_db()
    installation.refresh_from_db()
    assert sub.state == Subscription.State.CANCELED
    assert sub.charges.count() == 1  # never charged again
    assert installation.status == "expired"


def test_price_rise_keeps_the_old_price_for_current_subscribers_90_days(
    sub_app, buyer, publisher_user, run_on_commit
):
    plan = sub_app.plans.get(name="Pro")
    with run_on_commit():
        subscriptions.subscribe(app=sub_app, plan=plan, user=buyer, payment_method=CARD)
    sub = _subscription(Installation.objects.get(app=sub_app, user=buyer))
    pricing.plan_change_price(plan=plan, user=publisher_user, amount=2_000)
    sub.plan.refresh_from_db()
    assert sub.plan.unit_amount == 2_000
    newcomer = UserFactory()
    with run_on_commit():
        fresh = subscriptions.subscribe(app=sub_app, plan=plan, user=newcomer, payment_method=CARD)
    assert fresh.unit_amount == 2_000
    # the existing subscriber renews at 1,500 while the 90 days run, then at 2,000
    sub.refresh_from_db()
    with run_on_commit():
        renewal = subscription_renew(subscription=sub, now=sub.current_period_end)
    assert renewal.amount == 1_500
    sub.refresh_from_db()
    late = sub.kept_until + timedelta(minutes=1)
    Subscription.objects.filter(pk=sub.pk).update(current_period_end=late - timedelta(seconds=30))
    sub.refresh_from_db()
    with run_on_commit():
        later = subscription_renew(subscription=sub, now=late)
    assert later.amount == 2_000


def test_trial_converts_into_the_subscription(sub_app, buyer, run_on_commit):
    plan = sub_app.plans.get(name="Pro")
    trial = installs.trial_start(app=sub_app, plan=plan, user=buyer)
    with run_on_commit():
        subscriptions.subscribe(app=sub_app, plan=plan, user=buyer, payment_method=CARD)
    trial.refresh_from_db()
    assert trial.status == "active"
    assert trial.subscription_id is not None
    assert Installation.objects.filter(app=sub_app, user=buyer).count() == 1


def test_switch_to_the_annual_plan_at_renewal(sub_app, buyer, run_on_commit):
    with run_on_commit():
        subscriptions.subscribe(
            app=sub_app, plan=sub_app.plans.get(name="Pro"), user=buyer, payment_method=CARD
        )
    annual = sub_app.plans.get(name="Pro annual")  # cheaper per year: takes effect at the renewal
    with run_on_commit():
        subscriptions.subscribe(app=sub_app, plan=annual, user=buyer, payment_method="")
    installation = Installation.objects.get(app=sub_app, user=buyer)
    assert installation.plan.name == "Pro"
    sub = _subscription(installation)
    with run_on_commit():
        charge = subscription_renew(subscription=sub, now=sub.current_period_end)
    assert charge.amount == 15_000
    installation.refresh_from_db()
    sub.refresh_from_db()
    assert installation.plan == annual
    assert installation.current_period_end == sub.current_period_end
    assert sub.current_period_end - sub.current_period_start >= timedelta(days=365)  # a full year
    assert_ledger_clean()


def test_api_subscribe(sub_app, buyer, client, run_on_commit):
    client.force_login(buyer)
    url = f"/api/v1/marketplace/apps/{sub_app.slug}/subscribe/"
    plan = sub_app.plans.get(name="Pro")
    refused = client.post(
        url, {"plan": str(plan.public_id), "payment_method": DECLINED}, content_type="application/json"
    )
    assert refused.status_code == 400
    assert "payment_method" in refused.json()["error"]["fields"]
    with run_on_commit():
        declined = client.post(
            url,
            {"plan": str(plan.public_id), "payment_method": FAILS_LATER},
            content_type="application/json",
        )
    assert declined.status_code == 402
    with run_on_commit():
        response = client.post(
            url, {"plan": str(plan.public_id), "payment_method": CARD}, content_type="application/json"
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "active"
    assert body["unit_amount"]["amount"] == 1_500
    assert body["installation"]["subscription_id"] == body["subscription_id"]
    purchase = client.post(
        f"/api/v1/marketplace/apps/{sub_app.slug}/purchase/",
        {"plan": str(plan.public_id), "payment_method": CARD},
        content_type="application/json",
    )
    assert purchase.status_code == 400
    assert "plan" in purchase.json()["error"]["fields"]


def test_portal_subscribe(sub_app, buyer, client, run_on_commit):
    client.force_login(buyer)
    plan = sub_app.plans.get(name="Pro")
    url = reverse("marketplace:buy", kwargs={"slug": sub_app.slug, "plan_id": plan.public_id})
    page = client.get(url)
    assert "Subscribe and install" in page.content.decode()
    token = page.context["form"]["submission_token"].value()
    with run_on_commit():
        response = client.post(url, {"card_number": CARD, "submission_token": token, "seats": 1})
    assert response.status_code == 302
    assert response.url == reverse("marketplace:installations")
    installation = Installation.objects.get(app=sub_app, user=buyer)
    listing = client.get(reverse("marketplace:installations")).content.decode()
    assert reverse("revenue:subscription", kwargs={"public_id": installation.subscription_id}) in listing

    other = UserFactory()
    client.force_login(other)
    token = client.get(url).context["form"]["submission_token"].value()
    with run_on_commit():
        pending = client.post(url, {"card_number": THREE_DS, "submission_token": token, "seats": 1})
    sub = Subscription.objects.get(buyer=other)
    assert pending.url == reverse("revenue:subscription", kwargs={"public_id": sub.public_id})


@pytest.fixture
def metered_app(publisher):
    return make_app(
        publisher,
        plans=[
            {"name": "Metered", "model": "usage", "unit_amount": 3, "monthly_cap": 1_000, "currency": "USD"}
        ],
    )


def _report(installation, quantity, key):
    usage.usage_report(installation=installation, quantity=quantity, idempotency_key=key)


def test_usage_is_billed_in_arrears_capped_and_the_last_month_on_cancel(metered_app, buyer, run_on_commit):
    plan = metered_app.plans.get()
    with pytest.raises(ValidationError):  # a card on file is needed
        installs.install(app=metered_app, plan=plan, user=buyer)
    with run_on_commit():
        summary = subscriptions.subscribe(app=metered_app, plan=plan, user=buyer, payment_method=CARD)
    assert (summary.state, summary.unit_amount) == ("active", 0)
    installation = Installation.objects.get(subscription_id=summary.id)
    sub = _subscription(installation)
    first = sub.charges.get()
    assert (first.amount, first.state, first.order_id) == (0, "paid", None)  # nothing charged up front

    _report(installation, 100, "a")
    _report(installation, 100, "a")  # a retry of the same report counts once
    _report(installation, 50, "b")
    assert usage_month(installation) == {"units": 150, "amount": 450, "cap": 1_000}
    with run_on_commit():
        renewal = subscription_renew(subscription=sub, now=sub.current_period_end)
    assert (renewal.usage_amount, renewal.amount, renewal.state) == (450, 450, "paid")
    assert "metered usage" in renewal.description
    assert renewal.order.total >= 450

    # the next month: 500 units would cost 1,500, capped at 1,000; then the customer uninstalls
    sub.refresh_from_db()
    UsageRecordAt = installation.usage_records.model
    UsageRecordAt.objects.create(
        installation=installation,
        quantity=500,
        occurred_at=sub.current_period_start,
        idempotency_key="c",
    )
    UsageRecordAt.objects.filter(idempotency_key="c").update(created_at=sub.current_period_start + DAY)
    with run_on_commit():
        installs.uninstall(installation=installation, user=buyer)
    sub.refresh_from_db()
    assert sub.cancel_at_period_end
    with run_on_commit():
        final = subscription_renew(subscription=sub, now=sub.current_period_end)
    assert (final.kind, final.usage_amount, final.state) == ("usage", 1_000, "paid")
    sub.refresh_from_db()
    assert sub.state == Subscription.State.CANCELED
    assert [c.amount for c in sub.charges.order_by("period_start", "id")] == [0, 450, 1_000]
    with run_on_commit():  # running again charges nothing more
        assert subscription_renew(subscription=sub, now=sub.current_period_end) is None
    assert sub.charges.count() == 3
    assert_ledger_clean()


def test_failed_final_usage_is_uncollectible_not_retried(metered_app, buyer, run_on_commit):
    plan = metered_app.plans.get()
    with run_on_commit():
        summary = subscriptions.subscribe(app=metered_app, plan=plan, user=buyer, payment_method=CARD)
    installation = Installation.objects.get(subscription_id=summary.id)
    _report(installation, 10, "a")
    sub = _subscription(installation)
    Subscription.objects.filter(pk=sub.pk).update(payment_method=FAILS_LATER)
    from revenue import facade as revenue_facade

    with run_on_commit():
        revenue_facade.subscription_cancel(subscription_id=summary.id, actor_id=buyer.pk, at_period_end=False)
    final = sub.charges.get(kind="usage")
    assert (final.amount, final.state, final.next_retry_at) == (30, "uncollectible", None)
    sub.refresh_from_db()
    assert sub.state == Subscription.State.CANCELED
    installation.refresh_from_db()
    assert installation.status == "expired"

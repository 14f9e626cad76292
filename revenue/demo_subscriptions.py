"""Subscriptions demo data for `seed_demo` (wrapped around revenue.demo.seed): plans of the demo developer and
one subscription in each state a newcomer should see, made through the real services with a back-dated clock:

- Cloudsmiths Partners (buyer@ is its billing member): Team workspace, 5 seats, active — its renewal failed
  once and was recovered after the card was updated (recovered revenue on the finance dunning page);
- learner@: trialing (14-day trial, nothing charged yet);
- reviewer@: past due — the card (4000 0000 0000 0341) is stored but every charge fails; retried on day 1, the
  next retry is scheduled (the dunning queue);
- instructor@: canceled at the period end after declining the retention offers (outcomes recorded);
- buyer@ (personal): annual plan with a retention discount accepted.

Idempotent: nothing is made when the demo's team plan exists already. The ledger stays balanced.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TextIO

from django.utils import timezone

from novacron.accounts import facade as accounts_facade
from revenue.models import Plan, Seller, Subscription
from revenue.services.dunning import dunning_run
from revenue.services.sellers import seller_ensure
from revenue.services.subscriptions import (
    plan_upsert,
    subscription_cancel,
    subscription_payment_method_set,
    subscription_start,
)
from revenue.services.subscriptions_billing import subscription_renew

CARD_OK = "4242424242424242"
CARD_FAILS = "4000000000000341"
TEAM_KEY = "revenue.plan:demo-team"


def _renew_and_dun(subscription: Subscription, *, until: Any) -> None:
    """Run the renewal at the period end and the hourly dunning job daily, up to `until`."""
    subscription.refresh_from_db()
    due = subscription.current_period_end
    if due > until:
        return
    subscription_renew(subscription=subscription, now=due)
    day = due + timedelta(days=1, hours=1)
    while day <= until:
        dunning_run(now=day)
        day += timedelta(days=1)


def seed_subscriptions(out: TextIO) -> list[str]:
    from revenue.demo import DOMAIN, _user

    if Plan.objects.filter(key=TEAM_KEY).exists():
        return _notes(DOMAIN)
    now = timezone.now()
    developer, buyer = _user("developer"), _user("buyer")
    learner, reviewer, instructor = _user("learner"), _user("reviewer"), _user("instructor")
    cloudsmiths = accounts_facade.organization_get("cloudsmiths")
    seller = seller_ensure(
        kind=Seller.Kind.DEVELOPER,
        display_name=developer.display_name or "Dev Developer",
        user_id=developer.pk,
    )
    team = plan_upsert(
        key=TEAM_KEY,
        seller=seller,
        actor=developer,
        values={
            "name": "Team workspace",
            "description": "Shared NovaCron dashboards per seat.",
            "interval": "month",
            "unit_amount": 1200,
            "currency": "EUR",
            "trial_days": 14,
        },
    )
    annual = plan_upsert(
        key="revenue.plan:demo-team-annual",
        seller=seller,
        actor=developer,
        values={
            "name": "Team workspace",
            "description": "Two months free.",
            "interval": "year",
            "unit_amount": 12000,
            "currency": "EUR",
        },
    )
    plan_upsert(
        key="revenue.plan:demo-team-plus",
        seller=seller,
        actor=developer,
        values={
            "name": "Team workspace Plus",
            "description": "With alerting.",
            "interval": "month",
            "unit_amount": 2000,
            "currency": "EUR",
        },
    )

    # Cloudsmiths: trial started 50 days ago, first charge at the trial end, renewal failed, card fixed next day.
    team_sub = subscription_start(
        buyer=buyer,
        plan=team,
        seats=5,
        payment_method=CARD_OK,
        organization_id=cloudsmiths.id,
        billing_country="GB",
        now=now - timedelta(days=50),
    )
    _renew_and_dun(team_sub, until=now)  # the trial ends: first month charged
    team_sub.refresh_from_db()
    Subscription.objects.filter(pk=team_sub.pk).update(
        payment_method=CARD_FAILS, payment_method_label="•••• 0341"
    )
    due = team_sub.current_period_end
    _renew_and_dun(team_sub, until=due + timedelta(days=1, hours=2))
    subscription_payment_method_set(
        subscription=team_sub, actor=buyer, payment_method=CARD_OK, now=due + timedelta(days=1, hours=3)
    )

    # learner: in a trial.
    subscription_start(
        buyer=learner,
        plan=team,
        seats=1,
        payment_method=CARD_OK,
        billing_country="FR",
        now=now - timedelta(days=3),
    )

    # reviewer: no trial (annual → monthly plan without trial), card fails at the renewal two days ago.
    plus = Plan.objects.get(key="revenue.plan:demo-team-plus")
    reviewer_sub = subscription_start(
        buyer=reviewer,
        plan=plus,
        seats=2,
        payment_method=CARD_OK,
        billing_country="DE",
        now=now - timedelta(days=33),
    )
    subscription_payment_method_set(
        subscription=reviewer_sub, actor=reviewer, payment_method=CARD_FAILS, now=now - timedelta(days=32)
    )
    _renew_and_dun(reviewer_sub, until=now)

    # instructor: canceled at the period end (offers declined), the period is over.
    instructor_sub = subscription_start(
        buyer=instructor,
        plan=plus,
        seats=1,
        payment_method=CARD_OK,
        billing_country="GB",
        now=now - timedelta(days=70),
    )
    subscription_cancel(
        subscription=instructor_sub,
        actor=instructor,
        reason="Moving to another tool",
        now=now - timedelta(days=60),
    )
    _renew_and_dun(instructor_sub, until=now)

    # buyer (personal): annual, kept with the retention discount.
    personal = subscription_start(
        buyer=buyer,
        plan=annual,
        seats=1,
        payment_method=CARD_OK,
        billing_country="DE",
        now=now - timedelta(days=20),
    )
    subscription_cancel(
        subscription=personal, actor=buyer, accept_offer="discount", now=now - timedelta(days=2)
    )

    states = sorted(Subscription.objects.values_list("state", flat=True))
    out.write(f"  revenue subscriptions: {len(states)} ({', '.join(states)})\n")
    return _notes(DOMAIN)


def _notes(domain: str) -> list[str]:
    return [
        f"  Subscriptions (active, trialing, past due, canceled): buyer@{domain} → /revenue/subscriptions/ "
        f"(reviewer@{domain} is past due; card 4000 0000 0000 0341 stores but fails)",
        f"  Dunning queue and recovery metrics: finance@{domain} → /revenue/finance/dunning/",
    ]

"""Factories for subscription tests."""

from __future__ import annotations

import factory

from revenue.models import Plan
from tests.revenue.factories import SellerFactory

VISA = "4242 4242 4242 4242"
FAILS = "4000 0000 0000 0341"  # attaches, every charge fails
THREE_DS = "4000 0027 6000 3184"


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    key = factory.Sequence(lambda n: f"revenue.plan:test-{n}")
    seller = factory.SubFactory(SellerFactory)
    name = factory.Sequence(lambda n: f"Plan {n}")
    interval = Plan.Interval.MONTH
    unit_amount = 1_000
    currency = "EUR"
    trial_days = 0

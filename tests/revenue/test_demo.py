"""seed_demo: revenue's demo data is real (made through the services), idempotent, and leaves the ledger clean."""

import io

import pytest
from django.core.management import call_command

from revenue.models import Dispute, Order, Payout, Product, Refund, Seller, SellerTierChange
from tests.revenue.factories import assert_ledger_clean


# transaction=True: the services' on_commit work (gateway refunds, payout transfers, the dispute that card
# 4000 0000 0000 0259 triggers) runs as it does in `make run`.
@pytest.mark.django_db(transaction=True)
def test_seed_demo_twice_leaves_one_story_and_a_clean_ledger(settings):
    settings.REVENUE_ENABLED_GATEWAYS = ["local_test", "bank_transfer"]
    settings.REVENUE_DEFAULT_GATEWAY = "local_test"

    first = io.StringIO()
    call_command("seed_demo", stdout=first)
    counts = (Order.objects.count(), Refund.objects.count(), Payout.objects.count(), Product.objects.count())
    call_command("seed_demo", stdout=io.StringIO())

    assert (
        Order.objects.count(),
        Refund.objects.count(),
        Payout.objects.count(),
        Product.objects.count(),
    ) == counts
    states = set(Order.objects.values_list("state", flat=True))
    assert {"paid", "requires_action", "awaiting_transfer", "failed"} <= states
    assert Refund.objects.count() == 2
    assert Dispute.objects.filter(state=Dispute.State.UNDER_REVIEW).exclude(evidence_notes="").count() == 1
    assert set(Payout.objects.values_list("state", flat=True)) == {"paid", "in_transit"}
    assert Seller.objects.get(display_name="Cloudsmiths Partners").tier == "silver"
    assert SellerTierChange.objects.count() == 1
    assert "/revenue/earnings/" in first.getvalue()
    assert_ledger_clean()

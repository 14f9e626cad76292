"""escrow_release_due skips order lines of item types released by their owner (service milestones) and still
releases every other line; the owner releases them with the same posting (key release:<line id>)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from revenue import hooks
from revenue.models import AccountKind, JournalEntry
from revenue.services.escrow import escrow_release_due, escrow_release_line
from tests.revenue.factories import (
    LineSpec,
    SellerFactory,
    assert_ledger_clean,
    balance_of,
    create_paid_order,
)

pytestmark = pytest.mark.django_db


def test_time_release_skips_owner_released_lines_only():
    assert "revenue.service_milestone" in hooks.owner_released_item_types()
    seller = SellerFactory()
    now = timezone.now()
    order, _ = create_paid_order(
        lines=[LineSpec(seller, 10_000), LineSpec(seller, 20_000, item_type="revenue.service_milestone")],
        paid_at=now - timedelta(days=100),
    )
    product_line, milestone_line = order.lines.order_by("pk")
    assert product_line.item_type == "test.item"

    # when the time-based release runs long after the hold
    assert escrow_release_due(now=now) == 1

    # then only the product line was released; the milestone's 14,000 stays pending
    assert balance_of(AccountKind.SELLER_AVAILABLE, seller=seller) == 7_000
    assert balance_of(AccountKind.SELLER_PENDING, seller=seller) == 14_000
    milestone_line.refresh_from_db()
    assert milestone_line.released_at is None

    # when its owner releases it, the same posting moves it, once
    assert escrow_release_line(line=milestone_line, now=now) is True
    assert escrow_release_line(line=milestone_line, now=now) is False
    assert escrow_release_due(now=now + timedelta(days=1)) == 0
    assert balance_of(AccountKind.SELLER_AVAILABLE, seller=seller) == 21_000
    assert JournalEntry.objects.filter(idempotency_key=f"release:{milestone_line.pk}").count() == 1
    assert_ledger_clean()

"""Rolling reserve: a share of each release is kept in the seller's reserve for reserve_days, pays refunds after
the release before the seller's receivable grows, and what is left moves to available once — never twice."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from revenue.models import AccountKind, JournalEntry
from revenue.services.escrow import escrow_release_due, reserve_release_due
from revenue.services.refunds import refund_create
from revenue.tasks import release_escrow
from tests.revenue.factories import (
    LineSpec,
    SellerFactory,
    assert_ledger_clean,
    balance_of,
    create_paid_order,
)

pytestmark = pytest.mark.django_db
K = AccountKind
DAY = timedelta(days=1)


def test_release_keeps_the_reserve_then_moves_it_after_reserve_days():
    seller = SellerFactory(escrow_hold_days=0, reserve_percent=Decimal("10"), reserve_days=90)
    now = timezone.now()
    order, _ = create_paid_order(lines=[LineSpec(seller, 10_001)], paid_at=now)  # seller share 7000 (70%)

    assert escrow_release_due(now=now) == 1
    share = order.lines.get().seller_amount
    kept = share // 10  # rounded down, in the seller's favour
    assert balance_of(K.SELLER_AVAILABLE, seller=seller) == share - kept
    assert balance_of(K.SELLER_RESERVE, seller=seller) == kept
    assert order.lines.get().reserved_amount == kept
    assert_ledger_clean()

    assert reserve_release_due(now=now + 89 * DAY) == 0
    assert reserve_release_due(now=now + 90 * DAY) == 1
    assert reserve_release_due(now=now + 91 * DAY) == 0  # once
    assert balance_of(K.SELLER_RESERVE, seller=seller) == 0
    assert balance_of(K.SELLER_AVAILABLE, seller=seller) == share
    entry = JournalEntry.objects.get(kind=JournalEntry.Kind.RESERVE_RELEASE)
    assert entry.idempotency_key == f"reserve-release:{order.lines.get().pk}"
    assert_ledger_clean()


def test_a_refund_after_release_takes_available_then_reserve_then_receivable():
    seller = SellerFactory(escrow_hold_days=0, reserve_percent=Decimal("20"), reserve_days=30)
    now = timezone.now()
    order, _ = create_paid_order(lines=[LineSpec(seller, 10_000)], paid_at=now)
    escrow_release_due(now=now)
    assert (balance_of(K.SELLER_AVAILABLE, seller=seller), balance_of(K.SELLER_RESERVE, seller=seller)) == (
        5_600,
        1_400,
    )
    # a refund whose seller part (6300) is more than available
    refund_create(order=order, amount=9_000, now=now + DAY)  # seller part 6300
    assert balance_of(K.SELLER_AVAILABLE, seller=seller) == 0
    assert balance_of(K.SELLER_RESERVE, seller=seller) == 700  # 5600 from available, 700 from the reserve
    assert balance_of(K.SELLER_RECEIVABLE, seller=seller) == 0
    # the reserve release moves only what is left
    assert reserve_release_due(now=now + 30 * DAY) == 1
    assert balance_of(K.SELLER_RESERVE, seller=seller) == 0
    assert balance_of(K.SELLER_AVAILABLE, seller=seller) == 700
    assert_ledger_clean()


def test_no_reserve_by_default_and_the_hourly_task_runs_both():
    seller = SellerFactory(escrow_hold_days=0)
    reserving = SellerFactory(escrow_hold_days=0, reserve_percent=Decimal("5"), reserve_days=0)
    create_paid_order(
        lines=[LineSpec(seller, 1_000), LineSpec(reserving, 1_000)],
        paid_at=timezone.now() - timedelta(minutes=1),
    )
    assert release_escrow.delay().get() == 3  # two releases, one reserve release (0 days)
    assert release_escrow.delay().get() == 0
    assert balance_of(K.SELLER_RESERVE, seller=seller) == 0
    assert balance_of(K.SELLER_RESERVE, seller=reserving) == 0
    assert balance_of(K.SELLER_AVAILABLE, seller=reserving) == 700
    assert_ledger_clean()

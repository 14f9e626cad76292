"""Escrow: sellers' shares stay pending for the hold, then the release moves what is left to available."""

from datetime import timedelta

import pytest
from django.utils import timezone

from revenue.models import AccountKind, JournalEntry
from revenue.services.escrow import escrow_release_due
from revenue.services.refunds import refund_create
from revenue.tasks import release_escrow
from tests.revenue.factories import (
    LineSpec,
    SellerFactory,
    assert_ledger_clean,
    balance_of,
    create_paid_order,
    platform_seller,
)

pytestmark = pytest.mark.django_db

K = AccountKind


def test_release_after_the_default_hold_of_14_days(settings):
    settings.REVENUE_ESCROW_HOLD_DAYS = 14
    seller = SellerFactory()
    now = timezone.now()
    order, _ = create_paid_order(lines=[LineSpec(seller, 10_000)], paid_at=now)

    assert escrow_release_due(now=now + timedelta(days=13, hours=23)) == 0
    assert balance_of(K.SELLER_PENDING, seller=seller) == 7_000

    assert escrow_release_due(now=now + timedelta(days=14)) == 1
    assert balance_of(K.SELLER_PENDING, seller=seller) == 0
    assert balance_of(K.SELLER_AVAILABLE, seller=seller) == 7_000
    line = order.lines.get()
    assert line.released_amount == 7_000
    assert line.released_at == now + timedelta(days=14)
    entry = JournalEntry.objects.get(kind=JournalEntry.Kind.RELEASE)
    assert entry.idempotency_key == f"release:{line.pk}"
    assert_ledger_clean()


def test_seller_hold_overrides_the_default():
    quick, slow = SellerFactory(escrow_hold_days=0), SellerFactory(escrow_hold_days=30)
    now = timezone.now()
    create_paid_order(lines=[LineSpec(quick, 1_000), LineSpec(slow, 1_000)], paid_at=now)

    assert escrow_release_due(now=now) == 1
    assert balance_of(K.SELLER_AVAILABLE, seller=quick) == 700
    assert escrow_release_due(now=now + timedelta(days=29)) == 0
    assert escrow_release_due(now=now + timedelta(days=30)) == 1
    assert balance_of(K.SELLER_AVAILABLE, seller=slow) == 700
    assert_ledger_clean()


def test_release_moves_only_what_refunds_left():
    seller = SellerFactory()
    now = timezone.now()
    order, _ = create_paid_order(lines=[LineSpec(seller, 10_000)], paid_at=now - timedelta(days=20))
    refund_create(order=order, amount=4_000)  # 2800 of the seller's 7000

    assert escrow_release_due(now=now) == 1
    assert balance_of(K.SELLER_AVAILABLE, seller=seller) == 4_200
    assert order.lines.get().released_amount == 4_200
    assert_ledger_clean()


def test_fully_refunded_line_is_released_with_nothing_to_move():
    seller = SellerFactory()
    now = timezone.now()
    order, _ = create_paid_order(lines=[LineSpec(seller, 10_000)], paid_at=now - timedelta(days=20))
    refund_create(order=order)

    assert escrow_release_due(now=now) == 1
    assert not JournalEntry.objects.filter(kind=JournalEntry.Kind.RELEASE).exists()
    assert order.lines.get().released_at is not None
    assert_ledger_clean()


def test_platform_lines_have_no_escrow():
    now = timezone.now()
    create_paid_order(lines=[LineSpec(platform_seller(), 5_000)], paid_at=now - timedelta(days=20))
    assert escrow_release_due(now=now) == 0
    assert_ledger_clean()


def test_task_is_safe_to_run_twice():
    seller = SellerFactory(escrow_hold_days=0)
    create_paid_order(lines=[LineSpec(seller, 10_000)], paid_at=timezone.now() - timedelta(minutes=1))

    assert release_escrow.delay().get() == 1
    assert release_escrow.delay().get() == 0
    assert JournalEntry.objects.filter(kind=JournalEntry.Kind.RELEASE).count() == 1
    assert balance_of(K.SELLER_AVAILABLE, seller=seller) == 7_000
    assert_ledger_clean()


def test_revenue_beat_tasks_are_scheduled_named_and_limited(settings):
    from novacron.celery import app

    names = {"revenue.release_escrow", "revenue.create_payouts", "revenue.recompute_tiers"}
    names.add("revenue.submit_pending_refunds")
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert names <= scheduled
    for name in names:
        task = app.tasks[name]
        assert task.acks_late
        assert task.time_limit
        assert task.soft_time_limit < task.time_limit

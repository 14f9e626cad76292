"""PostgreSQL: many threads buying, refunding, disputing, releasing and paying out against the same sellers at
once (each thread on its own connection). Nothing deadlocks, no refund passes the captured amount, no payout
is made twice, and at the end ledger_verify is clean and the totals are exactly what the threads did."""

import random
import threading
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from novacron.core.exceptions import ValidationError
from revenue.exceptions import InvalidState
from revenue.models import AccountKind, Order, Payout, Refund
from revenue.models.sellers import PayoutInterval
from revenue.services.disputes import dispute_close, dispute_open
from revenue.services.escrow import escrow_release_due
from revenue.services.payouts import payout_account_set, payouts_create_due
from revenue.services.refunds import refund_create
from tests.revenue.factories import (
    LineSpec,
    SellerFactory,
    assert_ledger_clean,
    balance_of,
    create_paid_order,
    platform_seller,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8
ROUNDS = 12
START = datetime(2025, 1, 6, 9, tzinfo=UTC)


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.money = Counter()
        self.errors: list[BaseException] = []
        self.refused = Counter()

    def add(self, **amounts):
        with self.lock:
            self.money.update(amounts)


def _worker(index, sellers, tally, barrier):
    rng = random.Random(index)
    try:
        barrier.wait()
        for round_ in range(ROUNDS):
            now = START + timedelta(days=round_)
            specs = [
                LineSpec(sellers[0], rng.randint(1_000, 50_000)),
                LineSpec(sellers[1], rng.randint(1, 9_999)),
            ]
            if rng.random() < 0.3:
                specs.append(
                    LineSpec(sellers[2], rng.randint(100, 5_000), tax=rng.randint(0, 900), jurisdiction="DE")
                )
            order, payment = create_paid_order(
                lines=specs, gateway="fake", fee=rng.randint(0, 50), paid_at=now
            )
            tally.add(captured=payment.amount, fees=payment.fee_amount)

            # two refunds racing on the same order: they can never pass what was captured
            for _ in range(2):
                amount = rng.choice([None, rng.randint(1, payment.amount)])
                try:
                    refund = refund_create(order=order, amount=amount, now=now)
                except (ValidationError, InvalidState):
                    tally.refused["refund"] += 1
                    continue
                tally.add(refunded=refund.amount)

            if rng.random() < 0.25:
                room = payment.amount - Order.objects.get(pk=order.pk).refunded_total
                if room > 0:
                    dispute = dispute_open(
                        payment=payment,
                        amount=rng.randint(1, room),
                        reason="fraudulent",
                        gateway_reference=f"dp_{index}_{round_}",
                        now=now,
                    )
                    won = rng.random() < 0.5
                    dispute_close(dispute=dispute, won=won, now=now)
                    if not won:
                        tally.add(disputed_lost=dispute.amount)

            escrow_release_due(now=now + timedelta(hours=1))
            payouts_create_due(now=now + timedelta(hours=2))
    except BaseException as exc:  # collected and reported by the test
        tally.errors.append(exc)
    finally:
        connection.close()


def test_concurrent_sales_refunds_disputes_and_payouts_keep_the_ledger_exact(fake_gateway):
    # Given three developers paid out daily (immediate release) and accounts that already exist
    sellers = [
        SellerFactory(payout_interval=PayoutInterval.DAILY, escrow_hold_days=0, payout_minimum_usd=100)
        for _ in range(3)
    ]
    for seller in sellers:
        payout_account_set(
            seller=seller,
            currency="USD",
            method="stripe_connect",
            stripe_account_id=f"acct_{seller.pk:08d}",
            actor=None,
        )
    # warm-up: the first sale of each account (first-use creation is covered by the unit tests)
    warm, _ = create_paid_order(
        lines=[LineSpec(s, 1_000, tax=100, jurisdiction="DE") for s in sellers]
        + [LineSpec(platform_seller(), 10)],
        gateway="fake",
        paid_at=START - timedelta(days=1),
    )
    refund_create(order=warm)
    dispute_close(
        dispute=dispute_open(
            payment=warm.payments.get(), amount=1, reason="x", gateway_reference="warm", now=START
        ),
        won=False,
    )
    baseline = {
        "clearing": balance_of(AccountKind.GATEWAY_CLEARING, gateway="fake"),
    }

    # When eight threads buy, refund, dispute, release and pay out at once
    tally = Tally()
    barrier = threading.Barrier(THREADS)
    threads = [threading.Thread(target=_worker, args=(i, sellers, tally, barrier)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)

    # Then no thread failed (no deadlock, no constraint violation) ...
    assert not tally.errors, repr(tally.errors)

    # ... the ledger verifies, and the money is exactly what the threads did
    assert_ledger_clean()
    clearing = balance_of(AccountKind.GATEWAY_CLEARING, gateway="fake")
    money = tally.money
    assert (
        clearing - baseline["clearing"]
        == money["captured"] - money["fees"] - money["refunded"] - money["disputed_lost"]
    )
    assert (
        sum(Refund.objects.exclude(payment__order=warm).values_list("amount", flat=True)) == money["refunded"]
    )
    assert all(refund.state == Refund.State.SUCCEEDED for refund in Refund.objects.all())

    # ... and every payout was transferred exactly once, one per seller and day at most
    keys = [call["key"] for call in fake_gateway.transfer_calls]
    assert len(keys) == len(set(keys)) == Payout.objects.count()
    per_day = defaultdict(int)
    for payout in Payout.objects.exclude(state=Payout.State.FAILED):
        per_day[(payout.seller_id, payout.scheduled_for)] += 1
    assert max(per_day.values()) == 1
    assert Payout.objects.filter(state=Payout.State.PAID).count() == Payout.objects.count()
    paid = sum(Payout.objects.values_list("amount", flat=True))
    assert paid == -balance_of(AccountKind.PAYOUT_CLEARING, gateway="stripe")


def test_racing_refunds_of_one_order_never_pass_the_captured_amount(fake_gateway):
    # Given one $100 order and sixteen threads each refunding $15 of it at the same moment
    seller = SellerFactory()
    order, payment = create_paid_order(lines=[LineSpec(seller, 10_000)], gateway="fake")
    results: list[object] = []
    barrier = threading.Barrier(16)

    def refund_once():
        try:
            barrier.wait()
            results.append(refund_create(order=order, amount=1_500))
        except (ValidationError, InvalidState) as exc:
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=refund_once) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    # Then exactly six succeed (6 × 15 = 90 ≤ 100 < 105) and the rest are refused
    refunds = [r for r in results if isinstance(r, Refund)]
    assert len(results) == 16
    assert len(refunds) == 6
    payment.refresh_from_db()
    assert payment.refunded_amount == 9_000
    assert len(fake_gateway.refund_calls) == 6
    assert_ledger_clean()


def test_racing_replays_of_one_refund_key_refund_once(fake_gateway):
    seller = SellerFactory()
    order, _ = create_paid_order(lines=[LineSpec(seller, 10_000)], gateway="fake")
    results: list[object] = []
    barrier = threading.Barrier(8)

    def replay():
        try:
            barrier.wait()
            results.append(refund_create(order=order, amount=2_000, idempotency_key="same-key").pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=replay) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(results) == 8
    assert len(set(results)) == 1
    assert Refund.objects.count() == 1
    assert_ledger_clean()

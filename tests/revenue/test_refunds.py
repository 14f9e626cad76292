"""Refunds: full and partial, pro rata over every leg, mirrored at the gateway, idempotent by key."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from novacron.core.exceptions import Conflict, ValidationError
from novacron.core.models import AuditLog
from revenue import hooks
from revenue.exceptions import InvalidState
from revenue.models import AccountKind, JournalEntry, Order, OrderLine, Payment, Refund
from revenue.services.checkout import checkout_create
from revenue.services.escrow import escrow_release_due
from revenue.services.refunds import legs_allocate, refund_create, refund_settle, refunds_submit_pending
from tests.factories import UserFactory
from tests.revenue.factories import (
    LineSpec,
    ProductFactory,
    SellerFactory,
    assert_ledger_clean,
    balance_of,
    create_paid_order,
    drain_available,
    platform_seller,
)

pytestmark = pytest.mark.django_db

K = AccountKind


def test_full_refund_of_a_sale_in_escrow_empties_every_leg(fake_gateway, run_on_commit):
    # Given a $100 sale plus $19 tax from one developer (70/30), still in escrow
    seller = SellerFactory()
    order, payment = create_paid_order(
        lines=[LineSpec(seller, 10_000, tax=1_900, jurisdiction="DE")], gateway="fake"
    )

    # When the whole order is refunded
    with run_on_commit():
        refund = refund_create(order=order, reason="customer asked")

    # Then every account the sale credited is back to zero and the gateway was asked once, with our key
    refund.refresh_from_db()
    assert refund.state == Refund.State.SUCCEEDED
    assert refund.amount == 11_900
    assert balance_of(K.SELLER_PENDING, seller=seller) == 0
    assert balance_of(K.PLATFORM_REVENUE) == 0
    assert balance_of(K.TAX_PAYABLE, jurisdiction="DE") == 0
    assert balance_of(K.GATEWAY_CLEARING, gateway="fake") == 0
    line = order.lines.get()
    assert (line.refunded_seller, line.refunded_platform, line.refunded_tax) == (7_000, 3_000, 1_900)
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.refunded_amount == order.refunded_total == 11_900
    assert fake_gateway.refund_calls == [
        {
            "reference": payment.gateway_reference,
            "amount": 11_900,
            "currency": "USD",
            "key": f"refund:{refund.public_id}",
        }
    ]
    assert AuditLog.objects.filter(action="revenue.refund_create", object_id=str(refund.public_id)).exists()
    assert_ledger_clean()


def test_partials_then_the_rest_empty_every_leg_exactly(fake_gateway, run_on_commit):
    # Given an order from two developers and the platform, with tax in two jurisdictions (odd amounts)
    alice, bob = SellerFactory(), SellerFactory()
    order, _ = create_paid_order(
        lines=[
            LineSpec(alice, 3_333, tax=633, jurisdiction="DE"),
            LineSpec(bob, 1_001, tax=0),
            LineSpec(platform_seller(), 2_999, tax=570, jurisdiction="FR"),
        ],
        gateway="fake",
    )

    # When it is refunded in three odd partials and then in full
    with run_on_commit():
        for amount in (1, 997, 2_503):
            refund_create(order=order, amount=amount)
            assert_ledger_clean()
        last = refund_create(order=order)

    # Then the last refund took exactly what remained and nothing is left anywhere
    assert last.amount == 3_333 + 633 + 1_001 + 2_999 + 570 - 1 - 997 - 2_503
    for line in order.lines.all():
        assert line.refunded_seller == line.seller_amount
        assert line.refunded_platform == line.platform_amount
        assert line.refunded_tax == line.tax_amount
    for seller in (alice, bob):
        assert balance_of(K.SELLER_PENDING, seller=seller) == 0
    assert balance_of(K.PLATFORM_REVENUE) == 0
    assert balance_of(K.TAX_PAYABLE, jurisdiction="DE") == balance_of(K.TAX_PAYABLE, jurisdiction="FR") == 0
    assert balance_of(K.GATEWAY_CLEARING, gateway="fake") == 0
    with pytest.raises(InvalidState):
        refund_create(order=order, amount=1)
    assert_ledger_clean()


def test_allocation_is_largest_remainder_over_what_remains():
    # Given a line whose legs are 70/30 of 1000 plus 190 tax, 1 already refunded from the seller leg
    seller = SellerFactory()
    order, _ = create_paid_order(lines=[LineSpec(seller, 1_000, tax=190, jurisdiction="DE")])
    line = order.lines.get()
    line.refunded_seller = 1

    # When 100 is allocated: exact shares are 699/1189*100 = 58.78, 300/1189*100 = 25.23, 190/1189*100 = 15.98
    (share,) = legs_allocate(lines=[line], amount=100, currency="USD")

    # Then the floors (58, 25, 15) get the leftover 2 by largest remainder: tax (.98), then seller (.78)
    assert (share.seller, share.platform, share.tax) == (59, 25, 16)


def test_refund_above_what_remains_is_refused_and_writes_nothing(fake_gateway):
    seller = SellerFactory()
    order, _ = create_paid_order(lines=[LineSpec(seller, 5_000)], gateway="fake")
    entries = JournalEntry.objects.count()

    with pytest.raises(ValidationError) as excinfo:
        refund_create(order=order, amount=5_001)

    assert excinfo.value.field == "amount"
    assert JournalEntry.objects.count() == entries
    assert not Refund.objects.exists()


@pytest.mark.parametrize("amount", [0, -5, 1.5, True])
def test_refund_amount_must_be_positive_minor_units(amount):
    order, _ = create_paid_order(lines=[LineSpec(SellerFactory(), 5_000)])
    with pytest.raises(ValidationError):
        refund_create(order=order, amount=amount)


def test_released_sale_refund_takes_available_then_receivable(fake_gateway, run_on_commit):
    # Given a released $100 sale (seller got $70 available) and the seller already paid most of it out
    seller = SellerFactory()
    now = timezone.now()
    order, _ = create_paid_order(
        lines=[LineSpec(seller, 10_000)], gateway="fake", paid_at=now - timedelta(days=20)
    )
    assert escrow_release_due(now=now) == 1
    assert balance_of(K.SELLER_AVAILABLE, seller=seller) == 7_000
    drain_available(seller, 6_000)

    # When the buyer gets a full refund
    with run_on_commit():
        refund_create(order=order)

    # Then available gives its 1000 and the remaining 6000 becomes the seller's receivable
    assert balance_of(K.SELLER_AVAILABLE, seller=seller) == 0
    assert balance_of(K.SELLER_RECEIVABLE, seller=seller) == 6_000
    assert balance_of(K.SELLER_PENDING, seller=seller) == 0


def test_gateway_refusal_reverses_the_posting(fake_gateway, run_on_commit):
    # Given a sale and a gateway that refuses the refund
    seller = SellerFactory()
    order, payment = create_paid_order(lines=[LineSpec(seller, 10_000)], gateway="fake")
    fake_gateway.refund_outcomes = ["failed"]

    # When a refund is asked for
    with run_on_commit():
        refund = refund_create(order=order, amount=4_000)

    # Then the refund failed, a reversing entry gave everything back, and the totals are restored
    refund.refresh_from_db()
    assert refund.state == Refund.State.FAILED
    assert refund.reversal_entry.reverses_id == refund.entry_id
    assert balance_of(K.SELLER_PENDING, seller=seller) == 7_000
    assert balance_of(K.PLATFORM_REVENUE) == 3_000
    assert balance_of(K.GATEWAY_CLEARING, gateway="fake") == 10_000
    payment.refresh_from_db()
    assert payment.refunded_amount == 0
    assert order.lines.get().refunded_seller == 0
    assert_ledger_clean()

    # And the whole amount can still be refunded
    with run_on_commit():
        assert refund_create(order=order).amount == 10_000
    assert_ledger_clean()


def test_no_answer_leaves_the_refund_pending_until_resubmitted_with_the_same_key(fake_gateway, run_on_commit):
    # Given a gateway that times out on the first call
    seller = SellerFactory()
    order, _ = create_paid_order(lines=[LineSpec(seller, 10_000)], gateway="fake")
    fake_gateway.refund_outcomes = ["raise"]

    with run_on_commit():
        refund = refund_create(order=order, amount=2_500)

    # Then it stays pending, the money is reserved (posted) so nothing can refund it twice
    refund.refresh_from_db()
    assert refund.state == Refund.State.PENDING
    assert balance_of(K.GATEWAY_CLEARING, gateway="fake") == 7_500
    with pytest.raises(ValidationError):
        refund_create(order=order, amount=7_501)

    # When the retry task runs
    assert refunds_submit_pending(older_than_seconds=0, now=timezone.now() + timedelta(minutes=5)) == 1

    # Then the gateway saw the same key twice and the refund succeeded
    refund.refresh_from_db()
    assert refund.state == Refund.State.SUCCEEDED
    assert [call["key"] for call in fake_gateway.refund_calls] == [f"refund:{refund.public_id}"] * 2
    assert_ledger_clean()


def test_refusal_after_the_line_was_released_returns_the_money_to_available(fake_gateway, run_on_commit):
    # Given a refund posted while the line was in escrow, with no answer from the gateway yet
    seller = SellerFactory()
    now = timezone.now()
    order, _ = create_paid_order(
        lines=[LineSpec(seller, 10_000)], gateway="fake", paid_at=now - timedelta(days=13)
    )
    fake_gateway.refund_outcomes = ["raise"]
    with run_on_commit():
        refund = refund_create(order=order, amount=1_000)
    assert balance_of(K.SELLER_PENDING, seller=seller) == 6_300

    # When the line is released (6300 to available) and then the gateway refuses the refund
    assert escrow_release_due(now=now + timedelta(days=2)) == 1
    refund_settle(refund=refund, succeeded=False, failure_message="charge too old")

    # Then the seller's 700 goes back to available (where it is owed now), not to pending
    assert balance_of(K.SELLER_PENDING, seller=seller) == 0
    assert balance_of(K.SELLER_AVAILABLE, seller=seller) == 7_000
    assert_ledger_clean()


def test_same_key_returns_the_same_refund(fake_gateway, run_on_commit):
    seller = SellerFactory()
    order, _ = create_paid_order(lines=[LineSpec(seller, 10_000)], gateway="fake")
    with run_on_commit():
        first = refund_create(order=order, amount=1_000, idempotency_key="k-1")
        again = refund_create(order=order, amount=1_000, idempotency_key="k-1")
        implicit = refund_create(order=order, idempotency_key="k-1")

    assert first.pk == again.pk == implicit.pk
    assert Refund.objects.count() == 1
    assert JournalEntry.objects.filter(kind=JournalEntry.Kind.REFUND).count() == 1
    assert len(fake_gateway.refund_calls) == 1
    with pytest.raises(Conflict):
        refund_create(order=order, amount=2_000, idempotency_key="k-1")
    other, _ = create_paid_order(lines=[LineSpec(seller, 10_000)], gateway="fake")
    with pytest.raises(Conflict):
        refund_create(order=other, amount=1_000, idempotency_key="k-1")


def test_gateway_is_only_asked_once_the_posting_commits(fake_gateway, run_on_commit):
    # Given a caller that refunds inside its own transaction which then rolls back
    seller = SellerFactory()
    order, _ = create_paid_order(lines=[LineSpec(seller, 10_000)], gateway="fake")

    class Abort(Exception):
        pass

    def refund_then_abort():
        with transaction.atomic():
            refund_create(order=order, amount=1_000)
            raise Abort

    with run_on_commit(), pytest.raises(Abort):
        refund_then_abort()

    # Then the gateway was never asked and nothing was written
    assert fake_gateway.refund_calls == []
    assert not Refund.objects.exists()
    assert Payment.objects.get().refunded_amount == 0


def test_on_refunded_hook_runs_on_commit_with_the_refunded_part(fake_gateway, run_on_commit):
    # Given an item type that records refunds
    received = []
    hooks.register_item_type(
        hooks.ItemType(name="test.hooked", resolve=lambda **kw: None, on_refunded=received.append)
    )
    seller = SellerFactory()
    order, _ = create_paid_order(
        lines=[LineSpec(seller, 10_000, item_type="test.hooked", item_id="42")], gateway="fake"
    )

    # When part of it is refunded, then the rest
    with run_on_commit():
        refund_create(order=order, amount=2_500)
    assert len(received) == 1
    with run_on_commit():
        refund_create(order=order)

    # Then the hook saw each refunded net part, and the second one as a full refund
    assert [sold.net_amount for sold in received] == [2_500, 7_500]
    assert [sold.item_id for sold in received] == ["42", "42"]
    assert [sold.metadata["fully_refunded"] for sold in received] == [False, True]
    assert received[0].order_line_id == OrderLine.objects.get().pk


def test_bank_transfer_refund_stays_pending_until_settled(fake_gateway, run_on_commit):
    seller = SellerFactory()
    order, _ = create_paid_order(lines=[LineSpec(seller, 10_000)], gateway="fake")
    fake_gateway.refund_outcomes = ["pending"]
    with run_on_commit():
        refund = refund_create(order=order, amount=500)
    refund.refresh_from_db()
    assert refund.state == Refund.State.PENDING
    assert refund.submitted_at is not None
    assert refunds_submit_pending(older_than_seconds=0) == 0  # accepted: not asked again

    settled = refund_settle(refund=refund, succeeded=True)
    assert settled.state == Refund.State.SUCCEEDED
    assert refund_settle(refund=refund, succeeded=False).state == Refund.State.SUCCEEDED  # settled once
    assert_ledger_clean()


def test_refund_through_the_local_test_gateway(run_on_commit):
    seller = SellerFactory()
    order, _ = create_paid_order(lines=[LineSpec(seller, 4_242)], gateway="local_test")
    with run_on_commit():
        refund = refund_create(order=order)
    refund.refresh_from_db()
    assert refund.state == Refund.State.SUCCEEDED
    assert refund.gateway_reference.startswith("lt_re_")
    assert_ledger_clean()


def test_checkout_then_partial_and_full_refunds_through_the_local_gateway(local_gateways, run_on_commit):
    # Given a paid checkout of two products through the local test gateway (the default set-up)
    seller = SellerFactory()
    product = ProductFactory(seller=seller, unit_amount=4_999, currency="USD")
    with run_on_commit():
        order = checkout_create(
            buyer=UserFactory(),
            items=[("revenue.product", str(product.public_id), 2)],
            currency="USD",
            payment_method="4242 4242 4242 4242",
        )
    assert order.state == Order.State.PAID
    fee = Payment.objects.get(order=order).fee_amount

    # When it is refunded in part, then in full
    with run_on_commit():
        first = refund_create(order=order, amount=1_234)
        rest = refund_create(order=order)

    # Then both succeeded at the gateway, the legs are empty and only the gateway's fee remains spent
    first.refresh_from_db()
    rest.refresh_from_db()
    assert (first.state, rest.state) == (Refund.State.SUCCEEDED, Refund.State.SUCCEEDED)
    assert first.amount + rest.amount == 9_998
    assert balance_of(K.SELLER_PENDING, seller=seller) == 0
    assert balance_of(K.PLATFORM_REVENUE) == 0
    assert balance_of(K.GATEWAY_CLEARING, gateway="local_test") == -fee
    assert_ledger_clean()


def test_a_payment_whose_sale_is_not_posted_cannot_be_refunded_or_disputed():
    # Given a captured payment whose sale is not in the ledger yet (its recording is still in flight)
    from revenue.services.disputes import dispute_open

    buyer = UserFactory()
    order = Order.objects.create(
        buyer=buyer, currency="USD", subtotal=1_000, total=1_000, gateway="local_test"
    )
    payment = Payment.objects.create(
        order=order, gateway="local_test", amount=1_000, currency="USD", state=Payment.State.SUCCEEDED
    )

    # Then it can be neither refunded nor disputed until it is posted
    with pytest.raises(InvalidState) as excinfo:
        refund_create(order=order)
    assert excinfo.value.code == "not_posted"
    with pytest.raises(InvalidState):
        dispute_open(payment=payment, amount=100, reason="x", gateway_reference="dp_unposted")
    assert not JournalEntry.objects.exists()

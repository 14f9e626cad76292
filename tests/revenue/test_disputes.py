"""Disputes: opened (funds held, seller's share clawed back), won (reversed), lost (platform loss); replays."""

from datetime import timedelta

import pytest
from django.utils import timezone

from novacron.core.exceptions import Conflict, ValidationError
from novacron.core.models import AuditLog
from revenue.exceptions import InvalidState
from revenue.models import AccountKind, Dispute, JournalEntry
from revenue.services.disputes import dispute_add_evidence, dispute_close, dispute_open
from revenue.services.escrow import escrow_release_due
from revenue.services.refunds import refund_create
from tests.factories import UserFactory
from tests.revenue.factories import (
    LineSpec,
    SellerFactory,
    assert_ledger_clean,
    balance_of,
    create_paid_order,
    drain_available,
    platform_seller,
)

pytestmark = pytest.mark.django_db

K = AccountKind


def _sale(seller, net=10_000, tax=0, **kwargs):
    return create_paid_order(
        lines=[LineSpec(seller, net, tax=tax, jurisdiction="DE" if tax else "")], gateway="fake", **kwargs
    )


def test_open_holds_platform_and_tax_and_claws_back_the_sellers_share():
    # Given a $100 + $19 tax sale in escrow
    seller = SellerFactory()
    order, payment = _sale(seller, tax=1_900)

    # When the buyer disputes all of it
    dispute = dispute_open(payment=payment, amount=11_900, reason="fraudulent", gateway_reference="dp_1")

    # Then clearing lost it all, platform+tax is held, the seller's 7000 left pending
    assert balance_of(K.GATEWAY_CLEARING, gateway="fake") == 0
    assert balance_of(K.DISPUTES_HELD) == 3_000 + 1_900
    assert balance_of(K.SELLER_PENDING, seller=seller) == 0
    line = order.lines.get()
    assert (line.clawed_seller, line.disputed_platform, line.disputed_tax) == (7_000, 3_000, 1_900)
    payment.refresh_from_db()
    assert payment.disputed_amount == 11_900
    assert dispute.state == Dispute.State.NEEDS_RESPONSE
    assert dispute.evidence_due_by > timezone.now()
    assert_ledger_clean()


def test_open_is_idempotent_on_the_gateway_reference():
    seller = SellerFactory()
    _, payment = _sale(seller)
    first = dispute_open(payment=payment, amount=5_000, reason="fraudulent", gateway_reference="dp_1")
    again = dispute_open(payment=payment, amount=5_000, reason="fraudulent", gateway_reference="dp_1")

    assert first.pk == again.pk
    assert JournalEntry.objects.filter(kind=JournalEntry.Kind.DISPUTE_OPENED).count() == 1
    _, other = _sale(seller)
    with pytest.raises(Conflict):
        dispute_open(payment=other, amount=100, reason="x", gateway_reference="dp_1")


def test_won_reverses_everything():
    seller = SellerFactory()
    order, payment = _sale(seller, tax=1_900)
    dispute = dispute_open(payment=payment, amount=6_000, reason="fraudulent", gateway_reference="dp_1")

    dispute_close(dispute=dispute, won=True, actor=UserFactory())

    assert balance_of(K.GATEWAY_CLEARING, gateway="fake") == 11_900
    assert balance_of(K.DISPUTES_HELD) == 0
    assert balance_of(K.SELLER_PENDING, seller=seller) == 7_000
    line = order.lines.get()
    assert (line.clawed_seller, line.disputed_platform, line.disputed_tax) == (0, 0, 0)
    dispute.refresh_from_db()
    assert dispute.state == Dispute.State.WON
    assert dispute.closed_entry.reverses_id == dispute.opened_entry_id
    assert AuditLog.objects.filter(action="revenue.dispute_close").exists()
    assert_ledger_clean()


def test_lost_books_a_platform_loss_and_the_clawback_stays():
    seller = SellerFactory()
    order, payment = _sale(seller, tax=1_900)
    dispute = dispute_open(payment=payment, amount=11_900, reason="fraudulent", gateway_reference="dp_1")

    dispute_close(dispute=dispute, won=False)

    assert balance_of(K.DISPUTES_HELD) == 0
    assert balance_of(K.DISPUTE_LOSSES) == 4_900
    assert balance_of(K.SELLER_PENDING, seller=seller) == 0
    assert order.lines.get().clawed_seller == 7_000
    # nothing is left to refund
    with pytest.raises(InvalidState):
        refund_create(order=order)
    assert_ledger_clean()


def test_close_is_idempotent_and_cannot_flip():
    seller = SellerFactory()
    _, payment = _sale(seller)
    dispute = dispute_open(payment=payment, amount=1_000, reason="x", gateway_reference="dp_1")
    dispute_close(dispute=dispute, won=False)
    dispute_close(dispute=dispute, won=False)

    assert JournalEntry.objects.filter(kind=JournalEntry.Kind.DISPUTE_LOST).count() == 1
    with pytest.raises(InvalidState):
        dispute_close(dispute=dispute, won=True)
    assert_ledger_clean()


def test_released_sale_clawback_uses_available_then_receivable_and_a_win_pays_the_receivable_first():
    # Given a released sale whose seller has only 1000 of its 7000 left in available
    seller = SellerFactory()
    now = timezone.now()
    _, payment = _sale(seller, paid_at=now - timedelta(days=30))
    escrow_release_due(now=now)
    drain_available(seller, 6_000)

    # When the whole sale is disputed
    dispute = dispute_open(payment=payment, amount=10_000, reason="fraudulent", gateway_reference="dp_1")

    # Then 1000 comes from available and 6000 becomes receivable
    assert balance_of(K.SELLER_AVAILABLE, seller=seller) == 0
    assert balance_of(K.SELLER_RECEIVABLE, seller=seller) == 6_000
    assert_ledger_clean()

    # When the dispute is won, the seller's 7000 pays the receivable off first, the rest is available
    dispute_close(dispute=dispute, won=True)
    assert balance_of(K.SELLER_RECEIVABLE, seller=seller) == 0
    assert balance_of(K.SELLER_AVAILABLE, seller=seller) == 1_000
    assert_ledger_clean()


def test_dispute_opened_in_escrow_and_won_after_release_returns_to_available():
    seller = SellerFactory()
    now = timezone.now()
    order, payment = _sale(seller, paid_at=now - timedelta(days=10))
    dispute = dispute_open(payment=payment, amount=5_000, reason="x", gateway_reference="dp_1", now=now)
    escrow_release_due(now=now + timedelta(days=5))
    assert order.lines.get().released_amount == 3_500  # 7000 minus the 3500 clawed back

    dispute_close(dispute=dispute, won=True, now=now + timedelta(days=6))

    assert balance_of(K.SELLER_PENDING, seller=seller) == 0
    assert balance_of(K.SELLER_AVAILABLE, seller=seller) == 7_000
    assert_ledger_clean()


def test_refunds_and_disputes_share_what_remains():
    seller = SellerFactory()
    order, payment = _sale(seller)
    dispute_open(payment=payment, amount=4_000, reason="x", gateway_reference="dp_1")

    with pytest.raises(ValidationError):
        refund_create(order=order, amount=6_001)
    refund_create(order=order, amount=6_000)
    with pytest.raises(ValidationError):
        dispute_open(payment=payment, amount=6_001, reason="x", gateway_reference="dp_2")
    assert_ledger_clean()


def test_dispute_after_a_full_refund_holds_the_excess_as_the_platforms():
    # Given a fully refunded sale (the gateway can still open a dispute on it)
    seller = SellerFactory()
    order, payment = _sale(seller)
    refund_create(order=order)

    # When the gateway withdraws 3000 for a dispute
    dispute = dispute_open(payment=payment, amount=3_000, reason="x", gateway_reference="dp_1")

    # Then all of it is held (no leg has anything left) and the seller is untouched
    assert dispute.allocation["unallocated"] == 3_000
    assert balance_of(K.DISPUTES_HELD) == 3_000
    assert balance_of(K.SELLER_RECEIVABLE, seller=seller) == 0
    assert_ledger_clean()
    dispute_close(dispute=dispute, won=False)
    assert balance_of(K.DISPUTE_LOSSES) == 3_000
    assert_ledger_clean()


def test_platform_items_are_held_in_full():
    _, payment = create_paid_order(lines=[LineSpec(platform_seller(), 5_000)], gateway="fake")
    dispute = dispute_open(payment=payment, amount=5_000, reason="x", gateway_reference="dp_1")
    assert balance_of(K.DISPUTES_HELD) == 5_000
    dispute_close(dispute=dispute, won=True)
    assert balance_of(K.PLATFORM_REVENUE) == 5_000
    assert_ledger_clean()


def test_evidence_before_the_deadline_only():
    seller = SellerFactory()
    _, payment = _sale(seller)
    now = timezone.now()
    dispute = dispute_open(
        payment=payment,
        amount=1_000,
        reason="x",
        gateway_reference="dp_1",
        evidence_due_by=now + timedelta(days=3),
    )
    staff = UserFactory()

    dispute = dispute_add_evidence(dispute=dispute, notes="Delivery log attached.", actor=staff, now=now)
    dispute = dispute_add_evidence(dispute=dispute, notes="Licence key used 12 times.", actor=staff, now=now)

    assert dispute.state == Dispute.State.UNDER_REVIEW
    assert "Delivery log attached." in dispute.evidence_notes
    assert "Licence key used 12 times." in dispute.evidence_notes
    assert staff.email in dispute.evidence_notes
    assert AuditLog.objects.filter(action="revenue.dispute_add_evidence").count() == 2
    with pytest.raises(InvalidState) as excinfo:
        dispute_add_evidence(dispute=dispute, notes="late", actor=staff, now=now + timedelta(days=4))
    assert excinfo.value.code == "evidence_deadline_passed"
    with pytest.raises(ValidationError):
        dispute_add_evidence(dispute=dispute, notes="  ", actor=staff, now=now)

"""Quote → accept → pay → deliver → accept: the partner's share waits in escrow until the buyer accepts, then
moves to available; the time-based escrow release never touches it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from revenue.models import AccountKind, JournalEntry, Order, ServiceMilestone, ServiceRequest
from revenue.services.escrow import escrow_release_due
from revenue.services.partner_milestones import milestone_accept, milestone_deliver
from tests.revenue.factories import assert_ledger_clean, balance_of
from tests.revenue.partners.factories import accepted_quote

pytestmark = pytest.mark.django_db
K = AccountKind


def test_milestone_funds_stay_pending_until_the_buyer_accepts(pay):
    # given an accepted quote of two milestones (300.00 and 700.00)
    request, _quote, (first, second) = accepted_quote()
    seller = request.partner.seller
    assert request.state == ServiceRequest.State.ACTIVE

    # when the buyer pays the first milestone
    order = pay(first, request.buyer)

    # then it is funded by its own order and the partner's 70% share sits in pending
    assert order.state == Order.State.PAID
    assert first.state == ServiceMilestone.State.FUNDED
    assert first.order_line.order_id == order.pk
    assert order.lines.get().net_amount == 30_000
    assert balance_of(K.SELLER_PENDING, seller=seller) == 21_000
    assert balance_of(K.SELLER_AVAILABLE, seller=seller) == 0

    # and the time-based escrow release skips it, however late
    assert escrow_release_due(now=timezone.now() + timedelta(days=365)) == 0
    assert balance_of(K.SELLER_PENDING, seller=seller) == 21_000

    # when the partner delivers and the buyer accepts
    milestone_deliver(milestone=first, actor=request.partner.contact, note="Done")
    first = milestone_accept(milestone=first, actor=request.buyer)

    # then the share moves to available with one release entry, and the order is still in progress
    assert first.state == ServiceMilestone.State.RELEASED
    assert first.released_by == ServiceMilestone.ReleasedBy.BUYER
    assert balance_of(K.SELLER_PENDING, seller=seller) == 0
    assert balance_of(K.SELLER_AVAILABLE, seller=seller) == 21_000
    line = first.order_line
    line.refresh_from_db()
    assert line.released_amount == 21_000
    assert (
        JournalEntry.objects.filter(
            kind=JournalEntry.Kind.RELEASE, idempotency_key=f"release:{line.pk}"
        ).count()
        == 1
    )
    request.refresh_from_db()
    assert request.state == ServiceRequest.State.ACTIVE

    # when the second milestone runs through the same way, the order completes
    pay(second, request.buyer)
    milestone_deliver(milestone=second, actor=request.partner.contact)
    milestone_accept(milestone=second, actor=request.buyer)
    request.refresh_from_db()
    assert request.state == ServiceRequest.State.COMPLETED
    assert balance_of(K.SELLER_AVAILABLE, seller=seller) == 70_000
    assert_ledger_clean()


def test_accepting_twice_releases_once(pay):
    request, _, (milestone, _) = accepted_quote()
    pay(milestone, request.buyer)
    milestone_deliver(milestone=milestone, actor=request.partner.contact)

    milestone_accept(milestone=milestone, actor=request.buyer)
    again = milestone_accept(milestone=milestone, actor=request.buyer)

    assert again.state == ServiceMilestone.State.RELEASED
    assert JournalEntry.objects.filter(kind=JournalEntry.Kind.RELEASE).count() == 1
    assert balance_of(K.SELLER_AVAILABLE, seller=request.partner.seller) == 21_000
    assert_ledger_clean()


def test_a_milestone_cannot_be_paid_twice(pay):
    from revenue.exceptions import InvalidState

    request, _, (milestone, _) = accepted_quote()
    pay(milestone, request.buyer)

    with pytest.raises(InvalidState):
        pay(milestone, request.buyer)
    assert Order.objects.filter(buyer=request.buyer).count() == 1


def test_a_duplicate_payment_that_lands_anyway_is_refunded(pay, django_capture_on_commit_callbacks):
    from revenue.services.partner_milestones import milestone_link_paid

    # given a milestone funded by one order, and a second paid order for it (two checkouts raced)
    request, _, (milestone, other) = accepted_quote()
    pay(milestone, request.buyer)
    pay(other, request.buyer)
    other.refresh_from_db()
    stray_line = other.order_line
    # when that order's line is linked to the already funded first milestone
    stray_line.item_id = str(milestone.public_id)
    stray_line.save(update_fields=["item_id"])
    with django_capture_on_commit_callbacks(execute=True):
        milestone_link_paid(order_line_id=stray_line.pk)

    # then the stray order is refunded in full and the milestone keeps its first order
    stray_line.order.refresh_from_db()
    assert stray_line.order.refunded_total == stray_line.order.total
    milestone.refresh_from_db()
    assert milestone.order_line_id != stray_line.pk
    assert_ledger_clean()


def test_a_declined_card_leaves_the_milestone_payable(pay):
    request, _, (milestone, _) = accepted_quote()

    order = pay(milestone, request.buyer, card="4000000000000002")

    assert order.state == Order.State.FAILED
    assert milestone.state == ServiceMilestone.State.AWAITING_PAYMENT
    assert pay(milestone, request.buyer).state == Order.State.PAID

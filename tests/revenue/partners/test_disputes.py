"""Disputes on a milestone: staff resolve by releasing to the partner, refunding the buyer, or splitting; the
refund is the revenue core's partial refund of that milestone's own order, and the ledger stays clean."""

import pytest

from novacron.core.exceptions import PermissionDenied, ValidationError
from revenue.exceptions import InvalidState
from revenue.models import AccountKind, Refund, ServiceDispute, ServiceMilestone, ServiceRequest
from revenue.services.partner_disputes import milestone_dispute_open, milestone_dispute_resolve
from revenue.services.partner_milestones import milestone_accept, milestone_deliver
from tests.revenue.factories import assert_ledger_clean, balance_of
from tests.revenue.partners.factories import accepted_quote

pytestmark = pytest.mark.django_db
K = AccountKind


@pytest.fixture
def disputed(pay):
    """First milestone (300.00) released, second (700.00) delivered and disputed."""
    request, _, (first, second) = accepted_quote()
    partner_user = request.partner.contact
    for milestone in (first, second):
        pay(milestone, request.buyer)
        milestone_deliver(milestone=milestone, actor=partner_user)
    milestone_accept(milestone=first, actor=request.buyer)
    dispute = milestone_dispute_open(milestone=second, actor=request.buyer, reason="The cut-over failed.")
    return request, first, second, dispute


def test_opening_a_dispute_holds_the_funds(disputed):
    request, _first, second, _dispute = disputed
    second.refresh_from_db()
    assert second.state == ServiceMilestone.State.DISPUTED
    assert second.auto_accept_at is None
    assert balance_of(K.SELLER_PENDING, seller=request.partner.seller) == 49_000
    with pytest.raises(InvalidState):
        milestone_accept(milestone=second, actor=request.buyer)


def test_split_refunds_part_of_that_milestone_only(disputed, finance_user, run_on_commit):
    request, first, second, dispute = disputed
    seller = request.partner.seller

    # when finance refunds 200.00 and releases the rest
    with run_on_commit():
        dispute = milestone_dispute_resolve(
            dispute=dispute,
            actor=finance_user,
            outcome="split",
            refund_amount=20_000,
            notes="Agreed on a call.",
        )

    # then the milestone's own order was refunded 200.00 and the rest of its share released
    assert dispute.state == ServiceDispute.State.RESOLVED
    assert dispute.refund_amount == 20_000
    dispute.refund.refresh_from_db()
    assert dispute.refund.state == Refund.State.SUCCEEDED
    second.refresh_from_db()
    second_order = second.order_line.order
    second_order.refresh_from_db()
    assert second_order.refunded_total == 20_000
    assert second.state == ServiceMilestone.State.RELEASED
    assert second.released_by == ServiceMilestone.ReleasedBy.STAFF
    # 70% of 700.00 minus 70% of the 200.00 refund, plus the first milestone's 210.00
    assert balance_of(K.SELLER_AVAILABLE, seller=seller) == 21_000 + 49_000 - 14_000
    assert balance_of(K.SELLER_PENDING, seller=seller) == 0
    # and the first milestone's order was not touched
    first.order_line.order.refresh_from_db()
    assert first.order_line.order.refunded_total == 0
    request.refresh_from_db()
    assert request.state == ServiceRequest.State.COMPLETED
    assert_ledger_clean()


def test_refund_gives_the_whole_milestone_back(disputed, finance_user, run_on_commit):
    request, _, second, dispute = disputed
    with run_on_commit():
        dispute = milestone_dispute_resolve(
            dispute=dispute, actor=finance_user, outcome="refund", notes="Not delivered."
        )

    second.refresh_from_db()
    assert second.state == ServiceMilestone.State.REFUNDED
    assert dispute.refund_amount == second.order_line.order.total
    assert balance_of(K.SELLER_PENDING, seller=request.partner.seller) == 0
    assert balance_of(K.SELLER_AVAILABLE, seller=request.partner.seller) == 21_000
    assert_ledger_clean()


def test_release_pays_the_partner_and_resolving_again_changes_nothing(disputed, finance_user):
    request, _, _second, dispute = disputed
    milestone_dispute_resolve(dispute=dispute, actor=finance_user, outcome="release", notes="Work was done.")
    again = milestone_dispute_resolve(dispute=dispute, actor=finance_user, outcome="release", notes="Twice")

    assert again.resolution_notes == "Work was done."
    assert Refund.objects.count() == 0
    assert balance_of(K.SELLER_AVAILABLE, seller=request.partner.seller) == 70_000
    with pytest.raises(InvalidState):
        milestone_dispute_resolve(
            dispute=dispute, actor=finance_user, outcome="refund", notes="Changed my mind"
        )
    assert_ledger_clean()


def test_bad_resolutions_are_refused_with_nothing_written(disputed, finance_user):
    request, _, _second, dispute = disputed
    with pytest.raises(PermissionDenied):
        milestone_dispute_resolve(dispute=dispute, actor=request.buyer, outcome="refund", notes="Me")
    with pytest.raises(ValidationError) as exc:
        milestone_dispute_resolve(
            dispute=dispute, actor=finance_user, outcome="split", refund_amount=70_000, notes="x"
        )
    assert exc.value.field == "refund_amount"
    with pytest.raises(ValidationError) as exc:
        milestone_dispute_resolve(dispute=dispute, actor=finance_user, outcome="refund", notes=" ")
    assert exc.value.field == "notes"
    dispute.refresh_from_db()
    assert dispute.state == ServiceDispute.State.OPEN
    assert Refund.objects.count() == 0


def test_only_funded_or_delivered_milestones_can_be_disputed(pay):
    request, _, (milestone, _) = accepted_quote()
    with pytest.raises(InvalidState):
        milestone_dispute_open(milestone=milestone, actor=request.buyer, reason="Not paid yet")
    pay(milestone, request.buyer)
    milestone_dispute_open(milestone=milestone, actor=request.buyer, reason="Late")
    with pytest.raises(InvalidState):
        milestone_dispute_open(milestone=milestone, actor=request.buyer, reason="Again")


def test_a_refund_made_outside_the_services_flow_shows_on_the_milestone(pay, finance_user, run_on_commit):
    from revenue.models import Order
    from revenue.services.refunds import refund_create

    request, _, (first, second) = accepted_quote()
    order = pay(first, request.buyer)
    pay(second, request.buyer)
    order = Order.objects.get(public_id=order.public_id)
    # a partial goodwill refund from finance's refund page: the figure follows, the milestone stays funded
    with run_on_commit():
        refund_create(order=order, amount=5_000, reason="goodwill", actor=finance_user)
    first.refresh_from_db()
    assert (first.refunded_amount, first.state) == (5_000, ServiceMilestone.State.FUNDED)
    # the rest refunded: the milestone is closed as refunded, the other one still runs
    with run_on_commit():
        refund_create(order=order, amount=None, reason="cancelled", actor=finance_user)
    first.refresh_from_db()
    order.refresh_from_db()
    assert (first.refunded_amount, first.state) == (order.total, ServiceMilestone.State.REFUNDED)
    request.refresh_from_db()
    assert request.state != ServiceRequest.State.COMPLETED
    assert_ledger_clean()

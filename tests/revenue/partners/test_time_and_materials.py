"""Time and materials: a T&M milestone is paid at its estimated hours; on acceptance the approved hours are billed
and the unused part refunded to the buyer from that milestone's own order."""

from datetime import date
from decimal import Decimal

import pytest

from novacron.core.exceptions import PermissionDenied, ValidationError
from revenue.exceptions import InvalidState
from revenue.models import AccountKind, ServiceMilestone, ServiceTimeEntry
from revenue.services.partner_hours import time_entry_decide, time_entry_log
from revenue.services.partner_milestones import milestone_accept, milestone_deliver
from tests.revenue.factories import assert_ledger_clean, balance_of
from tests.revenue.partners.factories import TMListingFactory, accepted_quote

pytestmark = pytest.mark.django_db
K = AccountKind


@pytest.fixture
def tm(pay):
    """A funded T&M milestone: 10 estimated hours at 100.00/h (1,000.00)."""
    request, _quote, (milestone,) = accepted_quote(listing=TMListingFactory(), hours=[Decimal("10")])
    pay(milestone, request.buyer)
    return request, milestone


def test_quote_prices_milestones_at_the_hourly_rate():
    _, quote, (milestone,) = accepted_quote(listing=TMListingFactory(), hours=[Decimal("12.5")])
    assert quote.hourly_rate == 10_000
    assert milestone.amount == 125_000
    assert milestone.estimated_hours == Decimal("12.5")


def test_approved_hours_are_billed_and_the_rest_refunded(tm, run_on_commit):
    request, milestone = tm
    partner = request.partner.contact
    # given 4 h approved, 2 h rejected and 1.5 h still awaiting approval at acceptance
    approved = time_entry_log(
        milestone=milestone,
        actor=partner,
        work_date=date(2026, 1, 5),
        hours=Decimal("4"),
        description="Inventory",
    )
    rejected = time_entry_log(
        milestone=milestone,
        actor=partner,
        work_date=date(2026, 1, 6),
        hours=Decimal("2"),
        description="Travel",
    )
    time_entry_log(
        milestone=milestone,
        actor=partner,
        work_date=date(2026, 1, 7),
        hours=Decimal("1.5"),
        description="Cut-over",
    )
    time_entry_decide(entry=approved, actor=request.buyer, approve=True)
    time_entry_decide(entry=rejected, actor=request.buyer, approve=False)
    milestone_deliver(milestone=milestone, actor=partner)

    # when the buyer accepts
    with run_on_commit():
        milestone = milestone_accept(milestone=milestone, actor=request.buyer)

    # then 5.5 h (550.00) are billed: 450.00 refunded from this order, 70% of 550.00 released
    assert milestone.billed_hours == Decimal("5.5")
    order = milestone.order_line.order
    order.refresh_from_db()
    assert order.refunded_total == order.total * 45 // 100
    assert milestone.refunded_amount == order.refunded_total
    assert milestone.state == ServiceMilestone.State.RELEASED
    assert balance_of(K.SELLER_AVAILABLE, seller=request.partner.seller) == 38_500
    assert balance_of(K.SELLER_PENDING, seller=request.partner.seller) == 0
    assert ServiceTimeEntry.objects.filter(state=ServiceTimeEntry.State.APPROVED).count() == 2
    assert_ledger_clean()


def test_no_hours_means_a_full_refund(tm, run_on_commit):
    request, milestone = tm
    milestone_deliver(milestone=milestone, actor=request.partner.contact)
    with run_on_commit():
        milestone = milestone_accept(milestone=milestone, actor=request.buyer)
    assert milestone.state == ServiceMilestone.State.REFUNDED
    assert balance_of(K.SELLER_AVAILABLE, seller=request.partner.seller) == 0
    assert_ledger_clean()


def test_hours_beyond_the_estimate_are_refused(tm):
    request, milestone = tm
    partner = request.partner.contact
    time_entry_log(
        milestone=milestone, actor=partner, work_date=date(2026, 1, 5), hours=Decimal("8"), description="Work"
    )
    with pytest.raises(ValidationError) as exc:
        time_entry_log(
            milestone=milestone,
            actor=partner,
            work_date=date(2026, 1, 6),
            hours=Decimal("2.25"),
            description="More",
        )
    assert exc.value.field == "hours"
    with pytest.raises(ValidationError):
        time_entry_log(
            milestone=milestone,
            actor=partner,
            work_date=date(2026, 1, 6),
            hours=Decimal("25"),
            description="x",
        )


def test_only_the_partner_logs_and_only_the_buyer_approves(tm):
    request, milestone = tm
    with pytest.raises(PermissionDenied):
        time_entry_log(
            milestone=milestone,
            actor=request.buyer,
            work_date=date(2026, 1, 5),
            hours=Decimal("1"),
            description="x",
        )
    entry = time_entry_log(
        milestone=milestone,
        actor=request.partner.contact,
        work_date=date(2026, 1, 5),
        hours=Decimal("1"),
        description="x",
    )
    with pytest.raises(PermissionDenied):
        time_entry_decide(entry=entry, actor=request.partner.contact, approve=True)
    time_entry_decide(entry=entry, actor=request.buyer, approve=True)
    with pytest.raises(InvalidState):
        time_entry_decide(entry=entry, actor=request.buyer, approve=False)


def test_hours_are_not_logged_on_fixed_price_milestones(pay):
    request, _, (milestone, _) = accepted_quote()
    pay(milestone, request.buyer)
    with pytest.raises(InvalidState):
        time_entry_log(
            milestone=milestone,
            actor=request.partner.contact,
            work_date=date(2026, 1, 5),
            hours=Decimal("1"),
            description="x",
        )

"""Auto-accept: a delivered milestone the buyer neither accepts nor disputes is released by the beat task once the
window (REVENUE_SERVICES_AUTO_ACCEPT_DAYS after delivery) passes; running it again releases nothing twice."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from revenue.models import AccountKind, JournalEntry, ServiceMilestone
from revenue.services.partner_disputes import milestone_dispute_open
from revenue.services.partner_milestones import milestone_deliver, milestones_auto_accept_due
from revenue.tasks_partner_services import services_auto_accept
from tests.revenue.factories import assert_ledger_clean, balance_of
from tests.revenue.partners.factories import accepted_quote

pytestmark = pytest.mark.django_db
K = AccountKind


def test_beat_task_releases_after_the_window_and_only_once(pay, settings):
    # given a milestone delivered now, with a 14-day window
    settings.REVENUE_SERVICES_AUTO_ACCEPT_DAYS = 14
    request, _, (milestone, _) = accepted_quote()
    pay(milestone, request.buyer)
    delivered = timezone.now()
    milestone_deliver(milestone=milestone, actor=request.partner.contact, now=delivered)
    seller = request.partner.seller

    # when the task runs a minute before the window ends, nothing moves
    with mock.patch("django.utils.timezone.now", return_value=delivered + timedelta(days=14, minutes=-1)):
        assert services_auto_accept() == {"linked": 0, "released": 0}
    assert balance_of(K.SELLER_AVAILABLE, seller=seller) == 0

    # when it runs after the window, twice
    with mock.patch("django.utils.timezone.now", return_value=delivered + timedelta(days=14, minutes=1)):
        first = services_auto_accept()
        second = services_auto_accept()

    # then the milestone was released once, as auto-accepted
    assert first == {"linked": 0, "released": 1}
    assert second == {"linked": 0, "released": 0}
    milestone.refresh_from_db()
    assert milestone.state == ServiceMilestone.State.RELEASED
    assert milestone.released_by == ServiceMilestone.ReleasedBy.AUTO
    assert balance_of(K.SELLER_AVAILABLE, seller=seller) == 21_000
    assert JournalEntry.objects.filter(kind=JournalEntry.Kind.RELEASE).count() == 1
    assert_ledger_clean()


def test_window_comes_from_the_setting(pay, settings):
    settings.REVENUE_SERVICES_AUTO_ACCEPT_DAYS = 3
    request, _, (milestone, _) = accepted_quote()
    pay(milestone, request.buyer)
    now = timezone.now()
    milestone = milestone_deliver(milestone=milestone, actor=request.partner.contact, now=now)

    assert milestone.auto_accept_at == now + timedelta(days=3)
    assert milestones_auto_accept_due(now=now + timedelta(days=2)) == 0
    assert milestones_auto_accept_due(now=now + timedelta(days=3)) == 1


def test_a_disputed_milestone_is_never_auto_accepted(pay):
    request, _, (milestone, _) = accepted_quote()
    pay(milestone, request.buyer)
    now = timezone.now()
    milestone_deliver(milestone=milestone, actor=request.partner.contact, now=now)
    milestone_dispute_open(
        milestone=milestone, actor=request.buyer, reason="Half the jobs were not migrated."
    )

    assert milestones_auto_accept_due(now=now + timedelta(days=60)) == 0
    assert balance_of(K.SELLER_PENDING, seller=request.partner.seller) == 21_000


def test_an_undelivered_milestone_is_not_auto_accepted(pay):
    request, _, (milestone, _) = accepted_quote()
    pay(milestone, request.buyer)

    assert milestones_auto_accept_due(now=timezone.now() + timedelta(days=365)) == 0


def test_the_task_funds_a_milestone_whose_payment_hook_never_ran(django_capture_on_commit_callbacks):
    from revenue.services.partner_milestones import milestone_pay

    # given a paid milestone order whose on_paid hook was lost (callbacks not run)
    request, _, (milestone, _) = accepted_quote()
    with django_capture_on_commit_callbacks(execute=False):
        milestone_pay(milestone=milestone, actor=request.buyer, payment_method="4242424242424242")
    milestone.refresh_from_db()
    assert milestone.state == ServiceMilestone.State.AWAITING_PAYMENT

    # when the beat task runs, then the milestone is funded by that order
    assert services_auto_accept()["linked"] == 1
    milestone.refresh_from_db()
    assert milestone.state == ServiceMilestone.State.FUNDED
    assert services_auto_accept()["linked"] == 0

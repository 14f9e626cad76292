"""PostgreSQL: the buyer's acceptance and the auto-accept task (and a second acceptance) racing to release the same
milestone release it exactly once; the ledger stays clean."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from revenue.models import AccountKind, JournalEntry, ServiceMilestone
from revenue.services.partner_milestones import (
    milestone_accept,
    milestone_deliver,
    milestone_pay,
    milestones_auto_accept_due,
)
from tests.revenue.factories import assert_ledger_clean, balance_of
from tests.revenue.partners.factories import VISA, accepted_quote

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
THREADS = 6


def test_racing_releases_of_one_milestone_release_it_once():
    # given a delivered milestone past its auto-accept window
    request, _, (milestone, _) = accepted_quote()
    milestone_pay(milestone=milestone, actor=request.buyer, payment_method=VISA)
    milestone.refresh_from_db()
    assert milestone.state == ServiceMilestone.State.FUNDED
    delivered = timezone.now() - timedelta(days=30)
    milestone_deliver(milestone=milestone, actor=request.partner.contact, now=delivered)

    # when buyers' acceptances and auto-accept runs race on their own connections
    barrier = threading.Barrier(THREADS)
    results, errors = [], []

    def work(index):
        try:
            barrier.wait()
            if index % 2:
                results.append(milestones_auto_accept_due())
            else:
                milestone_accept(milestone=milestone, actor=request.buyer)
                results.append(0)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then nothing failed and the milestone was released exactly once
    assert errors == []
    milestone.refresh_from_db()
    assert milestone.state == ServiceMilestone.State.RELEASED
    assert JournalEntry.objects.filter(kind=JournalEntry.Kind.RELEASE).count() == 1
    assert balance_of(AccountKind.SELLER_AVAILABLE, seller=request.partner.seller) == 21_000
    assert balance_of(AccountKind.SELLER_PENDING, seller=request.partner.seller) == 0
    assert_ledger_clean()

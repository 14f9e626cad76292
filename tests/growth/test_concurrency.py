"""PostgreSQL: 500 buyers check out at once for 100 seats and exactly 100 tickets are sold. The control runs the
same harness with a deliberately naive reservation (count, then insert, no lock) and shows it oversells, so the
test is able to catch overselling.

Each worker thread has its own database connection (closed at the end of the thread). The server allows 100
connections shared with other test runs, so the 500 checkouts are spread over WORKERS threads (32 by default,
GROWTH_CONCURRENCY_CONNECTIONS to change it) that start every purchase together on a barrier; every checkout is
the full path: hold → revenue checkout (local gateway) → on_paid issuing the ticket."""

import os
import threading
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from growth.exceptions import SoldOut
from growth.models import Quota, Ticket, TicketHold
from growth.services.tickets import hold_create, hold_minutes, holds_checkout
from tests.growth.factories import ticketed_event

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BUYERS = 500
SEATS = 100
WORKERS = int(os.environ.get("GROWTH_CONCURRENCY_CONNECTIONS", "32"))  # connections; the server allows 100
CARD = "4242424242424242"


def _buyers(prefix):
    User = get_user_model()
    User.objects.bulk_create(
        User(email=f"{prefix}{i}@example.com", display_name=f"Buyer {i}") for i in range(BUYERS)
    )
    return list(User.objects.filter(email__startswith=prefix).order_by("pk"))


def _naive_hold(buyer, ticket_type):
    """The classic bug the real service avoids: check the seats sold on unlocked rows, take the payment, and
    only then write (the ticket is issued by on_paid) — nothing reserves the seat between check and write."""
    quota = ticket_type.quotas.get()
    if Ticket.objects.filter(ticket_type=ticket_type, state="valid").count() >= quota.size:
        raise SoldOut("sold out")
    with transaction.atomic():
        return TicketHold.objects.create(
            event=ticket_type.event,
            ticket_type=ticket_type,
            buyer=buyer,
            quantity=1,
            unit_amount=ticket_type.price,
            currency=ticket_type.currency,
            expires_at=timezone.now() + timezone.timedelta(minutes=hold_minutes()),
        )


def _real_hold(buyer, ticket_type):
    return hold_create(buyer=buyer, ticket_type=ticket_type, quantity=1)


def _run(reserve, ticket_type, buyers):
    """WORKERS threads, each on its own connection, buy for their share of the buyers. The threads meet on a
    barrier before every purchase, so each round's WORKERS checkouts start at the same instant — including the
    round in which the last seats go."""
    outcomes, errors, lock = [], [], threading.Lock()
    barrier = threading.Barrier(WORKERS)
    chunks = [buyers[i::WORKERS] for i in range(WORKERS)]
    rounds = max(len(chunk) for chunk in chunks)

    def work(chunk):
        try:
            for round_ in range(rounds):
                barrier.wait(timeout=120)
                if round_ >= len(chunk):
                    continue
                buyer = chunk[round_]
                try:
                    hold = reserve(buyer, ticket_type)
                    order = holds_checkout(buyer=buyer, holds=[hold], payment_method=CARD)
                    result = order.state
                except SoldOut:
                    result = "sold_out"
                with lock:
                    outcomes.append(result)
        except BaseException as exc:  # reported below: a thread must not die silently
            with lock:
                errors.append(exc)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:3]
    return outcomes


def test_500_concurrent_checkouts_for_100_seats_sell_exactly_100(record_property):
    event, quota, ticket_type = ticketed_event(seats=SEATS, price=1000)
    buyers = _buyers("real")

    outcomes = _run(_real_hold, ticket_type, buyers)

    record_property("outcomes", dict(Counter(outcomes)))
    assert len(outcomes) == BUYERS
    assert outcomes.count("paid") == SEATS
    assert outcomes.count("sold_out") == BUYERS - SEATS
    assert Ticket.objects.filter(event=event, state="valid").count() == SEATS
    quota.refresh_from_db()
    assert quota.used == SEATS
    assert TicketHold.objects.filter(ticket_type=ticket_type, state="paid").count() == SEATS


def test_control_naive_reservation_oversells_under_the_same_load(record_property):
    event, _, ticket_type = ticketed_event(seats=SEATS, price=1000)
    buyers = _buyers("naive")

    outcomes = _run(_naive_hold, ticket_type, buyers)

    sold = Ticket.objects.filter(event=event, state="valid").count()
    record_property("naive_sold", sold)  # in the JUnit XML report
    record_property("naive_outcomes", dict(Counter(outcomes)))
    assert outcomes.count("paid") == sold
    assert sold > SEATS, f"the naive reservation sold {sold}: the harness would not catch overselling"
    assert Quota.objects.get(pk=ticket_type.quotas.get().pk).used == 0  # it never even counted

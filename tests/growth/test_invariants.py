"""Capacity is never lost or double counted: after any sequence of holds, releases, expiries, payments, refunds
and waitlist offers, every quota's `used` equals the seats of its active and paid holds and never exceeds its
size, and valid tickets equal the seats of paid holds. Seeded random sequences, so a failure is reproducible."""

import random
from datetime import timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone

from growth import facade
from growth.exceptions import SoldOut, ValidationError
from growth.models import Quota, Ticket, TicketHold, TicketType
from growth.services.tickets import hold_create, hold_release, holds_checkout, holds_expire, waitlist_join
from revenue import facade as revenue
from tests.factories import UserFactory
from tests.growth.factories import ticketed_event

pytestmark = pytest.mark.django_db


def _check(event):
    for quota in Quota.objects.filter(event=event):
        types = TicketType.objects.filter(quotas=quota)
        seats = (
            TicketHold.objects.filter(ticket_type__in=types, state__in=["active", "paid"]).aggregate(
                n=Sum("quantity")
            )["n"]
            or 0
        )
        assert quota.used == seats, quota
        assert quota.used <= quota.size
    paid = TicketHold.objects.filter(event=event, state="paid").aggregate(n=Sum("quantity"))["n"] or 0
    assert Ticket.objects.filter(event=event, state="valid").count() == paid


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_operations_keep_the_quota_counters_exact(seed, django_capture_on_commit_callbacks):
    rng = random.Random(seed)
    event, venue, regular = ticketed_event(seats=6, price=1000)
    student = TicketType.objects.create(event=event, name="Student", price=300, kind="student")
    student.quotas.add(venue, Quota.objects.create(event=event, name="Students", size=3))
    users = [UserFactory() for _ in range(6)]
    clock = timezone.now()
    for _ in range(60):
        user, ticket_type = rng.choice(users), rng.choice([regular, student])
        action = rng.choice(["hold", "hold", "pay", "release", "expire", "refund", "waitlist"])
        with django_capture_on_commit_callbacks(execute=True):
            try:
                if action == "hold":
                    hold_create(buyer=user, ticket_type=ticket_type, quantity=rng.randint(1, 3), now=clock)
                elif action == "waitlist":
                    waitlist_join(user=user, ticket_type=ticket_type)
                elif action in ("pay", "release"):
                    hold = TicketHold.objects.filter(
                        buyer=user, state="active", expires_at__gt=timezone.now()
                    ).first()
                    if hold and action == "pay":
                        holds_checkout(buyer=user, holds=[hold], payment_method="4242424242424242")
                    elif hold:
                        hold_release(hold=hold, actor=user)
                elif action == "expire":
                    clock += timedelta(minutes=rng.choice([5, 40]))
                    holds_expire(now=clock)
                elif action == "refund":
                    paid = TicketHold.objects.filter(event=event, state="paid").first()
                    if paid:
                        revenue.refund(order_id=paid.order_id)
            except (SoldOut, ValidationError):
                pass
        _check(event)


def test_facade_reads():
    from tests.growth.factories import EventFactory

    event = EventFactory(capacity=5)
    user = UserFactory()
    from growth.services.chapters import chapter_join
    from growth.services.rsvps import rsvp_check_in, rsvp_create

    chapter_join(chapter=event.chapter, user=user)
    rsvp = rsvp_create(event=event, user=user)
    assert [e.slug for e in facade.upcoming_events_of_user(user.pk)] == [event.slug]
    assert [c.slug for c in facade.chapters_of_user(user.pk)] == [event.chapter.slug]
    assert facade.user_attended(user.pk, event.slug) is False
    rsvp_check_in(rsvp=rsvp, actor=None)
    assert facade.user_attended(user.pk, event.slug) is True
    assert facade.upcoming_events_of_user(UserFactory().pk) == []

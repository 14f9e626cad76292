"""Tickets through revenue: holds reserve quota, checkout issues tickets once, refunds void them and free the
seats, expired holds free theirs, vouchers price the hold, the waitlist gets offers that expire and pass on."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from growth.exceptions import SoldOut, ValidationError
from growth.models import RSVP, Quota, Ticket, TicketHold, TicketType, TicketWaitlistEntry, Voucher
from growth.services.tickets import (
    hold_create,
    hold_release,
    holds_checkout,
    holds_expire,
    on_paid,
    resolve,
    waitlist_join,
)
from revenue import facade as revenue
from tests.factories import UserFactory
from tests.growth.factories import EventFactory, organiser_of, ticketed_event

pytestmark = pytest.mark.django_db
CARD = "4242424242424242"


def _buy(user, ticket_type, quantity=1, capture=None, **kwargs):
    hold = hold_create(buyer=user, ticket_type=ticket_type, quantity=quantity, **kwargs)
    with capture(execute=True):
        order = holds_checkout(buyer=user, holds=[hold], payment_method=CARD)
    return hold, order


def test_checkout_issues_tickets_once_and_marks_the_buyer_going(django_capture_on_commit_callbacks):
    event, quota, ticket_type = ticketed_event(seats=10, price=5000)
    buyer = UserFactory()
    hold, order = _buy(buyer, ticket_type, 2, capture=django_capture_on_commit_callbacks)

    assert order.state == "paid"
    assert order.total == 10000
    assert order.lines[0].seller_id == revenue.platform_seller_id()
    hold.refresh_from_db()
    assert hold.state == "paid"
    assert hold.order_id == str(order.public_id)
    assert Ticket.objects.filter(hold=hold, state="valid").count() == 2
    assert RSVP.objects.get(event=event, user=buyer).state == "going"
    quota.refresh_from_db()
    assert quota.used == 2
    assert any("Your tickets" in m.subject for m in mail.outbox)

    line = revenue.SoldLine(
        order_id=str(order.public_id),
        order_line_id=order.lines[0].id,
        buyer_id=buyer.pk,
        organization_id=None,
        item_type="growth.ticket",
        item_id=str(hold.public_id),
        quantity=2,
        net_amount=10000,
        currency="USD",
        metadata={},
    )
    on_paid(line)  # a retried hook
    assert Ticket.objects.filter(hold=hold).count() == 2
    quota.refresh_from_db()
    assert quota.used == 2


def test_chapter_events_sell_as_the_organisers_seller(django_capture_on_commit_callbacks):
    from tests.growth.factories import ChapterFactory

    chapter = ChapterFactory()
    organiser = organiser_of(chapter)
    _, _, ticket_type = ticketed_event(chapter=chapter, created_by=organiser)
    _, order = _buy(UserFactory(), ticket_type, capture=django_capture_on_commit_callbacks)
    assert order.lines[0].seller_id == revenue.seller_for_user(organiser.pk, "x", kind="organiser")


def test_sold_out_when_any_shared_quota_is_full():
    event, venue, in_person = ticketed_event(seats=2)
    student = TicketType.objects.create(event=event, name="Student", price=100, kind="student")
    students_only = Quota.objects.create(event=event, name="Student allowance", size=10)
    student.quotas.add(venue, students_only)
    hold_create(buyer=UserFactory(), ticket_type=in_person, quantity=1)
    hold_create(buyer=UserFactory(), ticket_type=student, quantity=1)
    with pytest.raises(SoldOut):
        hold_create(buyer=UserFactory(), ticket_type=student, quantity=1)
    with pytest.raises(SoldOut):
        hold_create(buyer=UserFactory(), ticket_type=in_person, quantity=1)
    students_only.refresh_from_db()
    venue.refresh_from_db()
    assert (venue.used, students_only.used) == (2, 1)


def test_resolver_prices_only_the_buyers_active_holds():
    _, _, ticket_type = ticketed_event(seats=5, price=2500)
    buyer, other = UserFactory(), UserFactory()
    hold = hold_create(buyer=buyer, ticket_type=ticket_type, quantity=2)
    priced = resolve(item_id=str(hold.public_id), quantity=2, buyer_id=buyer.pk, currency="USD")
    assert (priced.unit_amount, priced.quantity) == (2500, 2)
    with pytest.raises(Exception, match="No such ticket reservation"):
        resolve(item_id=str(hold.public_id), quantity=2, buyer_id=other.pk, currency="USD")
    hold_release(hold=hold, actor=buyer)
    with pytest.raises(ValidationError):
        resolve(item_id=str(hold.public_id), quantity=2, buyer_id=buyer.pk, currency="USD")
    with pytest.raises(revenue.UnknownItem):  # revenue refuses a price for a ticket type id: only holds sell
        revenue.checkout(
            buyer_id=buyer.pk,
            items=[("growth.ticket", str(ticket_type.public_id), 1)],
            currency="USD",
            payment_method=CARD,
        )


def test_expired_holds_free_their_seats_and_cannot_be_paid():
    _, quota, ticket_type = ticketed_event(seats=1)
    buyer = UserFactory()
    hold = hold_create(buyer=buyer, ticket_type=ticket_type)
    with pytest.raises(SoldOut):
        hold_create(buyer=UserFactory(), ticket_type=ticket_type)
    assert holds_expire(now=timezone.now() + timedelta(minutes=31)) == 1
    hold.refresh_from_db()
    quota.refresh_from_db()
    assert hold.state == "expired"
    assert quota.used == 0
    with pytest.raises(ValidationError):
        holds_checkout(buyer=buyer, holds=[TicketHold.objects.get(pk=hold.pk)], payment_method=CARD)
    hold_create(buyer=UserFactory(), ticket_type=ticket_type)  # the seat is for sale again


def test_hold_expiry_command(django_capture_on_commit_callbacks):
    from django.core.management import call_command

    _, quota, ticket_type = ticketed_event(seats=3)
    hold = hold_create(buyer=UserFactory(), ticket_type=ticket_type, quantity=3)
    TicketHold.objects.filter(pk=hold.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    call_command("growth_sweep")
    quota.refresh_from_db()
    assert quota.used == 0


def test_refund_voids_tickets_and_frees_the_seats(django_capture_on_commit_callbacks):
    event, quota, ticket_type = ticketed_event(seats=1)
    buyer = UserFactory()
    hold, order = _buy(buyer, ticket_type, capture=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        revenue.refund(order_id=order.public_id, reason="can't come")
    assert set(Ticket.objects.filter(hold=hold).values_list("state", flat=True)) == {"void"}
    quota.refresh_from_db()
    assert quota.used == 0
    assert TicketHold.objects.get(pk=hold.pk).state == "refunded"
    assert RSVP.objects.get(event=event, user=buyer).state == "cancelled"


def test_payment_landing_after_expiry_takes_a_free_seat_or_refunds(django_capture_on_commit_callbacks):
    _, quota, ticket_type = ticketed_event(seats=1)
    late = UserFactory()
    hold = hold_create(buyer=late, ticket_type=ticket_type)
    with django_capture_on_commit_callbacks(execute=True):  # on_paid runs when this block ends
        order = holds_checkout(buyer=late, holds=[hold], payment_method=CARD)
        holds_expire(
            now=timezone.now() + timedelta(hours=1)
        )  # the hold expires while the payment is in flight
        hold_create(buyer=UserFactory(), ticket_type=ticket_type)  # and someone else takes the seat
    assert not Ticket.objects.filter(hold=hold).exists()
    assert revenue.order_get(order.public_id).refunded_total == order.total
    quota.refresh_from_db()
    assert quota.used == 1


def test_payment_landing_after_expiry_takes_the_seat_when_still_free(django_capture_on_commit_callbacks):
    _, quota, ticket_type = ticketed_event(seats=1)
    buyer = UserFactory()
    hold = hold_create(buyer=buyer, ticket_type=ticket_type)
    with django_capture_on_commit_callbacks(execute=True):
        holds_checkout(buyer=buyer, holds=[hold], payment_method=CARD)
        holds_expire(now=timezone.now() + timedelta(hours=1))
    assert Ticket.objects.filter(hold=hold, state="valid").count() == 1
    quota.refresh_from_db()
    assert quota.used == 1


def test_voucher_discounts_and_counts_uses():
    event, _, ticket_type = ticketed_event(seats=10, price=10000)
    Voucher.objects.create(event=event, code="HALF", kind="percent", value=50, max_uses=1)
    hold = hold_create(buyer=UserFactory(), ticket_type=ticket_type, voucher_code="half")
    assert hold.unit_amount == 5000
    with pytest.raises(ValidationError) as error:
        hold_create(buyer=UserFactory(), ticket_type=ticket_type, voucher_code="HALF")
    assert error.value.field == "voucher"
    hold_release(hold=hold, actor=hold.buyer)  # the use comes back with the released hold
    assert Voucher.objects.get(code="HALF").uses == 0
    with pytest.raises(ValidationError):
        hold_create(buyer=UserFactory(), ticket_type=ticket_type, voucher_code="NOPE")


def test_waitlist_offers_in_order_and_expired_offers_pass_on(django_capture_on_commit_callbacks):
    event, quota, ticket_type = ticketed_event(seats=1)
    event.offer_hours = 12
    event.save()
    holder = UserFactory()
    hold = hold_create(buyer=holder, ticket_type=ticket_type)
    first, second = UserFactory(), UserFactory()
    e1 = waitlist_join(user=first, ticket_type=ticket_type)
    e2 = waitlist_join(user=second, ticket_type=ticket_type)
    assert e1.state == e2.state == "waiting"
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        hold_release(hold=hold, actor=holder)
    e1.refresh_from_db()
    assert e1.state == "offered"
    assert e1.hold.buyer == first
    assert e1.hold.expires_at > timezone.now() + timedelta(hours=11)
    assert [m.to for m in mail.outbox] == [[first.email]]
    assert TicketWaitlistEntry.objects.get(pk=e2.pk).state == "waiting"

    with django_capture_on_commit_callbacks(execute=True):
        holds_expire(now=timezone.now() + timedelta(hours=13))
    e1.refresh_from_db()
    e2.refresh_from_db()
    assert e1.state == "expired"
    assert e2.state == "offered"
    assert e2.hold.buyer == second
    quota.refresh_from_db()
    assert quota.used == 1

    with django_capture_on_commit_callbacks(execute=True):
        order = holds_checkout(buyer=second, holds=[e2.hold], payment_method=CARD)
    assert order.state == "paid"
    e2.refresh_from_db()
    assert e2.state == "converted"


def test_declined_card_keeps_the_hold_and_issues_nothing(django_capture_on_commit_callbacks):
    _, _, ticket_type = ticketed_event(seats=3)
    buyer = UserFactory()
    hold = hold_create(buyer=buyer, ticket_type=ticket_type)
    with django_capture_on_commit_callbacks(execute=True):
        order = holds_checkout(buyer=buyer, holds=[hold], payment_method="4000000000000002")
    assert order.state == "failed"
    assert TicketHold.objects.get(pk=hold.pk).state == "active"
    assert not Ticket.objects.exists()


def test_quantity_limits_and_unsellable_types():
    _event, _, ticket_type = ticketed_event(seats=50)
    with pytest.raises(ValidationError):
        hold_create(buyer=UserFactory(), ticket_type=ticket_type, quantity=11)
    with pytest.raises(ValidationError):
        hold_create(buyer=UserFactory(), ticket_type=ticket_type, quantity=0)
    free_event = EventFactory()
    plain = TicketType.objects.create(event=free_event, name="x", price=1)
    with pytest.raises(ValidationError):
        hold_create(buyer=UserFactory(), ticket_type=plain)

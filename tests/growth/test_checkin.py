"""Check-in: scan once → in; scan again → duplicate (logged, shown, not checked in twice); void and foreign
tickets refused; only event staff may scan."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from growth.exceptions import NotFound, PermissionDenied, ValidationError
from growth.models import CheckIn, Ticket
from growth.services.checkin import ticket_check_in
from growth.services.rsvps import rsvp_check_in, rsvp_create
from growth.services.tickets import hold_create, holds_checkout
from tests.factories import UserFactory
from tests.growth.factories import EventFactory, ticketed_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def sold(django_capture_on_commit_callbacks):
    event, _, ticket_type = ticketed_event(seats=5)
    buyer = UserFactory(display_name="Tess Ticket")
    hold = hold_create(buyer=buyer, ticket_type=ticket_type)
    with django_capture_on_commit_callbacks(execute=True):
        holds_checkout(buyer=buyer, holds=[hold], payment_method="4242424242424242")
    staff = UserFactory(is_staff=True)
    return event, Ticket.objects.get(hold=hold), staff


def test_double_scan_is_detected(sold):
    event, ticket, staff = sold
    first = ticket_check_in(event=event, actor=staff, secret=ticket.secret, gate="A")
    second = ticket_check_in(event=event, actor=staff, secret=ticket.secret, gate="B")
    assert first.status == "ok"
    assert second.status == "duplicate"
    assert second.first_checked_in_at == first.first_checked_in_at
    assert list(CheckIn.objects.order_by("pk").values_list("gate", "duplicate")) == [
        ("A", False),
        ("B", True),
    ]


def test_void_foreign_and_unknown_codes_are_refused(sold):
    event, ticket, staff = sold
    other_event = EventFactory()
    with pytest.raises(NotFound):
        ticket_check_in(event=other_event, actor=staff, secret=ticket.secret)
    with pytest.raises(NotFound):
        ticket_check_in(event=event, actor=staff, secret="nope")
    Ticket.objects.filter(pk=ticket.pk).update(state="void")
    with pytest.raises(ValidationError):
        ticket_check_in(event=event, actor=staff, secret=ticket.secret)
    with pytest.raises(PermissionDenied):
        ticket_check_in(event=event, actor=UserFactory(), secret=ticket.secret)


def test_check_in_api_and_page_show_duplicates(sold):
    event, ticket, staff = sold
    api = APIClient()
    api.force_authenticate(staff)
    url = f"/api/v1/growth/events/{event.slug}/check-in/"
    assert api.post(url, {"qr_code": ticket.secret}, format="json").json()["status"] == "ok"
    assert api.post(url, {"qr_code": ticket.secret}, format="json").json()["status"] == "duplicate"
    found = api.get(f"/api/v1/growth/events/{event.slug}/check-in/search/?q=Tess").json()
    assert [t["attendee_name"] for t in found] == ["Tess Ticket"]
    page = Client()
    page.force_login(staff)
    html = page.post(f"/community/events/{event.slug}/check-in/", {"secret": ticket.secret}).content.decode()
    assert "Already checked in" in html
    outsider = APIClient()
    outsider.force_authenticate(UserFactory())
    assert outsider.post(url, {"qr_code": ticket.secret}, format="json").status_code == 403


def test_free_event_attendance_check_in_detects_duplicates():
    event = EventFactory(capacity=10)
    rsvp = rsvp_create(event=event, user=UserFactory())
    assert rsvp_check_in(rsvp=rsvp, actor=None)[1] is False
    assert rsvp_check_in(rsvp=rsvp, actor=None)[1] is True

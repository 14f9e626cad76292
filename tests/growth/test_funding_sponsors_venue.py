"""Event funding paid through revenue, sponsor lead capture with consent, and the virtual venue."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from growth.exceptions import PermissionDenied, ValidationError
from growth.models import FundingRequest, Sponsor, SponsorTier, Ticket
from growth.services.funding import funding_approve, funding_reject, funding_request
from growth.services.schedule import session_save
from growth.services.sponsors import lead_capture, leads_csv
from growth.services.tickets import hold_create, holds_checkout
from revenue import facade as revenue
from tests.factories import UserFactory
from tests.growth.factories import ChapterFactory, conference_setup, organiser_of

pytestmark = pytest.mark.django_db


def test_funding_request_approved_is_paid_into_the_organisers_balance_once():
    chapter = ChapterFactory()
    organiser = organiser_of(chapter)
    staff = UserFactory(is_staff=True)
    request = funding_request(
        chapter=chapter,
        actor=organiser,
        title="Pizza",
        purpose="Food",
        currency="EUR",
        budget=[{"label": "Pizza", "amount": 8000}, {"label": "Drinks", "amount": 2000}],
    )
    assert request.amount == 10000
    with pytest.raises(PermissionDenied):
        funding_approve(request=request, actor=organiser)
    paid = funding_approve(request=request, actor=staff, note="ok")
    assert paid.state == "paid"
    assert paid.journal_entry
    seller = revenue.seller_for_user(organiser.pk, "x", kind="organiser")
    balance = {b.currency: b for b in revenue.seller_balances(seller)}["EUR"]
    assert balance.available == 10000
    again = funding_approve(request=FundingRequest.objects.get(pk=request.pk), actor=staff)
    assert again.journal_entry == paid.journal_entry  # never paid twice
    assert {b.currency: b for b in revenue.seller_balances(seller)}["EUR"].available == 10000


def test_funding_validation_and_rejection():
    chapter = ChapterFactory()
    organiser = organiser_of(chapter)
    with pytest.raises(ValidationError) as error:
        funding_request(chapter=chapter, actor=organiser, title="x", purpose="y", currency="EUR", budget=[])
    assert error.value.field == "budget"
    with pytest.raises(ValidationError):
        funding_request(
            chapter=chapter,
            actor=organiser,
            title="x",
            purpose="y",
            currency="XXX",
            budget=[{"label": "a", "amount": 1}],
        )
    with pytest.raises(PermissionDenied):
        funding_request(
            chapter=chapter,
            actor=UserFactory(),
            title="x",
            purpose="y",
            currency="EUR",
            budget=[{"label": "a", "amount": 1}],
        )
    request = funding_request(
        chapter=chapter,
        actor=organiser,
        title="x",
        purpose="y",
        currency="EUR",
        budget=[{"label": "a", "amount": 100}],
    )
    rejected = funding_reject(request=request, actor=UserFactory(is_staff=True), note="Not this time")
    assert rejected.state == "rejected"
    with pytest.raises(ValidationError):
        funding_approve(request=rejected, actor=UserFactory(is_staff=True))


def test_funding_through_portal_and_api():
    chapter = ChapterFactory()
    organiser = organiser_of(chapter)
    client = Client()
    client.force_login(organiser)
    response = client.post(
        f"/community/chapters/{chapter.slug}/organise/",
        {
            "action": "funding",
            "title": "Venue",
            "purpose": "Room for 80",
            "currency": "USD",
            "budget": "Venue rental: 250.00\nCoffee: 40.50",
        },
    )
    assert response.status_code == 302
    request = FundingRequest.objects.get()
    assert request.amount == 29050
    assert request.budget[1] == {"label": "Coffee", "amount": 4050}
    bad = client.post(
        f"/community/chapters/{chapter.slug}/organise/",
        {"action": "funding", "title": "x", "purpose": "y", "currency": "USD", "budget": "no amount here"},
    )
    assert "label: amount" in bad.content.decode()
    staff = APIClient()
    staff.force_authenticate(UserFactory(is_staff=True))
    decided = staff.post(f"/api/v1/growth/funding-requests/{request.public_id}/approve/", {}, format="json")
    assert decided.status_code == 200
    assert decided.json()["state"] == "paid"


@pytest.fixture
def summit_ticket(django_capture_on_commit_callbacks):
    organiser = UserFactory()
    conference, _track, _talk, rooms = conference_setup(organiser=organiser)
    from growth.models import Quota, TicketType

    quota = Quota.objects.create(event=conference.event, name="Venue", size=10)
    ticket_type = TicketType.objects.create(event=conference.event, name="In person", price=100)
    ticket_type.quotas.add(quota)
    attendee = UserFactory()
    hold = hold_create(buyer=attendee, ticket_type=ticket_type)
    with django_capture_on_commit_callbacks(execute=True):
        holds_checkout(buyer=attendee, holds=[hold], payment_method="4242424242424242")
    booth = UserFactory()
    sponsor = Sponsor.objects.create(
        conference=conference,
        name="Acme",
        tier=SponsorTier.objects.create(conference=conference, name="Gold", price=1),
    )
    sponsor.staff.add(booth)
    return conference, Ticket.objects.get(holder=attendee), sponsor, booth, organiser, rooms


def test_leads_need_the_attendees_consent(summit_ticket):
    _conference, ticket, sponsor, booth, _organiser, _ = summit_ticket
    with pytest.raises(PermissionDenied) as error:
        lead_capture(sponsor=sponsor, actor=booth, secret=ticket.secret)
    assert error.value.code == "no_consent"
    ticket.lead_consent = True
    ticket.save()
    _lead, created = lead_capture(sponsor=sponsor, actor=booth, secret=ticket.secret, notes="hot")
    assert created
    assert not lead_capture(sponsor=sponsor, actor=booth, secret=ticket.secret)[1]
    assert ticket.holder.email in leads_csv(sponsor=sponsor, actor=booth)
    with pytest.raises(PermissionDenied):
        lead_capture(sponsor=sponsor, actor=UserFactory(), secret=ticket.secret)
    ticket.lead_consent = False  # consent withdrawn: gone from the export
    ticket.save()
    assert ticket.holder.email not in leads_csv(sponsor=sponsor, actor=booth)
    api = APIClient()
    api.force_authenticate(booth)
    assert (
        api.post(
            f"/api/v1/growth/sponsors/{sponsor.public_id}/leads/", {"qr_code": ticket.secret}, format="json"
        ).status_code
        == 403
    )


def test_virtual_venue_shows_streams_and_recordings_to_ticket_holders_only(summit_ticket):
    conference, ticket, _, _, organiser, rooms = summit_ticket
    rooms[0].stream_url = "https://stream.example/hall"
    rooms[0].save()
    now = timezone.now()
    live, _ = session_save(
        conference=conference,
        actor=organiser,
        room=rooms[0],
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(minutes=25),
        title="Live one",
    )
    past, _ = session_save(
        conference=conference,
        actor=organiser,
        room=rooms[0],
        starts_at=now - timedelta(hours=2),
        ends_at=now - timedelta(hours=1),
        title="Earlier",
    )
    past.recording_url = "https://video.example/rec1"
    past.save()
    url = f"/community/conferences/summit/rooms/{rooms[0].public_id}/"
    holder = Client()
    holder.force_login(ticket.holder)
    html = holder.get(url).content.decode()
    assert "Live one" in html
    assert "https://stream.example/hall" in html
    assert "https://video.example/rec1" in html
    anonymous = Client().get(url).content.decode()
    assert "https://stream.example/hall" not in anonymous
    assert "https://video.example/rec1" not in anonymous
    session_page = holder.get(f"/community/sessions/{past.public_id}/").content.decode()
    assert "Watch the recording" in session_page
    holder.post(f"/community/sessions/{live.public_id}/", {"action": "ask", "text": "Is it recorded?"})
    assert "Is it recorded?" in holder.get(f"/community/sessions/{live.public_id}/").content.decode()

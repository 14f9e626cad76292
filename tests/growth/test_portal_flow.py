"""The "done when" flows, through the portal as a person would click them: find a chapter, RSVP, land on the
waitlist and get promoted; submit a talk, have it reviewed and scheduled; buy a Summit ticket and be checked
in with its QR code."""

import re
import zoneinfo
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from growth.models import RSVP, Submission, Ticket
from tests.factories import UserFactory
from tests.growth.factories import (
    ChapterFactory,
    EventFactory,
    conference_setup,
    organiser_of,
    ticketed_event,
)

pytestmark = pytest.mark.django_db


def _token(page: str) -> str:
    return re.search(r'name="submission_token" value="([0-9a-f]{32})"', page).group(1)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_find_a_chapter_rsvp_waitlist_and_promotion(django_capture_on_commit_callbacks):
    chapter = ChapterFactory(name="NovaCron Lisbon", city="Lisbon", country="PT", slug="novacron-lisbon")
    ChapterFactory(name="NovaCron Tokyo", city="Tokyo", country="JP", region="asia_pacific", slug="tokyo")
    event = EventFactory(chapter=chapter, capacity=1, title="Lisbon meetup")
    first, newcomer = UserFactory(), UserFactory()

    directory = Client().get("/community/chapters/?q=lisbon&region=europe").content.decode()
    assert "NovaCron Lisbon" in directory
    assert "NovaCron Tokyo" not in directory
    assert "NovaCron Tokyo" in Client().get("/community/chapters/?country=JP").content.decode()

    c_first, c_new = _client(first), _client(newcomer)
    c_new.post(f"/community/chapters/{chapter.slug}/membership/")
    assert chapter.members.filter(user=newcomer).exists()
    page = c_new.get(f"/community/chapters/{chapter.slug}/").content.decode()
    assert "Lisbon meetup" in page
    assert "Leave this chapter" in page

    c_first.post(f"/community/events/{event.slug}/rsvp/")
    c_new.post(f"/community/events/{event.slug}/rsvp/")
    html = c_new.get(f"/community/events/{event.slug}/").content.decode()
    assert "Waitlist position 1" in html
    assert "Secret street 1" not in html
    assert "Secret street 1" in c_first.get(f"/community/events/{event.slug}/").content.decode()

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        c_first.post(f"/community/events/{event.slug}/rsvp/", {"action": "cancel"})
    assert RSVP.objects.get(event=event, user=newcomer).state == "going"
    assert mail.outbox[0].to == [newcomer.email]
    html = c_new.get(f"/community/events/{event.slug}/").content.decode()
    assert "re going" in html
    assert "Secret street 1" in html
    assert c_new.get(f"/community/events/{event.slug}/event.ics").status_code == 200


def test_submit_a_talk_review_it_and_schedule_it(django_capture_on_commit_callbacks):
    organiser, reviewer, speaker = UserFactory(), UserFactory(), UserFactory(display_name="Sam Speaker")
    conference, track, talk, rooms = conference_setup(organiser=organiser, reviewer=reviewer)
    s = _client(speaker)
    assert s.get("/community/conferences/summit/cfp/").status_code == 302  # profile first
    s.post("/community/speaker/", {"name": "Sam Speaker", "bio": "Schedules things."})
    response = s.post(
        "/community/conferences/summit/cfp/",
        {
            "title": "Backpressure for cron",
            "track": track.pk,
            "submission_type": talk.pk,
            "abstract": "What to do when ten thousand jobs fire at midnight.",
        },
    )
    assert response.status_code == 302
    submission = Submission.objects.get(title="Backpressure for cron")

    r = _client(reviewer)
    assert "Backpressure for cron" in r.get("/community/review/").content.decode()
    criteria = conference.criteria.all()
    r.post(f"/community/review/{submission.public_id}/", {f"score_{c.pk}": 5 for c in criteria})
    assert submission.reviews.get().score == 5

    o = _client(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        o.post(
            "/community/conferences/summit/submissions/",
            {"submission": submission.public_id, "state": "accepted"},
        )
    submission.refresh_from_db()
    assert submission.state == "accepted"
    local = conference.event.starts_at.astimezone(zoneinfo.ZoneInfo(conference.event.timezone))
    o.post(
        "/community/conferences/summit/schedule/edit/",
        {
            "submission": submission.pk,
            "room": rooms[0].pk,
            "starts_at": local.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    o.post("/community/conferences/summit/schedule/edit/", {"action": "release", "note": "v1"})
    public = Client().get("/community/conferences/summit/schedule/").content.decode()
    assert "Backpressure for cron" in public
    assert "Sam Speaker" in public
    assert "accepted" in s.get("/community/submissions/").content.decode().lower()


def test_buy_a_summit_ticket_and_get_checked_in_with_its_qr_code(django_capture_on_commit_callbacks):
    event, _quota, ticket_type = ticketed_event(seats=10, price=69900, title="Summit", slug="summit-2030")
    buyer, staff = UserFactory(), UserFactory(is_staff=True)
    b = _client(buyer)
    html = b.get(f"/community/events/{event.slug}/").content.decode()
    assert "$699.00" in html
    assert "10 left" in html
    response = b.post(
        f"/community/events/{event.slug}/reserve/", {"ticket_type": ticket_type.public_id, "quantity": 1}
    )
    assert response.status_code == 302
    assert response["Location"] == "/community/tickets/cart/"
    cart = b.get("/community/tickets/cart/").content.decode()
    assert "$699.00" in cart
    declined = b.post(
        "/community/tickets/cart/", {"card_number": "4000 0000 0000 0002", "submission_token": _token(cart)}
    )
    assert declined.status_code == 200
    assert not Ticket.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = b.post(
            "/community/tickets/cart/",
            {"card_number": "4242 4242 4242 4242", "submission_token": _token(declined.content.decode())},
        )
    assert response.status_code == 302
    ticket = Ticket.objects.get(holder=buyer)
    badge = b.get(f"/community/tickets/{ticket.public_id}/").content.decode()
    assert "<svg" in badge
    assert ticket.secret in badge
    png = b.get(f"/community/tickets/{ticket.public_id}/qr.png")
    assert png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")

    scanner = _client(staff)
    first = scanner.post(
        f"/community/events/{event.slug}/check-in/", {"secret": ticket.secret}
    ).content.decode()
    assert "Welcome" in first
    again = scanner.post(
        f"/community/events/{event.slug}/check-in/", {"secret": ticket.secret}
    ).content.decode()
    assert "Already checked in" in again
    ticket.refresh_from_db()
    assert ticket.checked_in_at is not None
    assert RSVP.objects.get(event=event, user=buyer).checked_in_at is not None


def test_portal_pages_render(django_capture_on_commit_callbacks):
    chapter = ChapterFactory()
    organiser = organiser_of(chapter)
    EventFactory(chapter=chapter)
    conference_setup(organiser=organiser)
    o = _client(organiser)
    for url in (
        "/community/",
        "/community/chapters/",
        f"/community/chapters/{chapter.slug}/",
        f"/community/chapters/{chapter.slug}/organise/",
        "/community/events/",
        "/community/tickets/",
        "/community/tickets/cart/",
        "/community/calendar/",
        "/community/resources/",
        "/community/speaker/",
        "/community/submissions/",
        "/community/review/",
        "/community/conferences/",
        "/community/conferences/summit/",
        "/community/conferences/summit/schedule/",
        "/community/conferences/summit/sponsors/",
        "/community/conferences/summit/schedule/edit/",
        "/community/conferences/summit/submissions/",
    ):
        assert o.get(url).status_code == 200, url
    assert Client().get(f"/community/chapters/{chapter.slug}/organise/").status_code == 302
    assert _client(UserFactory()).get(f"/community/chapters/{chapter.slug}/organise/").status_code == 404
    assert _client(UserFactory()).get("/community/funding/").status_code == 404


def test_organiser_creates_an_event_with_form_errors_first():
    chapter = ChapterFactory(timezone="Europe/Lisbon")
    organiser = organiser_of(chapter)
    o = _client(organiser)
    url = f"/community/chapters/{chapter.slug}/organise/"
    bad = o.post(
        url,
        {
            "action": "event",
            "title": "Hybrid night",
            "format": "hybrid",
            "venue_address": "Rua 1",
            "timezone": "Europe/Lisbon",
            "starts_at": "2031-05-01T19:00",
            "ends_at": "2031-05-01T21:00",
        },
    )
    assert bad.status_code == 200
    assert "need a stream link" in bad.content.decode()
    good = o.post(
        url,
        {
            "action": "event",
            "title": "Hybrid night",
            "format": "hybrid",
            "venue_address": "Rua 1",
            "stream_url": "https://stream.example/x",
            "timezone": "Europe/Lisbon",
            "starts_at": "2031-05-01T19:00",
            "ends_at": "2031-05-01T21:00",
            "capacity": 30,
        },
    )
    assert good.status_code == 302
    event = chapter.events.get()
    assert event.starts_at.isoformat().startswith("2031-05-01T18:00")  # 19:00 WEST = 18:00 UTC
    assert re.search(r"Hybrid night", o.get(good["Location"]).content.decode())
    o.post(url, {"action": "step", "step": "venue", "done": "1"})
    assert chapter.onboarding.filter(step="venue").exists()
    assert timezone.now() < event.starts_at + timedelta(days=1)

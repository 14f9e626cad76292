"""The REST API: chapters and events (public reads), RSVP, holds and checkout with Idempotency-Key, tickets,
waitlist, submissions, sessions with conflicts, Q&A; bad input gets the core error body with field messages."""

import pytest
from rest_framework.test import APIClient

from growth.models import Ticket
from tests.factories import UserFactory
from tests.growth.factories import ChapterFactory, EventFactory, conference_setup, speaker, ticketed_event

pytestmark = pytest.mark.django_db
CARD = "4242424242424242"


def _api(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_chapter_directory_filters_and_membership():
    ChapterFactory(name="NovaCron Nairobi", city="Nairobi", country="KE", region="africa", slug="nairobi")
    ChapterFactory(name="NovaCron Oslo", city="Oslo", country="NO", slug="oslo")
    anon = _api()
    assert [c["name"] for c in anon.get("/api/v1/growth/chapters/?region=africa").json()["results"]] == [
        "NovaCron Nairobi"
    ]
    assert anon.get("/api/v1/growth/chapters/?q=oslo").json()["count"] == 1
    user = UserFactory()
    assert _api(user).post("/api/v1/growth/chapters/oslo/membership/").status_code == 204
    assert anon.get("/api/v1/growth/chapters/oslo/").json()["member_count"] == 1
    assert _api(user).delete("/api/v1/growth/chapters/oslo/membership/").status_code == 204
    assert anon.post("/api/v1/growth/chapters/oslo/membership/").status_code in (401, 403)


def test_rsvp_api_waitlists_and_hides_the_venue():
    event = EventFactory(capacity=1)
    first, second = UserFactory(), UserFactory()
    assert _api(first).post(f"/api/v1/growth/events/{event.slug}/rsvp/").json()["state"] == "going"
    body = _api(second).post(f"/api/v1/growth/events/{event.slug}/rsvp/").json()
    assert body["state"] == "waitlisted"
    assert body["waitlist_position"] == 1
    assert _api(second).get(f"/api/v1/growth/events/{event.slug}/").json()["venue_address"] is None
    assert (
        _api(first).get(f"/api/v1/growth/events/{event.slug}/").json()["venue_address"] == "Secret street 1"
    )
    assert _api(first).delete(f"/api/v1/growth/events/{event.slug}/rsvp/").json()["state"] == "cancelled"
    assert _api(second).get(f"/api/v1/growth/events/{event.slug}/rsvp/").json()["state"] == "going"


def test_event_create_validation_errors_have_fields():
    chapter = ChapterFactory()
    from tests.growth.factories import organiser_of

    organiser = organiser_of(chapter)
    body = {
        "chapter": chapter.slug,
        "title": "Online",
        "format": "virtual",
        "timezone": "Europe/Berlin",
        "starts_at": "2031-01-01T18:00:00Z",
        "ends_at": "2031-01-01T17:00:00Z",
    }
    response = _api(organiser).post("/api/v1/growth/events/", body, format="json")
    assert response.status_code == 400
    assert "ends_at" in response.json()["error"]["fields"]
    body["ends_at"] = "2031-01-01T20:00:00Z"
    assert (
        "stream_url"
        in _api(organiser).post("/api/v1/growth/events/", body, format="json").json()["error"]["fields"]
    )
    body["stream_url"] = "https://stream.example/x"
    assert _api(organiser).post("/api/v1/growth/events/", body, format="json").status_code == 201
    assert _api(UserFactory()).post("/api/v1/growth/events/", body, format="json").status_code == 403


def test_hold_and_checkout_through_the_api_with_idempotency(django_capture_on_commit_callbacks):
    event, quota, _ticket_type = ticketed_event(seats=2, price=1500)
    buyer = UserFactory()
    api = _api(buyer)
    types = api.get(f"/api/v1/growth/events/{event.slug}/ticket-types/").json()
    assert types[0]["available"] == 2
    held = api.post(
        "/api/v1/growth/holds/",
        {"ticket_type": types[0]["id"], "quantity": 2},
        format="json",
        HTTP_IDEMPOTENCY_KEY="hold-1",
    )
    assert held.status_code == 201
    assert held.json()["item"]["type"] == "growth.ticket"
    replay = api.post(
        "/api/v1/growth/holds/",
        {"ticket_type": types[0]["id"], "quantity": 2},
        format="json",
        HTTP_IDEMPOTENCY_KEY="hold-1",
    )
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == held.json()["id"]
    quota.refresh_from_db()
    assert quota.used == 2
    sold_out = _api(UserFactory()).post(
        "/api/v1/growth/holds/", {"ticket_type": types[0]["id"]}, format="json"
    )
    assert sold_out.status_code == 409
    assert sold_out.json()["error"]["code"] == "sold_out"

    declined = api.post(
        "/api/v1/growth/checkout/",
        {"holds": [held.json()["id"]], "payment_method": "4000000000000002"},
        format="json",
    )
    assert declined.status_code == 402
    with django_capture_on_commit_callbacks(execute=True):
        paid = api.post(
            "/api/v1/growth/checkout/",
            {"holds": [held.json()["id"]], "payment_method": CARD},
            format="json",
            HTTP_IDEMPOTENCY_KEY="pay-1",
        )
    assert paid.status_code == 201
    assert paid.json()["state"] == "paid"
    assert paid.json()["total"] == 3000
    tickets = api.get("/api/v1/growth/tickets/").json()
    assert len(tickets) == 2
    assert tickets[0]["qr_code"]
    patched = api.patch(
        f"/api/v1/growth/tickets/{tickets[0]['id']}/",
        {"lead_consent": True, "attendee_name": "Kim"},
        format="json",
    )
    assert patched.json()["lead_consent"] is True
    assert patched.json()["attendee_name"] == "Kim"
    assert _api(UserFactory()).get(f"/api/v1/growth/tickets/{tickets[0]['id']}/").status_code == 404

    waiting = _api(UserFactory()).post(
        f"/api/v1/growth/ticket-types/{types[0]['id']}/waitlist/", {}, format="json"
    )
    assert waiting.status_code == 201
    assert waiting.json()["state"] == "waiting"


def test_hold_input_errors():
    _, _, ticket_type = ticketed_event(seats=2)
    api = _api(UserFactory())
    assert api.post("/api/v1/growth/holds/", {"ticket_type": "x"}, format="json").json()["error"]["fields"][
        "ticket_type"
    ]
    too_many = api.post(
        "/api/v1/growth/holds/", {"ticket_type": str(ticket_type.public_id), "quantity": 50}, format="json"
    )
    assert too_many.status_code == 400
    assert "quantity" in too_many.json()["error"]["fields"]


def test_cfp_sessions_and_qa_through_the_api(django_capture_on_commit_callbacks):
    organiser = UserFactory()
    conference, _track, _talk, rooms = conference_setup(organiser=organiser)
    person = speaker()
    created = _api(person).post(
        "/api/v1/growth/conferences/summit/submissions/",
        {
            "track": "Platform",
            "type": "talk",
            "title": "API talk",
            "abstract": "Long enough abstract for the CfP.",
        },
        format="json",
    )
    assert created.status_code == 201
    bad = _api(person).post(
        "/api/v1/growth/conferences/summit/submissions/",
        {"track": "Nope", "type": "talk", "title": "x", "abstract": "y"},
        format="json",
    )
    assert bad.status_code == 404
    assert "track" in bad.json()["error"]["fields"]
    sub_id = created.json()["id"]
    assert (
        _api(person)
        .post(f"/api/v1/growth/submissions/{sub_id}/decision/", {"state": "accepted"}, format="json")
        .status_code
        == 403
    )
    assert (
        _api(organiser)
        .post(f"/api/v1/growth/submissions/{sub_id}/decision/", {"state": "accepted"}, format="json")
        .json()["state"]
        == "accepted"
    )
    start = conference.event.starts_at.isoformat()
    placed = _api(organiser).post(
        "/api/v1/growth/conferences/summit/sessions/",
        {"submission": sub_id, "room": str(rooms[0].public_id), "starts_at": start},
        format="json",
    )
    assert placed.status_code == 201
    assert placed.json()["conflicts"] == []
    clash = _api(organiser).post(
        "/api/v1/growth/conferences/summit/sessions/",
        {
            "title": "Lunch",
            "room": str(rooms[0].public_id),
            "starts_at": start,
            "ends_at": conference.event.ends_at.isoformat(),
        },
        format="json",
    )
    assert clash.json()["conflicts"][0]["kind"] == "room"
    assert len(_api(organiser).get("/api/v1/growth/conferences/summit/schedule/conflicts/").json()) == 1
    assert (
        _api(organiser)
        .post("/api/v1/growth/conferences/summit/schedule/releases/", {"note": "v1"}, format="json")
        .json()["version"]
        == 1
    )

    session_id = placed.json()["session"]["id"]
    outsider = _api(UserFactory())
    assert (
        outsider.post(
            f"/api/v1/growth/sessions/{session_id}/questions/", {"text": "Why?"}, format="json"
        ).status_code
        == 403
    )
    from growth.models import RSVP

    asker, voter = UserFactory(), UserFactory()
    for attendee in (asker, voter):
        RSVP.objects.create(event=conference.event, user=attendee, state="going")
    question = (
        _api(asker)
        .post(f"/api/v1/growth/sessions/{session_id}/questions/", {"text": "How fast is it?"}, format="json")
        .json()
    )
    assert _api(asker).post(f"/api/v1/growth/questions/{question['id']}/").status_code == 400  # own question
    assert _api(voter).post(f"/api/v1/growth/questions/{question['id']}/").json()["upvotes"] == 1
    assert _api(voter).post(f"/api/v1/growth/questions/{question['id']}/").json()["upvotes"] == 1  # once
    assert (
        _api(organiser)
        .patch(f"/api/v1/growth/questions/{question['id']}/", {"state": "hidden"}, format="json")
        .json()["state"]
        == "hidden"
    )
    assert _api(voter).get(f"/api/v1/growth/sessions/{session_id}/questions/").json() == []
    assert Ticket.objects.count() == 0


def test_organiser_endpoints_chapter_onboarding_event_patch_attendance_calendar():
    staff = UserFactory(is_staff=True)
    lead = UserFactory()
    created = _api(staff).post(
        "/api/v1/growth/chapters/",
        {
            "name": "NovaCron Kigali",
            "city": "Kigali",
            "country": "rw",
            "region": "africa",
            "timezone": "Africa/Kigali",
            "organiser": str(lead.public_id),
        },
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["country"] == "RW"
    bad = _api(staff).post(
        "/api/v1/growth/chapters/",
        {"name": "X", "city": "Y", "country": "DE", "region": "europe", "timezone": "Mars/Olympus"},
        format="json",
    )
    assert bad.status_code == 400
    assert "timezone" in bad.json()["error"]["fields"]
    assert _api(lead).post("/api/v1/growth/chapters/", {}, format="json").status_code in (400, 403)
    slug = created.json()["slug"]
    steps = (
        _api(lead)
        .post(f"/api/v1/growth/chapters/{slug}/onboarding/", {"step": "venue", "done": True}, format="json")
        .json()
    )
    assert [s["key"] for s in steps if s["done"]] == ["venue"]
    assert _api(UserFactory()).get(f"/api/v1/growth/chapters/{slug}/onboarding/").status_code == 404

    from growth.models import Chapter

    event = EventFactory(chapter=Chapter.objects.get(slug=slug), capacity=1)
    attendees = [UserFactory(), UserFactory()]
    for person in attendees:
        _api(person).post(f"/api/v1/growth/events/{event.slug}/rsvp/")
    patched = _api(lead).patch(f"/api/v1/growth/events/{event.slug}/", {"capacity": 2}, format="json")
    assert patched.status_code == 200
    assert _api(attendees[1]).get(f"/api/v1/growth/events/{event.slug}/rsvp/").json()["state"] == "going"
    assert (
        _api(attendees[0])
        .patch(f"/api/v1/growth/events/{event.slug}/", {"capacity": 9}, format="json")
        .status_code
        == 404
    )
    url = f"/api/v1/growth/events/{event.slug}/attendance/"
    assert _api(lead).post(url, {"user": str(attendees[0].public_id)}, format="json").json()["status"] == "ok"
    assert (
        _api(lead).post(url, {"user": str(attendees[0].public_id)}, format="json").json()["status"]
        == "duplicate"
    )

    feed = _api(lead).get("/api/v1/growth/calendar/").json()["feed_url"]
    rotated = _api(lead).post("/api/v1/growth/calendar/").json()["feed_url"]
    assert feed != rotated
    assert rotated.endswith(".ics")


def test_session_move_recording_and_star_through_the_api():
    from datetime import timedelta

    from growth.services.schedule import session_save

    organiser = UserFactory()
    conference, _track, _talk, rooms = conference_setup(organiser=organiser)
    start = conference.event.starts_at
    first, _ = session_save(
        conference=conference,
        actor=organiser,
        room=rooms[0],
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
        title="Keynote",
    )
    second, _ = session_save(
        conference=conference,
        actor=organiser,
        room=rooms[1],
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
        title="Workshop",
    )
    moved = _api(organiser).patch(
        f"/api/v1/growth/sessions/{second.public_id}/",
        {"room": str(rooms[0].public_id), "recording_url": "https://video.example/w"},
        format="json",
    )
    assert moved.status_code == 200
    assert moved.json()["conflicts"][0]["kind"] == "room"
    assert moved.json()["session"]["recording_url"] == "https://video.example/w"
    assert (
        _api(UserFactory())
        .patch(f"/api/v1/growth/sessions/{second.public_id}/", {"title": "x"}, format="json")
        .status_code
        == 403
    )
    fan = UserFactory()
    assert _api(fan).post(f"/api/v1/growth/sessions/{first.public_id}/star/").status_code == 204
    assert first.stars.filter(user=fan).exists()
    assert _api(fan).delete(f"/api/v1/growth/sessions/{first.public_id}/star/").status_code == 204
    assert not first.stars.exists()

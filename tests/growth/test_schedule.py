"""Schedule editor: room and speaker conflicts, versioned releases with a changelog, public exports, stars."""

from datetime import timedelta

import pytest
from django.test import Client
from icalendar import Calendar

from growth.exceptions import ValidationError
from growth.services.cfp import submission_create
from growth.services.reviews import submission_decide
from growth.services.schedule import conflicts, schedule_release, session_save, session_star
from tests.factories import UserFactory
from tests.growth.factories import conference_setup, speaker

pytestmark = pytest.mark.django_db


@pytest.fixture
def conf():
    organiser = UserFactory()
    conference, track, talk, rooms = conference_setup(organiser=organiser)
    alice, bob = speaker(), speaker()
    subs = []
    for person, title in ((alice, "Talk A"), (alice, "Talk B"), (bob, "Talk C")):
        sub = submission_create(
            conference=conference,
            submitter=person,
            track=track,
            submission_type=talk,
            title=title,
            abstract="An abstract long enough to pass.",
        )
        submission_decide(submission=sub, actor=organiser, state="accepted")
        subs.append(sub)
    return conference, organiser, rooms, subs


def test_room_conflict_is_detected(conf):
    conference, organiser, rooms, subs = conf
    start = conference.event.starts_at
    session_save(conference=conference, actor=organiser, room=rooms[0], starts_at=start, submission=subs[0])
    _, found = session_save(
        conference=conference,
        actor=organiser,
        room=rooms[0],
        starts_at=start + timedelta(minutes=15),
        submission=subs[2],
    )
    assert [c.kind for c in found] == ["room"]


def test_speaker_conflict_is_detected_across_rooms(conf):
    conference, organiser, rooms, subs = conf
    start = conference.event.starts_at
    session_save(conference=conference, actor=organiser, room=rooms[0], starts_at=start, submission=subs[0])
    _, found = session_save(
        conference=conference,
        actor=organiser,
        room=rooms[1],
        starts_at=start + timedelta(minutes=10),
        submission=subs[1],
    )
    assert [c.kind for c in found] == ["speaker"]
    assert len(conflicts(conference)) == 1


def test_back_to_back_sessions_do_not_conflict(conf):
    conference, organiser, rooms, subs = conf
    start = conference.event.starts_at
    session_save(conference=conference, actor=organiser, room=rooms[0], starts_at=start, submission=subs[0])
    _, found = session_save(
        conference=conference,
        actor=organiser,
        room=rooms[0],
        starts_at=start + timedelta(minutes=30),
        submission=subs[1],
    )
    assert found == []
    assert conflicts(conference) == []


def test_only_accepted_submissions_are_scheduled(conf):
    conference, organiser, rooms, subs = conf
    submission_decide(submission=subs[2], actor=organiser, state="rejected")
    with pytest.raises(ValidationError):
        session_save(
            conference=conference,
            actor=organiser,
            room=rooms[0],
            starts_at=conference.event.starts_at,
            submission=subs[2],
        )


def test_releases_are_versioned_with_a_changelog_and_exported(conf):
    conference, organiser, rooms, subs = conf
    start = conference.event.starts_at
    session, _ = session_save(
        conference=conference, actor=organiser, room=rooms[0], starts_at=start, submission=subs[0]
    )
    v1 = schedule_release(conference=conference, actor=organiser, note="first")
    assert v1.version == 1
    assert [c["change"] for c in v1.changes] == ["added"]
    with pytest.raises(ValidationError):
        schedule_release(conference=conference, actor=organiser)
    session_save(
        conference=conference,
        actor=organiser,
        room=rooms[1],
        starts_at=start,
        submission=subs[0],
        session=session,
    )
    v2 = schedule_release(conference=conference, actor=organiser)
    assert v2.version == 2
    assert v2.changes[0]["change"] == "changed"
    assert v2.changes[0]["fields"] == ["room"]
    assert v2.changes[0]["before"]["room"] == "Hall"
    assert v2.changes[0]["after"]["room"] == "A"

    client = Client()
    exported = client.get("/community/conferences/summit/schedule.json").json()
    assert exported["version"] == 2
    assert exported["sessions"][0]["room"] == "A"
    assert (
        client.get("/community/conferences/summit/schedule.json?version=1").json()["sessions"][0]["room"]
        == "Hall"
    )
    assert client.get("/api/v1/growth/conferences/summit/schedule/").json()["version"] == 2
    assert len(client.get("/api/v1/growth/conferences/summit/schedule/releases/").json()) == 2
    cal = Calendar.from_ical(client.get("/community/conferences/summit/schedule.ics").content)
    assert [str(e["summary"]) for e in cal.walk("VEVENT")] == ["Talk A"]
    changes = client.get("/community/conferences/summit/schedule/changes/").content.decode()
    assert "changed" in changes
    assert "room" in changes


def test_starred_sessions_land_in_the_personal_feed(conf):
    conference, organiser, rooms, subs = conf
    session, _ = session_save(
        conference=conference,
        actor=organiser,
        room=rooms[0],
        starts_at=conference.event.starts_at,
        submission=subs[2],
    )
    attendee = UserFactory()
    session_star(user=attendee, session=session, starred=True)
    client = Client()
    client.force_login(attendee)
    client.get("/community/calendar/")
    from growth.models import CalendarToken

    token = CalendarToken.objects.get(user=attendee).token
    anonymous = Client().get(f"/community/calendar/{token}.ics")
    assert anonymous.status_code == 200
    assert [str(e["summary"]) for e in Calendar.from_ical(anonymous.content).walk("VEVENT")] == ["Talk C"]
    assert Client().get("/community/calendar/wrong-token.ics").status_code == 404
    client.post("/community/calendar/")  # rotate: the old address stops working
    assert Client().get(f"/community/calendar/{token}.ics").status_code == 404


def test_schedule_editor_page_warns_about_conflicts(conf):
    conference, organiser, rooms, subs = conf
    client = Client()
    client.force_login(organiser)
    start = conference.event.starts_at.astimezone(__import__("zoneinfo").ZoneInfo(conference.event.timezone))
    fmt = "%Y-%m-%dT%H:%M"
    client.post(
        "/community/conferences/summit/schedule/edit/",
        {"submission": subs[0].pk, "room": rooms[0].pk, "starts_at": start.strftime(fmt)},
    )
    response = client.post(
        "/community/conferences/summit/schedule/edit/",
        {"submission": subs[1].pk, "room": rooms[1].pk, "starts_at": start.strftime(fmt)},
    )
    assert response.status_code == 200
    assert "Saved, with conflicts" in response.content.decode()
    assert conference.sessions.count() == 2

"""Anonymised review: no view a reviewer can open shows who the speakers are — portal pages, API responses,
history and the notification emails — even when a speaker wrote their own name into the text."""

import json

import pytest
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from growth.models import CfPQuestion
from growth.services.cfp import submission_create
from growth.services.reviews import review_submit, submission_decide
from tests.factories import UserFactory
from tests.growth.factories import conference_setup, speaker

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(django_capture_on_commit_callbacks):
    organiser, reviewer = UserFactory(), UserFactory(email="rev@example.com")
    conference, track, talk, _ = conference_setup(organiser=organiser, reviewer=reviewer)
    visible = CfPQuestion.objects.create(conference=conference, text="Given before?")
    hidden = CfPQuestion.objects.create(
        conference=conference, text="Accessibility?", visible_to_reviewers=False
    )
    main = speaker(email="grace.hopper@navy.example", display_name="Grace Hopper")
    co = speaker(email="ada@lovelace.example", display_name="Ada Lovelace")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        submission = submission_create(
            conference=conference,
            submitter=main,
            track=track,
            submission_type=talk,
            title="Compilers at Initech",
            abstract="Grace Hopper explains how we taught machines to schedule.",
            description="Contact grace.hopper@navy.example for slides.",
            notes="Grace needs a ramp",
            answers={
                visible.pk: "Yes, at Ada Lovelace's meetup",
                hidden.pk: "Grace Hopper needs a wheelchair ramp",
            },
            co_speaker_emails=[co.email],
        )
    return {
        "organiser": organiser,
        "reviewer": reviewer,
        "submission": submission,
        "speakers": [main, co],
        "conference": conference,
    }


IDENTITY = [
    "Grace",
    "Hopper",
    "grace.hopper",
    "navy.example",
    "Ada",
    "Lovelace",
    "lovelace.example",
    "Initech",
]


def _assert_anonymous(text):
    found = [word for word in IDENTITY if word.lower() in text.lower()]
    assert not found, f"speaker identity leaked to a reviewer: {found}"


def test_reviewer_notification_email_is_anonymous(setup):
    to_reviewer = [m for m in mail.outbox if m.to == [setup["reviewer"].email]]
    assert len(to_reviewer) == 1
    _assert_anonymous(to_reviewer[0].subject + to_reviewer[0].body)
    assert str(setup["submission"].public_id) in to_reviewer[0].body


def test_every_reviewer_portal_page_is_anonymous(setup):
    client = Client()
    client.force_login(setup["reviewer"])
    submission = setup["submission"]
    review_submit(
        submission=submission,
        reviewer=setup["reviewer"],
        scores={str(c.pk): 4 for c in setup["conference"].criteria.all()},
    )
    submission_decide(submission=submission, actor=setup["organiser"], state="accepted")
    for url in ("/community/review/", f"/community/review/{submission.public_id}/"):
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        _assert_anonymous(html)
        assert "[redacted]" in html or url == "/community/review/"
    page = client.get(f"/community/review/{submission.public_id}/").content.decode()
    assert "Given before?" in page
    assert "Accessibility?" not in page
    assert "speaker: submitted" in page
    assert "organiser: accepted" in page
    assert "reviewer: reviewed" in page


def test_every_reviewer_api_response_is_anonymous(setup):
    client = APIClient()
    client.force_authenticate(setup["reviewer"])
    submission = setup["submission"]
    queue = client.get("/api/v1/growth/review/")
    assert queue.status_code == 200
    assert len(queue.json()) == 1
    detail = client.get(f"/api/v1/growth/review/{submission.public_id}/")
    assert detail.status_code == 200
    criteria = setup["conference"].criteria.all()
    scored = client.post(
        f"/api/v1/growth/review/{submission.public_id}/",
        {"scores": {str(c.pk): 3 for c in criteria}, "comment": "ok"},
        format="json",
    )
    assert scored.status_code == 200
    again = client.get(f"/api/v1/growth/review/{submission.public_id}/")
    for response in (queue, detail, scored, again):
        _assert_anonymous(json.dumps(response.json()))
    assert again.json()["history"][-1] == {
        **again.json()["history"][-1],
        "by": "reviewer",
        "action": "reviewed",
    }


def test_reviewers_cannot_open_other_tracks_or_their_own_submissions(setup):
    outsider = UserFactory()
    client = Client()
    client.force_login(outsider)
    assert client.get(f"/community/review/{setup['submission'].public_id}/").status_code == 404
    api = APIClient()
    api.force_authenticate(outsider)
    assert api.get(f"/api/v1/growth/review/{setup['submission'].public_id}/").status_code == 404
    assert api.get("/api/v1/growth/review/").json() == []


def test_organisers_do_see_speakers_and_weighted_scores(setup):
    from decimal import Decimal

    criteria = list(setup["conference"].criteria.order_by("pk"))  # Relevance ×3, Clarity ×1
    review = review_submit(
        submission=setup["submission"],
        reviewer=setup["reviewer"],
        scores={str(criteria[0].pk): 5, str(criteria[1].pk): 1},
    )
    assert review.score == Decimal("4.00")
    client = Client()
    client.force_login(setup["organiser"])
    page = client.get("/community/conferences/summit/submissions/").content.decode()
    assert "Grace Hopper" in page
    assert "4.00" in page


def test_decisions_notify_the_speakers(setup, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        submission_decide(submission=setup["submission"], actor=setup["organiser"], state="waitlisted")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in setup["speakers"])
    assert "waitlist" in mail.outbox[0].body

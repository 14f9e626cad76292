"""Review queues run a fixed number of queries however many submissions they list; times, seats and check-in
counts each come from one helper."""

from datetime import UTC, datetime

import pytest
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from growth.models import RSVP, CfPQuestion, Quota
from growth.models.tickets import seats_left
from growth.selectors.events import checked_in_count
from growth.selectors.review import anonymised_submission, anonymised_submissions, reviewable_submissions
from growth.services.cfp import submission_create
from growth.services.reviews import review_submit
from growth.services.rsvps import rsvp_check_in, rsvp_create
from growth.templatetags.growth_tags import in_tz
from growth.timezones import format_in_zone
from tests.factories import UserFactory
from tests.growth.factories import EventFactory, conference_setup, speaker, ticketed_event

pytestmark = pytest.mark.django_db


def _submissions(conference, track, talk, count: int):
    question = CfPQuestion.objects.create(conference=conference, text="Given before?")
    made = []
    for n in range(count):
        main = speaker(email=f"speaker{n}@example.com", display_name=f"Speaker Number{n}")
        co = speaker(email=f"co{n}@example.com", display_name=f"Co Person{n}")
        made.append(
            submission_create(
                conference=conference,
                submitter=main,
                track=track,
                submission_type=talk,
                title=f"Talk {n} by Number{n}",
                abstract=f"Speaker Number{n} explains things.",
                answers={question.pk: f"Yes, with Person{n}"},
                co_speaker_emails=[co.email],
            )
        )
    return made


@pytest.fixture
def queue():
    reviewer = UserFactory()
    conference, track, talk, _ = conference_setup(reviewer=reviewer)
    submissions = _submissions(conference, track, talk, 8)
    mail.outbox.clear()
    return reviewer, submissions


def test_organisers_submissions_page_runs_a_fixed_number_of_queries(queue, django_assert_max_num_queries):
    # given eight submissions, two of them reviewed
    reviewer, submissions = queue
    conference = submissions[0].conference
    criteria = {str(c.pk): 4 for c in conference.criteria.all()}
    review_submit(submission=submissions[0], reviewer=reviewer, scores=criteria, comment="")
    review_submit(submission=submissions[1], reviewer=reviewer, scores=dict.fromkeys(criteria, 2), comment="")
    organiser = UserFactory()
    conference.organisers.add(organiser)
    client = Client()
    client.force_login(organiser)

    # when the organisers' list is shown, then its queries do not grow with the submissions
    with django_assert_max_num_queries(12):
        page = client.get(f"/community/conferences/{conference.slug}/submissions/").content.decode()

    # and the best-scored submission comes first, with its speakers' names (organisers see them)
    assert page.index("Talk 0 by Number0") < page.index("Talk 1 by Number1") < page.index("Talk 5 by Number5")
    assert "Speaker Number3" in page


def test_portal_review_queue_runs_a_fixed_number_of_queries(queue, django_assert_max_num_queries):
    # given a reviewer with eight submissions to review, each with two speakers, an answer and history
    reviewer, _ = queue
    client = Client()
    client.force_login(reviewer)

    # when the queue is shown, then the queries do not grow with the submissions
    with django_assert_max_num_queries(10):
        page = client.get("/community/review/").content.decode()

    # and every submission is listed with its speakers' names redacted
    assert all(f"Talk {n} by [redacted]" in page for n in range(8))
    assert "Number3" not in page


def test_api_review_queue_runs_a_fixed_number_of_queries(queue, django_assert_max_num_queries):
    reviewer, _ = queue
    api = APIClient()
    api.force_authenticate(reviewer)

    with django_assert_max_num_queries(10):
        items = api.get("/api/v1/growth/review/").json()

    assert len(items) == 8
    assert items[0]["answers"][0]["answer"].startswith("Yes, with [redacted]")
    assert all(item["history"] for item in items)


def test_the_batch_gives_what_each_submission_gives_alone(queue):
    # given the reviewer's queue
    reviewer, _ = queue
    submissions = [s for _, s in reviewable_submissions(reviewer)]

    # when anonymised all at once and one by one, then the results are the same
    assert anonymised_submissions(submissions) == [anonymised_submission(s) for s in submissions]
    assert [s.title for s in submissions] == [f"Talk {n} by Number{n}" for n in range(8)]  # oldest first


def test_event_times_read_the_same_in_pages_emails_and_the_api():
    # given an event in Tokyo
    starts = datetime(2030, 3, 5, 17, 30, tzinfo=UTC)
    event = EventFactory(timezone="Asia/Tokyo", starts_at=starts, ends_at=starts.replace(hour=20))

    # when the filter, the email helper and the API show its start
    shown = in_tz(event.starts_at, event.timezone)
    body = Client().get(f"/api/v1/growth/events/{event.slug}/").json()

    # then they agree, and an unknown zone falls back to UTC instead of failing
    assert shown == format_in_zone(event.starts_at, "Asia/Tokyo") == "Wed 06 Mar 2030, 02:30 JST"
    assert body["starts_at_local"] == "2030-03-06T02:30:00+09:00"
    assert in_tz(event.starts_at, "Not/AZone") == "Tue 05 Mar 2030, 17:30 UTC"


def test_reminder_email_shows_the_events_local_time(django_capture_on_commit_callbacks):
    from growth import notifications

    starts = datetime(2030, 7, 1, 16, 0, tzinfo=UTC)
    event = EventFactory(timezone="Europe/Berlin", starts_at=starts, ends_at=starts.replace(hour=18))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        notifications.event_reminder(UserFactory(email="a@example.com"), event, "1 hour")

    assert "Mon 01 Jul 2030, 18:00 CEST" in mail.outbox[0].body


def test_seats_left_is_the_smallest_availability_of_a_types_quotas():
    # given a type on two quotas with 3 and 5 seats left, and a type on none
    event, quota, ticket_type = ticketed_event(seats=10)
    Quota.objects.filter(pk=quota.pk).update(used=7)
    extra = Quota.objects.create(event=event, name="Workshop", size=5)
    ticket_type.quotas.add(extra)

    # then it can sell 3, and the page and API say so
    assert seats_left(ticket_type.quotas.all()) == 3
    assert seats_left([]) == 0
    types = Client().get(f"/api/v1/growth/events/{event.slug}/ticket-types/").json()
    assert types[0]["available"] == 3
    assert "3 left" in Client().get(f"/community/events/{event.slug}/").content.decode()


def test_checked_in_count_counts_rsvps_only_for_free_events():
    # given a free event with two RSVPs, one checked in
    event = EventFactory(capacity=None)
    staff = UserFactory(is_staff=True)
    first = rsvp_create(event=event, user=UserFactory())
    rsvp_create(event=event, user=UserFactory())
    rsvp_check_in(rsvp=first, actor=staff)

    # then one person is counted, on the page too
    assert checked_in_count(event) == 1
    client = Client()
    client.force_login(staff)
    assert "1 checked in." in client.get(f"/community/events/{event.slug}/check-in/").content.decode()

    # and for a ticketed event RSVPs do not count (tickets do)
    ticketed, _, _ = ticketed_event()
    RSVP.objects.create(event=ticketed, user=UserFactory(), state="going", checked_in_at=first.checked_in_at)
    assert checked_in_count(ticketed) == 0

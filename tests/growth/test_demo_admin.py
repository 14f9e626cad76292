"""seed_demo data (idempotent, more than 100 chapters, the whole story) and the admin pages."""

import io

import pytest
from django.test import Client

from growth import demo
from growth.models import Chapter, Event, FundingRequest, Submission, Ticket
from novacron.accounts import demo as accounts_demo


@pytest.mark.django_db(transaction=True)  # real commits: tickets are issued by revenue's on-commit hook
def test_seed_twice_creates_no_duplicates_and_tells_the_whole_story():
    accounts_demo.seed(io.StringIO())
    demo.seed(io.StringIO())
    counts = (
        Chapter.objects.count(),
        Event.objects.count(),
        Submission.objects.count(),
        Ticket.objects.count(),
    )
    demo.seed(io.StringIO())
    assert (
        Chapter.objects.count(),
        Event.objects.count(),
        Submission.objects.count(),
        Ticket.objects.count(),
    ) == counts
    assert counts[0] > 100
    ticket = Ticket.objects.get(holder__email="buyer@demo.novacron.dev")
    assert ticket.checked_in_at is not None
    assert ticket.leads.exists()
    assert FundingRequest.objects.filter(state="paid").exists()
    assert Event.objects.get(slug="berlin-hands-on-evening").rsvps.filter(state="waitlisted").exists()
    listed = Client().get("/community/conferences/").content.decode()
    assert "NovaCron Summit 2027" in listed
    assert "NovaCron Summit 2026" in listed  # the past part is not empty in the demo


@pytest.mark.django_db
def test_admin_pages_load():
    from tests.factories import UserFactory

    admin = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    for model in (
        "chapter",
        "event",
        "rsvp",
        "tickettype",
        "quota",
        "tickethold",
        "ticket",
        "checkin",
        "voucher",
        "conference",
        "submission",
        "review",
        "session",
        "schedulerelease",
        "sponsor",
        "lead",
        "fundingrequest",
        "question",
        "resource",
        "ticketwaitlistentry",
    ):
        assert client.get(f"/admin/growth/{model}/").status_code == 200, model
        assert client.get(f"/admin/growth/{model}/add/").status_code == 200, model

"""Every portal page renders with real content, for the people who may see it."""

import pytest
from django.urls import reverse

from marketplace.models import AppVersion
from marketplace.services import certification, installs, reviews
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.marketplace.factories import make_app

pytestmark = pytest.mark.django_db


def test_publisher_pages(client, publisher, publisher_user):
    app = make_app(
        publisher,
        plans=[{"name": "Team", "model": "per_seat", "interval": "month", "amount": 900, "trial_days": 14}],
    )
    client.force_login(publisher_user)
    console = client.get(reverse("marketplace:console")).content.decode()
    assert app.name in console
    assert "Payout account" in console
    page = client.get(reverse("marketplace:app_console", args=[app.slug])).content.decode()
    assert "Versions and submissions" in page
    assert "Team" in page
    assert "$9.00 per seat / month" in page
    assert client.get(reverse("marketplace:version_create", args=[app.slug])).status_code == 200
    assert client.get(reverse("marketplace:certification_apply", args=[app.slug])).status_code == 200
    key_page = client.post(reverse("marketplace:api_key", args=[app.slug])).content.decode()
    assert "mkt_" in key_page
    version = app.versions.get()
    assert "Manifest" in client.get(reverse("marketplace:version", args=[version.public_id])).content.decode()
    bad = client.post(
        reverse("marketplace:version_create", args=[app.slug]), {"version": "2.0.0", "manifest": "{not json"}
    )
    assert "Not valid JSON" in bad.content.decode()


def test_reviewer_pages(client, publisher, publisher_user, reviewer, moderator, buyer):  # noqa: PLR0917
    app = make_app(publisher)
    version = AppVersion.objects.get(app=app)
    installs.install(app=app, plan=app.plans.get(), user=buyer)
    review = reviews.review_create(app=app, user=buyer, rating=1, title="Bad", body="Spam spam")
    reviews.review_report(review=review, user=UserFactory(), reason="spam")
    AppVersion.objects.filter(pk=version.pk).update(submission=1)
    version.checks.create(run=1, check_name="manifest", status="pass", message="ok")
    certification.certification_request(
        app=app,
        user=publisher_user,
        kind="certified",
        questionnaire={k: True for k, _ in certification.QUESTIONNAIRE},
        support_response_hours=100,
        uptime_slo="99.9",
    )
    from marketplace.services.versions import version_create

    version = version_create(app=app, user=publisher_user, version="1.1.0")
    AppVersion.objects.filter(pk=version.pk).update(
        state="in_review", queued_at=version.created_at, submission=1
    )
    version.checks.create(run=1, check_name="manifest", status="pass", message="ok")
    client.force_login(reviewer)
    queue = client.get(reverse("marketplace:queue")).content.decode()
    assert app.name in queue
    assert "Manual review" in queue
    page = client.get(reverse("marketplace:review_version", args=[version.public_id])).content.decode()
    assert "Assign to me" in page
    assert "Manifest schema" in page
    client.post(reverse("marketplace:review_action", args=[version.public_id, "assign"]))
    assert (
        "Checklist"
        in client.get(reverse("marketplace:review_version", args=[version.public_id])).content.decode()
    )
    certs = client.get(reverse("marketplace:certifications")).content.decode()
    assert "72 hours" in certs  # the unmet requirement is shown
    client.force_login(moderator)
    assert "Spam spam" in client.get(reverse("marketplace:moderation")).content.decode()


def test_organisation_installs_page_manages_seats(client, publisher):
    app = make_app(
        publisher,
        plans=[{"name": "Team", "model": "per_seat", "interval": "month", "amount": 900, "trial_days": 14}],
    )
    admin, member = UserFactory(), UserFactory()
    org = OrganizationFactory()
    MembershipFactory(organization=org, user=admin, role="owner")
    MembershipFactory(organization=org, user=member)
    installation = installs.trial_start(app=app, plan=app.plans.get(), user=admin, organization_id=org.pk)
    client.force_login(admin)
    page = client.get(reverse("marketplace:installations")).content.decode()
    assert org.name in page
    assert "Give seat" in page
    client.post(reverse("marketplace:seats", args=[installation.public_id]), {"email": member.email})
    assert installation.seat_assignments.filter(user=member).exists()
    client.force_login(member)
    assert "Give seat" not in client.get(reverse("marketplace:installations")).content.decode()

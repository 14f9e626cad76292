"""Admin pages render for staff, admin actions go through the services; periodic tasks run by command."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from marketplace.models import AbuseReport, App, Installation
from marketplace.services import installs, reviews
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


@pytest.mark.parametrize(
    "model",
    [
        "app",
        "appversion",
        "publisher",
        "installation",
        "purchase",
        "review",
        "abusereport",
        "certificationrequest",
        "badge",
        "category",
        "developeragreement",
        "pricechange",
    ],
)
def test_admin_changelists_render(admin_client, app, model):
    assert admin_client.get(reverse(f"admin:marketplace_{model}_changelist")).status_code == 200


def test_admin_uphold_action_hides_the_review(admin_client, app, buyer):
    installs.install(app=app, plan=app.plans.get(), user=buyer)
    review = reviews.review_create(app=app, user=buyer, rating=1, title="x", body="y")
    report = reviews.review_report(review=review, user=UserFactory(), reason="spam")
    admin_client.post(
        reverse("admin:marketplace_abusereport_changelist"),
        {"action": "uphold", "_selected_action": [report.pk]},
    )
    assert AbuseReport.objects.get(pk=report.pk).status == "upheld"
    assert App.objects.get(pk=app.pk).rating_count == 0


def test_expire_command_ends_lapsed_trials(publisher, buyer):
    from tests.marketplace.factories import make_app

    app = make_app(publisher, plans=[{"name": "Pro", "model": "one_time", "amount": 100, "trial_days": 7}])
    installation = installs.trial_start(app=app, plan=app.plans.get(), user=buyer)
    Installation.objects.filter(pk=installation.pk).update(
        trial_ends_at=timezone.now() - timedelta(minutes=1)
    )
    out = io.StringIO()
    call_command("marketplace_tasks", "expire", stdout=out)
    assert "'installations': 1" in out.getvalue()
    assert Installation.objects.get(pk=installation.pk).status == "expired"
    call_command("marketplace_tasks", "resume-checks", stdout=io.StringIO())


def test_dashboard_panel_and_pages_render(client, app, buyer, reviewer):
    client.force_login(buyer)
    assert client.get(reverse("portal:dashboard")).status_code == 200
    assert client.get(reverse("marketplace:installations")).status_code == 200
    assert client.get(reverse("marketplace:publisher_register")).status_code == 200
    client.force_login(reviewer)
    for name in ("queue", "moderation", "certifications"):
        assert client.get(reverse(f"marketplace:{name}")).status_code == 200

"""The "Done when" flow, entirely through the portal: register as a publisher, create and submit an app, see the
automated checks, a reviewer approves it, another user buys it through checkout (test card 4242...), installs,
reviews it, and the publisher sees the pending sale on revenue's earnings page."""

import json
import re

import pytest
from django.urls import reverse

from marketplace.models import App, AppVersion, Installation, Purchase
from marketplace.models.versions import REVIEW_CHECKLIST
from marketplace.services.publishers import agreement_current
from tests.factories import UserFactory
from tests.marketplace.factories import DESCRIPTION, GOOD_MANIFEST, png

pytestmark = pytest.mark.django_db


def test_newcomer_publishes_and_sells_an_app_through_the_portal(client, reviewer, local_http, run_on_commit):  # noqa: PLR0915 (one end-to-end story)
    # Register as a publisher (accepting the agreement).
    developer = UserFactory()
    client.force_login(developer)
    response = client.get(reverse("marketplace:publisher_register"))
    assert agreement_current().title in response.content.decode()
    response = client.post(reverse("marketplace:publisher_register"), {"display_name": "Insight Labs"})
    assert response.status_code == 200
    assert "accept" in response.context["form"].errors
    response = client.post(
        reverse("marketplace:publisher_register"), {"display_name": "Insight Labs", "accept": "on"}
    )
    assert response.status_code == 302
    publisher_slug = "insight-labs"

    # Create the app (with a logo), a screenshot, a paid plan and a version.
    response = client.post(
        reverse("marketplace:app_create", args=[publisher_slug]),
        {
            "name": "Cron Insights",
            "tagline": "Dashboards for every schedule",
            "description": DESCRIPTION,
            "category": "monitoring",
            "vertical": "finance",
            "tags": "dashboards, reporting",
            "languages": ["en", "de"],
            "documentation_url": f"{local_http}/ok/docs",
            "support_url": f"{local_http}/ok/support",
            "privacy_policy_url": f"{local_http}/ok/privacy",
            "terms_url": f"{local_http}/ok/terms",
            "logo": png(256, 256, name="logo.png"),
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    app = App.objects.get(slug="cron-insights")
    assert app.logo
    for _ in range(3):
        client.post(
            reverse("marketplace:screenshot_add", args=[app.slug]), {"image": png(), "caption": "Dashboard"}
        )
    client.post(
        reverse("marketplace:plan_create", args=[app.slug]),
        {"name": "Pro", "model": "one_time", "currency": "USD", "price": "49.00", "trial_days": "0"},
    )
    assert app.plans.get().amount == 4900
    response = client.post(
        reverse("marketplace:version_create", args=[app.slug]),
        {"version": "1.0.0", "changelog": "First release", "manifest": json.dumps(GOOD_MANIFEST)},
    )
    version = AppVersion.objects.get(app=app)
    assert response.status_code == 302

    # Submit: the automated checks run and are visible.
    with run_on_commit():
        client.post(reverse("marketplace:version_submit", args=[version.public_id]))
    version.refresh_from_db()
    assert version.state == AppVersion.State.IN_REVIEW, version.decision_reason
    page = client.get(reverse("marketplace:version", args=[version.public_id])).content.decode()
    for label in ("Manifest schema", "Required links reachable", "Security scan (bandit)"):
        assert label in page
    assert "Manual review" in page  # the SLA timer

    # A reviewer approves it from the queue.
    client.force_login(reviewer)
    assert app.name in client.get(reverse("marketplace:queue")).content.decode()
    action = lambda name, data=None: client.post(  # noqa: E731
        reverse("marketplace:review_action", args=[version.public_id, name]), data or {}
    )
    action("assign")
    action("checklist", {key: "on" for key, _ in REVIEW_CHECKLIST})
    action("decide", {"decision": "approve"})
    version.refresh_from_db()
    assert version.state == AppVersion.State.PUBLISHED

    # Another user finds it, buys it with the test card and it is installed.
    buyer = UserFactory()
    client.force_login(buyer)
    assert "Cron Insights" in client.get(reverse("marketplace:index"), {"q": "dashboards"}).content.decode()
    plan = app.plans.get()
    buy_url = reverse("marketplace:buy", args=[app.slug, plan.public_id])
    page = client.get(buy_url).content.decode()
    assert "$49.00" in page
    token = re.search(r'name="submission_token" value="([0-9a-f]{32})"', page).group(1)
    with run_on_commit():
        response = client.post(
            buy_url, {"card_number": "4242 4242 4242 4242", "seats": "1", "submission_token": token}
        )
    assert response.status_code == 302
    installation = Installation.objects.get(app=app, user=buyer)
    assert installation.status == "active"
    assert installation.granted_scopes == GOOD_MANIFEST["scopes"]
    assert Purchase.objects.get(installation=installation).net_amount == 4900
    assert "Cron Insights" in client.get(reverse("marketplace:installations")).content.decode()

    # The buyer reviews it; the rating is on the app page.
    client.post(
        reverse("marketplace:review_create", args=[app.slug]),
        {"rating": "5", "title": "Great", "body": "Exactly what we needed."},
    )
    app.refresh_from_db()
    assert app.rating_count == 1
    assert app.rating_average == 5
    assert (
        "Exactly what we needed." in client.get(reverse("marketplace:app", args=[app.slug])).content.decode()
    )

    # The publisher sees the sale pending (escrow) in revenue's earnings.
    client.force_login(developer)
    earnings = client.get(reverse("revenue:earnings")).content.decode()
    assert "Cron Insights" in earnings
    console = client.get(reverse("marketplace:console")).content.decode()
    assert "pending (escrow)" in console
    assert "$34.30" in console


def test_a_failing_check_stops_the_version_and_the_publisher_sees_why(  # noqa: PLR0917 (fixtures)
    client, publisher, publisher_user, closed_port_url, settings, run_on_commit
):
    settings.MARKETPLACE_LINK_CHECK_ALLOW_PRIVATE = True
    settings.MARKETPLACE_LINK_TIMEOUT = 0.5
    from tests.marketplace.factories import make_app

    app = make_app(publisher, published=False)
    App.objects.filter(pk=app.pk).update(documentation_url=closed_port_url)
    version = app.versions.get()
    client.force_login(publisher_user)
    with run_on_commit():
        client.post(reverse("marketplace:version_submit", args=[version.public_id]))
    version.refresh_from_db()
    assert version.state == AppVersion.State.REJECTED
    page = client.get(reverse("marketplace:version", args=[version.public_id])).content.decode()
    assert "unreachable" in page
    assert "Submit again" in page

"""The REST API covers the portal's ground: publish, review, buy (idempotent), install, review, moderate,
certify — with field errors in the project's error body."""

import pytest
from rest_framework.test import APIClient

from marketplace.models import App, AppVersion, Installation
from marketplace.models.versions import REVIEW_CHECKLIST
from marketplace.services.certification import QUESTIONNAIRE
from marketplace.services.publishers import agreement_current
from tests.factories import UserFactory
from tests.marketplace.factories import DESCRIPTION, GOOD_MANIFEST, png

pytestmark = pytest.mark.django_db
API = "/api/v1/marketplace"


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_publish_review_buy_and_review_through_the_api(reviewer, local_http, run_on_commit):  # noqa: PLR0915 (one end-to-end story)
    dev = _client(UserFactory())
    bad = dev.post(f"{API}/publishers/", {"display_name": "", "agreement_version": "0.1"}, format="json")
    assert bad.status_code == 400
    assert "display_name" in bad.json()["error"]["fields"]
    wrong = dev.post(
        f"{API}/publishers/", {"display_name": "API Labs", "agreement_version": "0.1"}, format="json"
    )
    assert wrong.status_code == 400
    assert "agreement_version" in wrong.json()["error"]["fields"]
    publisher = dev.post(
        f"{API}/publishers/",
        {"display_name": "API Labs", "agreement_version": agreement_current().version},
        format="json",
    ).json()

    links = dict.fromkeys(
        ("documentation_url", "support_url", "privacy_policy_url", "terms_url"), f"{local_http}/ok"
    )
    created = dev.post(
        f"{API}/publishers/{publisher['slug']}/apps/",
        {
            "name": "Api App",
            "tagline": "Made by API",
            "description": DESCRIPTION,
            "category": "analytics",
            "vertical": "retail",
            "languages": ["en"],
            **links,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    slug = created.json()["slug"]
    assert (
        dev.post(
            f"{API}/apps/{slug}/logo/", {"logo": png(300, 200, name="wide.png")}, format="multipart"
        ).status_code
        == 400
    )
    assert (
        dev.post(
            f"{API}/apps/{slug}/logo/", {"logo": png(300, 300, name="logo.png")}, format="multipart"
        ).status_code
        == 200
    )
    for _ in range(3):
        assert (
            dev.post(
                f"{API}/apps/{slug}/screenshots/", {"image": png(), "caption": "x"}, format="multipart"
            ).status_code
            == 201
        )
    plan = dev.post(
        f"{API}/apps/{slug}/plans/",
        {"name": "Pro", "model": "one_time", "amount": 12000},
        format="json",
    )
    assert plan.status_code == 201
    bad_plan = dev.post(
        f"{API}/apps/{slug}/plans/", {"name": "Broken", "model": "subscription", "amount": 100}, format="json"
    )
    assert bad_plan.status_code == 400
    assert "interval" in bad_plan.json()["error"]["fields"]
    version = dev.post(
        f"{API}/apps/{slug}/versions/",
        {"version": "1.0.0", "changelog": "First", "manifest": GOOD_MANIFEST},
        format="json",
    ).json()
    with run_on_commit():
        submitted = dev.post(f"{API}/versions/{version['public_id']}/submit/")
    assert submitted.status_code == 200
    detail = dev.get(f"{API}/versions/{version['public_id']}/").json()
    assert detail["state"] == "in_review"
    assert {c["check_name"] for c in detail["checks"]} >= {
        "manifest",
        "links",
        "security",
    }
    assert detail["sla"]["label"] == "Manual review"

    rev = _client(reviewer)
    assert [v["public_id"] for v in rev.get(f"{API}/review-queue/").json()] == [version["public_id"]]
    early = rev.post(f"{API}/versions/{version['public_id']}/approve/", {}, format="json")
    assert early.status_code == 409
    rev.post(f"{API}/versions/{version['public_id']}/assign/", {}, format="json")
    rev.post(
        f"{API}/versions/{version['public_id']}/checklist/",
        {"answers": {k: True for k, _ in REVIEW_CHECKLIST}},
        format="json",
    )
    rev.post(f"{API}/versions/{version['public_id']}/comments/", {"body": "Looks good"}, format="json")
    approved = rev.post(f"{API}/versions/{version['public_id']}/approve/", {"reason": "ok"}, format="json")
    assert approved.status_code == 200
    assert approved.json()["state"] == "published"

    buyer_user = UserFactory()
    buyer = _client(buyer_user)
    page = buyer.get(f"{API}/apps/{slug}/").json()
    assert page["current_version"]["version"] == "1.0.0"
    assert page["plans"][0]["price"]["formatted"] == "$120.00"
    body = {"plan": page["plans"][0]["public_id"], "payment_method": "4242424242424242"}
    with run_on_commit():
        bought = buyer.post(f"{API}/apps/{slug}/purchase/", body, format="json", HTTP_IDEMPOTENCY_KEY="buy-1")
    assert bought.status_code == 201, bought.json()
    assert bought.json()["state"] == "paid"
    # (In a real request the on_paid hook runs as checkout commits, so the response carries the installation;
    # here the test's transaction defers it to the end of the `with` block.)
    assert Installation.objects.get(user=buyer_user).status == "active"
    replay = buyer.post(f"{API}/apps/{slug}/purchase/", body, format="json", HTTP_IDEMPOTENCY_KEY="buy-1")
    assert replay.json()["order_id"] == bought.json()["order_id"]
    assert replay["Idempotent-Replayed"] == "true"
    assert Installation.objects.get(user=buyer_user).purchases.count() == 1
    owned = buyer.post(f"{API}/apps/{slug}/purchase/", body, format="json")
    assert owned.status_code == 409  # a one-time licence is bought once
    declined = _client(UserFactory()).post(
        f"{API}/apps/{slug}/purchase/", {**body, "payment_method": "4000000000000002"}, format="json"
    )
    assert declined.json()["state"] == "failed"

    review = buyer.post(
        f"{API}/apps/{slug}/reviews/", {"rating": 4, "title": "Solid", "body": "Does the job"}, format="json"
    )
    assert review.status_code == 201
    assert APIClient().get(f"{API}/apps/{slug}/reviews/").json()["results"][0]["title"] == "Solid"
    reply = dev.post(f"{API}/reviews/{review.json()['public_id']}/reply/", {"body": "Thanks"}, format="json")
    assert reply.json()["reply_body"] == "Thanks"
    assert [i["app"] for i in buyer.get(f"{API}/installations/").json()] == [slug]


def test_catalog_is_public_and_unlisted_apps_are_not(api_client, app, publisher):
    from tests.marketplace.factories import make_app

    hidden = make_app(publisher, published=False)
    assert api_client.get(f"{API}/apps/{app.slug}/").status_code == 200
    assert api_client.get(f"{API}/apps/{hidden.slug}/").status_code == 404
    assert api_client.get(f"{API}/categories/").status_code == 200


def test_moderation_and_certification_through_the_api(app, buyer, reviewer, moderator, publisher_user):
    from marketplace.services import installs

    installs.install(app=app, plan=app.plans.get(), user=buyer)
    review = (
        _client(buyer)
        .post(
            f"{API}/apps/{app.slug}/reviews/",
            {"rating": 1, "title": "Spam", "body": "Buy cheap watches"},
            format="json",
        )
        .json()
    )
    reporter = _client(UserFactory())
    report = reporter.post(f"{API}/reviews/{review['public_id']}/report/", {"reason": "spam"}, format="json")
    assert report.status_code == 201
    assert _client(buyer).get(f"{API}/abuse-reports/").status_code == 403
    queue = _client(moderator).get(f"{API}/abuse-reports/").json()
    assert len(queue) == 1
    resolved = _client(moderator).post(
        f"{API}/abuse-reports/{queue[0]['public_id']}/resolve/", {"uphold": True}, format="json"
    )
    assert resolved.json()["status"] == "upheld"
    assert App.objects.get(pk=app.pk).rating_count == 0

    version = AppVersion.objects.get(app=app)
    AppVersion.objects.filter(pk=version.pk).update(submission=1)
    version.checks.create(run=1, check_name="manifest", status="pass")
    questionnaire = {key: True for key, _ in QUESTIONNAIRE}
    dev = _client(publisher_user)
    incomplete = dev.post(
        f"{API}/apps/{app.slug}/certification-requests/",
        {"badge": "certified", "questionnaire": {}, "support_response_hours": 24, "uptime_slo": "99.9"},
        format="json",
    )
    assert incomplete.status_code == 400
    applied = dev.post(
        f"{API}/apps/{app.slug}/certification-requests/",
        {
            "badge": "certified",
            "questionnaire": questionnaire,
            "support_response_hours": 24,
            "uptime_slo": "99.9",
        },
        format="json",
    )
    assert applied.status_code == 201
    assert applied.json()["problems"] == []
    granted = _client(reviewer).post(
        f"{API}/certification-requests/{applied.json()['public_id']}/grant/", {}, format="json"
    )
    assert granted.status_code == 200
    assert granted.json()["state"] == "granted"
    assert APIClient().get(f"{API}/apps/", {"certification": "certified"}).json()["count"] == 1
    enterprise = dev.post(
        f"{API}/apps/{app.slug}/certification-requests/",
        {
            "badge": "enterprise_ready",
            "questionnaire": questionnaire,
            "support_response_hours": 48,
            "uptime_slo": "99.0",
        },
        format="json",
    ).json()
    refused = _client(reviewer).post(
        f"{API}/certification-requests/{enterprise['public_id']}/grant/", {}, format="json"
    )
    assert refused.status_code == 400
    assert "24 hours" in refused.json()["error"]["message"]


def test_upload_validation(app, publisher_user):
    dev = _client(publisher_user)
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("shot.png", b"GIF89a not really", content_type="image/png")
    assert (
        dev.post(f"{API}/apps/{app.slug}/screenshots/", {"image": fake}, format="multipart").status_code
        == 400
    )
    tiny = dev.post(f"{API}/apps/{app.slug}/screenshots/", {"image": png(320, 200)}, format="multipart")
    assert tiny.status_code == 400
    assert "640×360" in tiny.json()["error"]["message"]
    gif = dev.post(
        f"{API}/apps/{app.slug}/screenshots/",
        {"image": png(800, 600, fmt="GIF", name="a.gif")},
        format="multipart",
    )
    assert gif.status_code == 400
    assert "GIF" in gif.json()["error"]["message"]
    assert (
        dev.post(
            f"{API}/apps/{app.slug}/screenshots/",
            {"image": png(800, 600, fmt="JPEG", name="a.jpg")},
            format="multipart",
        ).status_code
        == 201
    )

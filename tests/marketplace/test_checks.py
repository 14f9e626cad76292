"""Automated checks: links against a local HTTP server (reachable, unreachable, slow, 404, timeout), the manifest
schema, scopes against features, screenshots, description, bandit on source bundles, and the quality gate."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from marketplace.models import App, AppVersion, CheckResult
from marketplace.services import checks, versions
from tests.marketplace.factories import GOOD_MANIFEST, make_app, png

pytestmark = pytest.mark.django_db


def _probe(url, settings):
    return checks.probe_link(
        url,
        timeout=settings.MARKETPLACE_LINK_TIMEOUT,
        slow_after=settings.MARKETPLACE_LINK_SLOW_SECONDS,
        allow_private=True,
    )


def test_reachable_link_passes(local_http, settings):
    status, message = _probe(f"{local_http}/ok", settings)
    assert status == "pass"
    assert "HTTP 200" in message


def test_unreachable_link_fails(local_http, closed_port_url, settings):
    status, message = _probe(closed_port_url, settings)
    assert status == "fail"
    assert "unreachable" in message


def test_slow_link_warns_and_a_link_beyond_the_timeout_fails(local_http, settings):
    settings.MARKETPLACE_LINK_TIMEOUT = 3
    status, message = _probe(f"{local_http}/slow", settings)
    assert status == "warn"
    assert "slow" in message
    settings.MARKETPLACE_LINK_TIMEOUT = 0.3
    status, message = _probe(f"{local_http}/slow", settings)
    assert status == "fail"
    assert "no answer within 0.3 s" in message


def test_missing_page_fails(local_http, settings):
    assert _probe(f"{local_http}/missing", settings) == ("fail", "answered HTTP 404")


def test_private_addresses_are_refused_unless_allowed(local_http):
    status, message = checks.probe_link(f"{local_http}/ok", timeout=1, slow_after=1, allow_private=False)
    assert status == "fail"
    assert "private" in message
    assert checks.probe_link("ftp://example.org/x", timeout=1, slow_after=1, allow_private=True)[0] == "fail"
    assert (
        checks.probe_link("https://docs.example.com/x", timeout=1, slow_after=1, allow_private=True)[0]
        == "warn"
    )


def test_links_check_requires_every_link(publisher, local_http):
    app = make_app(publisher, published=False)
    App.objects.filter(pk=app.pk).update(
        documentation_url=f"{local_http}/ok",
        support_url=f"{local_http}/ok",
        privacy_policy_url=f"{local_http}/ok",
        terms_url="",
    )
    status, message, details = checks.check_links(AppVersion.objects.get(app=app))
    assert status == "fail"
    assert "Terms: missing" in message
    assert details["links"]["Documentation"]["status"] == "pass"


def test_manifest_schema_errors_name_the_path(publisher):
    app = make_app(
        publisher,
        published=False,
        manifest={"manifest_version": 1, "scopes": ["root:all"], "features": [], "compatibility": {}},
    )
    status, _message, details = checks.check_manifest(app.versions.get())
    joined = " ".join(details["errors"])
    assert status == "fail"
    assert "scopes/0" in joined
    assert "features" in joined
    assert "min_platform" in joined
    assert checks.check_manifest(make_app(publisher).versions.get())[0] == "pass"


def test_scopes_must_be_needed_by_a_declared_feature(publisher):
    sensitive = {**GOOD_MANIFEST, "scopes": ["schedules:read", "secrets:read"]}
    status, message, _ = checks.check_scopes(make_app(publisher, manifest=sensitive).versions.get())
    assert status == "fail"
    assert "secrets:read" in message
    mild = {**GOOD_MANIFEST, "scopes": ["schedules:read", "logs:read"]}
    assert checks.check_scopes(make_app(publisher, manifest=mild).versions.get())[0] == "warn"
    hooks = {**GOOD_MANIFEST, "features": ["alerting"], "scopes": ["webhooks:receive"]}
    status, message, _ = checks.check_scopes(make_app(publisher, manifest=hooks).versions.get())
    assert status == "fail"
    assert "webhook_url" in message
    assert checks.check_scopes(make_app(publisher).versions.get())[0] == "pass"


def test_screenshots_and_description(publisher, publisher_user):
    from marketplace.services.apps import screenshot_add

    app = make_app(publisher, published=False, description="Too short.")
    version = app.versions.get()
    assert checks.check_screenshots(version)[0] == "fail"
    assert checks.check_description(version)[0] == "fail"
    screenshot_add(app=app, user=publisher_user, image=png())
    assert checks.check_screenshots(version)[0] == "warn"  # one screenshot, no logo


def _bundle(source: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("pkg/main.py", source)
        archive.writestr("README.md", "hello")
    return SimpleUploadedFile("bundle.zip", buffer.getvalue(), content_type="application/zip")


def test_bandit_fails_high_severity_and_passes_clean_code(publisher, publisher_user):
    app = make_app(publisher, published=False)
    bad = versions.version_create(
        app=app,
        user=publisher_user,
        version="1.1.0",
        source_bundle=_bundle("import subprocess\nsubprocess.call(input(), shell=True)\n"),
    )
    status, message, details = checks.check_security(bad)
    assert status == "fail"
    assert "B602" in message
    assert details["findings"][0]["file"] == "pkg/main.py"
    clean = versions.version_create(
        app=app,
        user=publisher_user,
        version="1.2.0",
        source_bundle=_bundle("def add(a, b):\n    return a + b\n"),
    )
    assert checks.check_security(clean)[0] == "pass"
    assert checks.check_security(app.versions.get(version="1.0.0"))[0] == "pass"  # no bundle


def test_bundles_are_validated_on_upload(publisher, publisher_user):
    from marketplace.exceptions import ValidationError

    app = make_app(publisher, published=False)
    with pytest.raises(ValidationError):
        versions.version_create(
            app=app,
            user=publisher_user,
            version="1.1.0",
            source_bundle=SimpleUploadedFile("x.zip", b"not a zip"),
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../evil.py", "x = 1")
    with pytest.raises(ValidationError):
        versions.version_create(
            app=app,
            user=publisher_user,
            version="1.1.0",
            source_bundle=SimpleUploadedFile("x.zip", buffer.getvalue()),
        )


def test_gate_runs_once_after_the_last_check_and_rerunning_is_harmless(
    publisher, publisher_user, local_http, run_on_commit
):
    app = make_app(publisher, published=False)
    App.objects.filter(pk=app.pk).update(**{f: f"{local_http}/ok" for f, _ in checks.REQUIRED_LINKS})
    version = app.versions.get()
    from marketplace.services.apps import screenshot_add

    for _ in range(3):
        screenshot_add(app=app, user=publisher_user, image=png())
    with run_on_commit():
        versions.version_submit(version=version, user=publisher_user)
    version.refresh_from_db()
    assert version.state == AppVersion.State.IN_REVIEW
    assert version.queued_at is not None
    assert CheckResult.objects.filter(version=version, run=1).count() == len(checks.CHECKS)
    # A late duplicate task finds the check done and the version moved on.
    assert checks.check_run(version_id=version.pk, run=1, name="links") is None
    version.refresh_from_db()
    assert version.state == AppVersion.State.IN_REVIEW


def test_manifest_schema_is_published(client):
    response = client.get("/marketplace/schemas/manifest-v1.json")
    assert response.status_code == 200
    assert response.json()["title"].startswith("NovaCron Marketplace app manifest")
    assert client.get("/api/v1/marketplace/manifest-schema/").json() == response.json()

"""Idempotency-Key on a real DRF view (tests/core/urls.py) that writes one row per executed request."""

import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.test.client import encode_multipart
from django.utils import timezone
from django.utils.crypto import get_random_string
from rest_framework.test import APIClient

from novacron.celery import app as celery_app
from novacron.core import exceptions
from novacron.core.models import AuditLog, IdempotencyKey
from novacron.core.tasks import purge_idempotency_keys
from tests.core import urls as test_urls
from tests.factories import UserFactory

pytestmark = pytest.mark.urls("tests.core.urls")

URL = "/api/test/widgets/"


def post(client, body, key=None, **extra):
    if key is not None:
        extra["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(URL, body, format="json", **extra)


def widgets_created() -> int:
    return AuditLog.objects.filter(action=test_urls.WIDGET_ACTION).count()


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
def test_without_a_key_every_request_runs(auth_client):
    first = post(auth_client, {"name": "a"})
    second = post(auth_client, {"name": "a"})

    assert (first.status_code, second.status_code) == (201, 201)
    assert widgets_created() == 2
    assert "Idempotent-Replayed" not in second
    assert not IdempotencyKey.objects.exists()


@pytest.mark.django_db
def test_same_key_and_same_body_replays_the_first_response(auth_client):
    # Given a first request with a key (JSON key order must not matter)
    first = post(auth_client, {"name": "a", "note": "x"}, key="key-1")

    # When the client retries with the same key and the same body
    retry = post(auth_client, {"note": "x", "name": "a"}, key="key-1")

    # Then the stored response comes back and the side effect happened once
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first
    assert retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Location"] == first["Location"]
    assert retry["Idempotent-Replayed"] == "true"
    assert widgets_created() == 1


@pytest.mark.django_db
def test_same_key_with_a_different_body_is_refused(auth_client):
    post(auth_client, {"name": "a"}, key="key-1")

    response = post(auth_client, {"name": "b"}, key="key-1")

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert widgets_created() == 1


@pytest.mark.django_db
def test_keys_are_scoped_per_caller(user):
    alice, bob = client_for(user), client_for(UserFactory())

    from_alice = post(alice, {"name": "a"}, key="shared-key")
    from_bob = post(bob, {"name": "a"}, key="shared-key")
    bob_again = post(bob, {"name": "a"}, key="shared-key")

    assert (from_alice.status_code, from_bob.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in from_bob
    assert from_bob.json()["id"] != from_alice.json()["id"]
    assert bob_again.json() == from_bob.json()
    assert widgets_created() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "   ", "k" * 256])
def test_an_empty_or_too_long_key_is_a_400(auth_client, key):
    response = post(auth_client, {"name": "a"}, key=key)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_idempotency_key"
    assert widgets_created() == 0


@pytest.mark.django_db
def test_a_key_of_maximum_length_is_accepted(auth_client):
    assert post(auth_client, {"name": "a"}, key="k" * 255).status_code == 201


@pytest.mark.django_db
def test_a_validation_error_is_not_stored_so_the_corrected_retry_runs(auth_client):
    rejected = post(auth_client, {}, key="key-1")
    assert rejected.status_code == 400
    assert rejected.json()["error"]["fields"] == {"name": ["This field is required."]}
    assert not IdempotencyKey.objects.exists()

    # The corrected request with the same key runs (it is not a 422 "different body", nor a replayed 400)
    corrected = post(auth_client, {"name": "a"}, key="key-1")

    assert corrected.status_code == 201
    assert widgets_created() == 1


@pytest.mark.django_db
def test_an_unexpected_exception_releases_the_key_so_a_retry_runs(auth_client, monkeypatch):
    def crash(name):
        raise RuntimeError("gateway timed out")

    monkeypatch.setattr(test_urls, "BEFORE_WRITE", crash)
    with pytest.raises(RuntimeError):
        post(auth_client, {"name": "a"}, key="key-1")
    assert not IdempotencyKey.objects.exists()

    monkeypatch.setattr(test_urls, "BEFORE_WRITE", None)
    retry = post(auth_client, {"name": "a"}, key="key-1")

    assert retry.status_code == 201
    assert "Idempotent-Replayed" not in retry
    assert widgets_created() == 1


@pytest.mark.django_db
def test_a_domain_answer_is_stored_and_replayed(auth_client, monkeypatch):
    def refuse(name):
        raise exceptions.PermissionDenied("Only the owner may do this.")

    monkeypatch.setattr(test_urls, "BEFORE_WRITE", refuse)
    first = post(auth_client, {"name": "a"}, key="key-1")
    monkeypatch.setattr(test_urls, "BEFORE_WRITE", None)  # would now succeed if it ran again

    retry = post(auth_client, {"name": "a"}, key="key-1")

    assert first.status_code == retry.status_code == 403
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json()["error"]["code"] == "permission_denied"
    assert widgets_created() == 0


@pytest.mark.django_db
def test_a_key_older_than_the_ttl_is_treated_as_new(auth_client):
    ttl = timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
    post(auth_client, {"name": "a"}, key="key-1")

    # Just inside the retention the key still binds
    IdempotencyKey.objects.update(
        created_at=IdempotencyKey.objects.get().created_at - ttl + timedelta(hours=1)
    )
    assert post(auth_client, {"name": "b"}, key="key-1").status_code == 422

    # Past it, the same key with another body is a new request
    IdempotencyKey.objects.update(created_at=IdempotencyKey.objects.get().created_at - timedelta(hours=2))
    reused = post(auth_client, {"name": "b"}, key="key-1")

    assert reused.status_code == 201
    assert "Idempotent-Replayed" not in reused
    assert widgets_created() == 2
    assert IdempotencyKey.objects.get().fingerprint  # the old row was replaced, not duplicated


@pytest.mark.django_db
def test_purge_task_deletes_only_expired_keys(auth_client):
    post(auth_client, {"name": "old"}, key="old")
    post(auth_client, {"name": "fresh"}, key="fresh")
    IdempotencyKey.objects.filter(key="old").update(
        created_at=IdempotencyKey.objects.get(key="old").created_at
        - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS, minutes=1)
    )

    deleted = purge_idempotency_keys.delay().get()

    assert deleted == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["fresh"]
    # The beat schedule names a task that exists
    assert settings.CELERY_BEAT_SCHEDULE["core.purge_idempotency_keys"]["task"] in celery_app.tasks


def post_multipart(client, fields, *, boundary, key, **extra):
    return client.post(
        URL,
        encode_multipart(boundary, fields),
        content_type=f"multipart/form-data; boundary={boundary}",
        HTTP_IDEMPOTENCY_KEY=key,
        **extra,
    )


@pytest.mark.django_db
def test_a_multipart_retry_with_a_new_boundary_replays_and_a_new_file_is_refused(auth_client):
    # HTTP clients pick a random multipart boundary per request: the raw bytes differ, the request does not.
    def upload(content: bytes, boundary: str):
        attachment = SimpleUploadedFile("spec.txt", content, content_type="text/plain")
        return post_multipart(
            auth_client, {"name": "a", "attachment": attachment}, boundary=boundary, key="key-1"
        )

    first = upload(b"version 1", "boundary-one")
    retry = upload(b"version 1", "boundary-two")
    other_file = upload(b"version 2", "boundary-three")

    assert first.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert other_file.status_code == 422
    assert widgets_created() == 1


@pytest.mark.django_db
def test_a_session_client_posting_a_form_with_csrf_gets_idempotency(user):
    # SessionAuthentication's CSRF check parses a multipart body (consuming the stream) before the view
    # runs; the fingerprint must not need the raw body then.
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    token = get_random_string(32)
    client.cookies["csrftoken"] = token

    refused = post_multipart(client, {"name": "a"}, boundary="b1", key="key-1")
    first = post_multipart(client, {"name": "a"}, boundary="b1", key="key-1", HTTP_X_CSRFTOKEN=token)
    retry = post_multipart(client, {"name": "a"}, boundary="b1", key="key-1", HTTP_X_CSRFTOKEN=token)

    assert refused.status_code == 403  # CSRF really is enforced on this path
    assert first.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert widgets_created() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_concurrent_duplicate_gets_409_and_a_later_retry_replays(user, monkeypatch):
    entered, release = threading.Event(), threading.Event()
    results = {}

    def block(name):
        entered.set()
        assert release.wait(timeout=10)

    def first_request():
        try:
            results["first"] = post(client_for(user), {"name": "a"}, key="key-1")
        finally:
            connections.close_all()  # this thread's own connection

    monkeypatch.setattr(test_urls, "BEFORE_WRITE", block)
    worker = threading.Thread(target=first_request)
    worker.start()
    try:
        # Given the first request is inside the view, holding the key
        assert entered.wait(timeout=10)

        # When a duplicate arrives meanwhile
        duplicate = post(client_for(user), {"name": "a"}, key="key-1")

        # Then it is told to retry later, without running the view
        assert duplicate.status_code == 409
        assert duplicate.json()["error"]["code"] == "idempotency_key_in_use"
        assert widgets_created() == 0
    finally:
        release.set()
        worker.join(timeout=10)

    assert results["first"].status_code == 201
    retry = post(client_for(user), {"name": "a"}, key="key-1")
    assert retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json() == results["first"].json()
    assert widgets_created() == 1


@pytest.mark.django_db
def test_a_claim_left_in_progress_by_a_dead_request_is_released_after_the_timeout(auth_client):
    # Given a claim whose process died mid-request (still "in progress", no stored response)
    post(auth_client, {"name": "a"}, key="key-1")
    IdempotencyKey.objects.update(state=IdempotencyKey.State.IN_PROGRESS, response_status=None)

    # While it is recent, a retry is told to wait
    assert post(auth_client, {"name": "a"}, key="key-1").status_code == 409

    # Once older than the claim timeout, the retry runs
    IdempotencyKey.objects.update(
        created_at=timezone.now() - timedelta(seconds=settings.IDEMPOTENCY_CLAIM_TIMEOUT_SECONDS + 1)
    )
    retry = post(auth_client, {"name": "a"}, key="key-1")
    assert retry.status_code == 201
    assert "Idempotent-Replayed" not in retry
    assert widgets_created() == 2

"""Credentials verify with nothing but the published key; any change fails; revocation flips the status."""

import base64
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from certification import vc
from certification.models import Certificate
from certification.services.certificates import (
    certificate_issue,
    certificate_revoke,
    issuer_profile,
    status_list_credential,
    status_list_url,
    verify_token,
)
from certification.services.keys import issuer_id, published_keys

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(catalog, learner):
    return certificate_issue(user_id=learner.pk, certification=catalog["certification"])


def _forge(token, **changes):
    head, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{head}.{body}.{signature}"


def _checks(report):
    return {c.name: c.ok for c in report.checks}


def test_a_certificate_verifies_offline_with_only_the_published_key_and_the_status_list(certificate):
    # Given only what is public: the JWKs from the issuer profile, the credential and the status list
    profile = issuer_profile()
    keys = {m["id"]: m["publicKeyJwk"] for m in profile["verificationMethod"] if m["type"] == "JsonWebKey"}
    status_jwt = status_list_credential()

    report = vc.verify(
        certificate.jwt, keys=keys, issuer_id=profile["id"], fetch_status_list=lambda url: status_jwt
    )

    assert report.valid, report.summary()
    assert report.credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert report.credential["@context"] == [vc.VC_V2, vc.OB_V3]
    assert report.credential["credentialSubject"]["identifier"][0]["identityHash"] == "Lea Learner"


def test_the_payload_is_the_credential_with_registered_claims(certificate):
    header = json.loads(base64.urlsafe_b64decode(certificate.jwt.split(".")[0] + "=="))
    assert header["alg"] == "EdDSA"
    assert header["typ"] == "vc+jwt"
    assert header["kid"].startswith(issuer_id())
    claims = vc.verify(certificate.jwt, keys=published_keys()).credential
    assert claims["iss"] == issuer_id()
    assert claims["jti"] == claims["id"]
    assert claims["sub"].startswith("urn:uuid:")
    assert claims["exp"] - claims["nbf"] == 730 * 86400


@pytest.mark.parametrize("field", ["name", "validUntil", "credentialSubject"])
def test_any_change_to_the_credential_fails_the_signature(certificate, field):
    head, payload, signature = certificate.jwt.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims[field] = (
        "Grand Master of Everything" if field != "credentialSubject" else {**claims[field], "id": "urn:x"}
    )
    forged = ".".join(
        [head, base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode(), signature]
    )

    report = verify_token(forged)

    assert not report.valid
    assert _checks(report)["signature"] is False
    assert "altered" in report.summary()


def test_a_flipped_signature_byte_fails(certificate):
    head, payload, signature = certificate.jwt.split(".")
    tampered = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    assert _checks(verify_token(f"{head}.{payload}.{tampered}"))["signature"] is False


def test_a_key_the_issuer_does_not_publish_is_reported(certificate):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    forged = vc.sign(
        certificate.credential, private_key=Ed25519PrivateKey.generate(), kid=f"{issuer_id()}#key-evil"
    )
    report = verify_token(forged)
    assert _checks(report)["issuer_key"] is False
    assert not report.valid


def test_revocation_flips_the_status_check(certificate):
    assert _checks(verify_token(certificate.jwt))["status"] is True

    certificate_revoke(certificate=certificate, reason="cheating")

    report = verify_token(certificate.jwt)
    assert _checks(report)["status"] is False
    assert _checks(report)["signature"] is True
    assert "revoked" in report.summary()


def test_expiry_fails_the_validity_window_only(certificate):
    report = verify_token(certificate.jwt, now=certificate.expires_at + timedelta(seconds=1))
    assert _checks(report) == {
        "format": True,
        "issuer_key": True,
        "signature": True,
        "schema": True,
        "validity": False,
        "status": True,
    }


def test_status_list_is_16kib_gzip_base64url_and_signed(certificate):
    certificate_revoke(certificate=certificate, reason="x")
    token = status_list_credential()
    payload = vc.verify(token, keys=published_keys()).credential
    assert payload["id"] == status_list_url()
    encoded = payload["credentialSubject"]["encodedList"]
    assert encoded.startswith("u")
    assert vc.status_bit(encoded, certificate.status_list_index) is True
    other = (certificate.status_list_index + 1) % vc.STATUS_LIST_BITS
    assert vc.status_bit(encoded, other) is False


def test_enveloped_json_download_verifies(client, certificate):
    response = client.get(f"/learn/credentials/{certificate.public_id}/credential.json")
    assert response.status_code == 200
    assert vc.unwrap(response.content.decode()) == certificate.jwt


def test_contexts_are_shipped_valid_json_and_served(client):
    for url, name in vc.CONTEXT_FILES.items():
        assert "@context" in vc.context_document(url)
        assert client.get(f"/learn/contexts/{name}").status_code == 200


def test_public_pages_show_each_check_and_tampering(client, certificate):
    page = client.get(f"/learn/credentials/{certificate.public_id}/")
    assert page.status_code == 200
    assert b"Valid." in page.content
    certificate_revoke(certificate=certificate, reason="fraud")
    page = client.get(f"/learn/credentials/{certificate.public_id}/")
    assert b"Not valid." in page.content
    assert b"revoked" in page.content
    forged = client.post("/learn/verify/", {"credential": _forge(certificate.jwt, name="Anything")})
    assert forged.status_code == 200
    assert b"Signature: FAILED" in forged.content


def test_issuer_profile_publishes_jwk_and_multikey(client, certificate):
    body = client.get("/learn/issuer/").json()
    kinds = {m["type"] for m in body["verificationMethod"]}
    assert kinds == {"JsonWebKey", "Multikey"}
    assert client.get("/learn/status/revocation/")["Content-Type"] == "application/vc+jwt"


def test_verify_api_is_public_and_reports_checks(api_client, certificate):
    response = api_client.post(
        "/api/v1/certification/verify/", {"credential": certificate.jwt}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["valid"] is True
    assert [c["name"] for c in response.json()["checks"]] == list(vc.CHECKS)
    bad = api_client.post("/api/v1/certification/verify/", {}, format="json")
    assert bad.status_code == 400
    assert "credential" in bad.json()["error"]["fields"]


def test_pdf_has_content(client, certificate):
    response = client.get(f"/learn/credentials/{certificate.public_id}/certificate.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_reminders_once_per_threshold(certificate, mailoutbox, django_capture_on_commit_callbacks):
    from certification.services.certificates import reminders_send

    now = certificate.expires_at - timedelta(days=20)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(now=now) == 1
        assert reminders_send(now=now) == 0
        assert reminders_send(now=certificate.expires_at - timedelta(days=5)) == 1
    assert len(mailoutbox) == 2
    assert Certificate.objects.get(pk=certificate.pk).reminders.count() == 2
    assert timezone.now()  # clock untouched

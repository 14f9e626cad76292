"""Certificates: issue (sign an OpenBadgeCredential), revoke, recertify, the status list, verification and
recertification reminders."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from certification import vc
from certification.models import Attempt, Certificate, Certification, ReminderSent
from certification.services.keys import (
    issuer_id,
    issuer_key_active,
    key_reference,
    private_key_of,
    published_keys,
)
from novacron.accounts.facade import user_get
from novacron.core.exceptions import Conflict, ValidationError
from novacron.core.services.audit import audit_record

STATUS_LIST_NAME = "revocation"
REMINDER_DAYS = (90, 30, 7)


def site_url(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def issuer_name() -> str:
    return getattr(settings, "CERTIFICATION_ISSUER_NAME", "NovaCron Community")


def issuer_profile() -> dict[str, Any]:
    """The issuer's Open Badges Profile, with its verification keys (JsonWebKey and Multikey forms)."""
    ident = issuer_id()
    methods = []
    for reference, jwk in published_keys().items():
        methods.append({"id": reference, "type": "JsonWebKey", "controller": ident, "publicKeyJwk": jwk})
        methods.append(
            {
                "id": f"{reference}-multikey",
                "type": "Multikey",
                "controller": ident,
                "publicKeyMultibase": vc.public_multibase(jwk),
            }
        )
    return {
        "@context": [vc.VC_V2, vc.OB_V3],
        "id": ident,
        "type": ["Profile"],
        "name": issuer_name(),
        "url": site_url("/learn/"),
        "email": getattr(settings, "CERTIFICATION_ISSUER_EMAIL", settings.DEFAULT_FROM_EMAIL),
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods if m["type"] == "JsonWebKey"],
    }


def status_list_url() -> str:
    return site_url(reverse("certification:status-list", args=[STATUS_LIST_NAME]))


def credential_url(certificate: Certificate) -> str:
    return site_url(reverse("certification:credential", args=[certificate.public_id]))


def _build_credential(certificate: Certificate) -> dict[str, Any]:
    certification = certificate.certification
    ident = issuer_id()
    return {
        "@context": [vc.VC_V2, vc.OB_V3],
        "id": credential_url(certificate),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": certification.name,
        "issuer": {"id": ident, "type": ["Profile"], "name": issuer_name(), "url": site_url("/learn/")},
        "validFrom": vc.isoformat(certificate.valid_from),
        "validUntil": vc.isoformat(certificate.expires_at),
        "credentialSubject": {
            "id": f"urn:uuid:{certificate.user.public_id}",
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": certificate.recipient_name,
                    "identityType": "name",
                    "hashed": False,
                }
            ],
            "achievement": {
                "id": site_url(reverse("certification:certification", args=[certification.public_id])),
                "type": ["Achievement"],
                "achievementType": "Certification",
                "name": certification.name,
                "description": certification.description or certification.name,
                "criteria": {
                    "narrative": certification.criteria or certification.description or certification.name
                },
                "fieldOfStudy": certification.track.name,
                "tag": [certification.track.slug, certification.level],
            },
        },
        "credentialStatus": {
            "id": f"{status_list_url()}#{certificate.status_list_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(certificate.status_list_index),
            "statusListCredential": status_list_url(),
        },
        "credentialSchema": [{"id": vc.OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }


def _free_status_index() -> int:
    # Random positions so a certificate's index says nothing about when it was issued (herd privacy).
    taken = set(Certificate.objects.values_list("status_list_index", flat=True))
    if len(taken) >= vc.STATUS_LIST_BITS:
        raise Conflict("The status list is full.")
    while True:
        index = secrets.randbelow(vc.STATUS_LIST_BITS)
        if index not in taken:
            return index


def certificate_issue(
    *,
    user_id: int,
    certification: Certification,
    attempt: Attempt | None = None,
    now: datetime | None = None,
    valid_from: datetime | None = None,
    actor=None,
) -> Certificate:
    """Sign and store the learner's certificate. An active certificate for the same certification is
    superseded (recertification): it stays valid for verifiers but is no longer shown as current."""
    now = now or timezone.now()
    valid_from = valid_from or now
    user = user_get(user_id)
    if user is None:
        raise ValidationError("No such learner.", field="user")
    key = issuer_key_active()
    signer = private_key_of(key)
    for _retry in range(3):
        try:
            with transaction.atomic():
                previous = (
                    Certificate.objects.select_for_update()
                    .filter(user_id=user_id, certification=certification, status=Certificate.Status.ACTIVE)
                    .first()
                )
                if previous is not None:
                    previous.status = Certificate.Status.SUPERSEDED
                    previous.save(update_fields=["status", "updated_at"])
                certificate = Certificate(
                    user_id=user_id,
                    certification=certification,
                    issued_at=now,
                    valid_from=valid_from,
                    expires_at=valid_from + timedelta(days=certification.validity_days),
                    recipient_name=user.name,
                    recipient_country=user.country,
                    status_list_index=_free_status_index(),
                    issuer_key=key,
                    attempt=attempt,
                    supersedes=previous,
                    credential={},
                    jwt="",
                )
                certificate.credential = _build_credential(certificate)
                certificate.jwt = vc.sign(certificate.credential, private_key=signer, kid=key_reference(key))
                certificate.save()
                audit_record(
                    actor=actor,
                    action="certification.certificate.issue",
                    obj=certificate,
                    after={
                        "certification": certification.name,
                        "user": user_id,
                        "expires_at": certificate.expires_at,
                    },
                )
            return certificate
        except IntegrityError:
            continue  # a concurrent issue took the same random index; draw again
    raise Conflict("Could not allocate a status list index; try again.")


def certificate_revoke(
    *, certificate: Certificate, reason: str, actor=None, now: datetime | None = None
) -> Certificate:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give a reason for the revocation.", field="reason")
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if certificate.status == Certificate.Status.REVOKED:
            raise Conflict("This certificate is already revoked.")
        before = {"status": certificate.status}
        certificate.status = Certificate.Status.REVOKED
        certificate.revoked_at = now or timezone.now()
        certificate.revocation_reason = reason[:300]
        certificate.save(update_fields=["status", "revoked_at", "revocation_reason", "updated_at"])
        audit_record(
            actor=actor,
            action="certification.certificate.revoke",
            obj=certificate,
            before=before,
            after={"status": certificate.status, "reason": certificate.revocation_reason},
        )
    return certificate


def status_list_credential(*, now: datetime | None = None) -> str:
    """The signed BitstringStatusListCredential (VC-JWT) with every revoked certificate's bit set."""
    now = now or timezone.now()
    revoked = Certificate.objects.filter(status=Certificate.Status.REVOKED).values_list(
        "status_list_index", flat=True
    )
    url = status_list_url()
    payload = {
        "@context": [vc.VC_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id(),
        "validFrom": vc.isoformat(now),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": vc.encode_status_list(list(revoked)),
        },
    }
    key = issuer_key_active()
    return vc.sign(payload, private_key=private_key_of(key), kid=key_reference(key))


def verify_token(token: str, *, now: datetime | None = None) -> vc.Report:
    """Verify a VC-JWT against our published keys and our own status list (read locally, no network)."""

    def fetch(url: str) -> str | None:
        return status_list_credential(now=now) if url == status_list_url() else None

    return vc.verify(token, keys=published_keys(), issuer_id=issuer_id(), now=now, fetch_status_list=fetch)


def reminders_send(*, now: datetime | None = None) -> int:
    """Email holders whose active certificate expires within 90, 30 or 7 days: one email per certificate and
    threshold, ever (the ReminderSent row is claimed first, so a re-run or a concurrent run sends nothing twice).
    Only the tightest threshold reached is sent (a certificate found at 20 days left gets the 30-day email)."""
    now = now or timezone.now()
    sent = 0
    horizon = now + timedelta(days=max(REMINDER_DAYS))
    candidates = Certificate.objects.filter(
        status=Certificate.Status.ACTIVE, expires_at__gt=now, expires_at__lte=horizon
    ).select_related("certification", "user")
    for certificate in candidates:
        days_left = (certificate.expires_at - now).days
        threshold = min(d for d in REMINDER_DAYS if days_left < d)
        with transaction.atomic():
            _, created = ReminderSent.objects.get_or_create(
                certificate=certificate, days_before=threshold, defaults={"sent_at": now}
            )
            if not created:
                continue
            recertify = site_url(reverse("certification:certificate", args=[certificate.public_id]))
            message = (
                f'Your certificate "{certificate.certification.name}" expires on '
                f"{certificate.expires_at:%Y-%m-%d} (in {days_left} days).\n\n"
                f"Take the recertification exam to renew it for another {certificate.certification.validity_days} "
                f"days: {recertify}\n"
            )
            email = certificate.user.email
            transaction.on_commit(
                lambda email=email, message=message, name=certificate.certification.name: send_mail(
                    f"[NovaCron] Your {name} certificate expires soon", message, None, [email]
                )
            )
            sent += 1
    return sent

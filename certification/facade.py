"""The only module other apps may import from `certification` (enforced by import-linter).

Functions here take ids and plain values and return plain data; they never raise for "not found".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from certification.models import Certificate, Enrolment

__all__ = [
    "CertificateSummary",
    "certificates_for_user",
    "completed_courses",
    "is_certified",
    "verification_url",
]


@dataclass(frozen=True)
class CertificateSummary:
    public_id: str
    certification: str
    track: str
    level: str
    status: str
    issued_at: datetime
    expires_at: datetime
    verification_url: str


def certificates_for_user(user_id: int) -> list[CertificateSummary]:
    """The user's current (not superseded) certificates, newest first."""
    from certification.services.certificates import credential_url

    certificates = (
        Certificate.objects.filter(user_id=user_id)
        .exclude(status=Certificate.Status.SUPERSEDED)
        .select_related("certification__track")
    )
    return [
        CertificateSummary(
            public_id=str(c.public_id),
            certification=c.certification.name,
            track=c.certification.track.slug,
            level=c.certification.level,
            status=c.status,
            issued_at=c.issued_at,
            expires_at=c.expires_at,
            verification_url=credential_url(c),
        )
        for c in certificates
    ]


def is_certified(user_id: int, *, track: str | None = None) -> bool:
    """True if the user holds an active, unexpired certificate (in the track, given its slug)."""
    certificates = Certificate.objects.filter(
        user_id=user_id, status=Certificate.Status.ACTIVE, expires_at__gt=timezone.now()
    )
    if track:
        certificates = certificates.filter(certification__track__slug=track)
    return certificates.exists()


def completed_courses(user_id: int) -> list[str]:
    """Slugs of the courses the user completed."""
    return list(
        Enrolment.objects.filter(user_id=user_id, status=Enrolment.Status.COMPLETED).values_list(
            "course__slug", flat=True
        )
    )


def verification_url(certificate_id: str) -> str | None:
    from certification.services.certificates import credential_url

    certificate = Certificate.objects.filter(public_id=certificate_id).first()
    return credential_url(certificate) if certificate else None

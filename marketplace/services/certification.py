"""App certification: "Certified" and "Enterprise ready" badges, valid for a year.

A publisher applies with the security self-assessment (`QUESTIONNAIRE`, every item must be answered yes), a
declared first-response support SLA and an uptime SLO. Extra checks before a reviewer may grant: the app's
published version passed every automated check without a failure, Certified needs an SLA of at most 72 hours
and an SLO of at least 99%, and for
Enterprise ready an SLA of at most 24 hours, an SLO of at least 99.9% and a current Certified badge.
"""

from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from marketplace.exceptions import Conflict, ValidationError
from marketplace.models import App, AppVersion, Badge, BadgeKind, CertificationRequest, CheckResult
from marketplace.services.permissions import require_app_owner, require_reviewer
from novacron.core.services.audit import audit_record

BADGE_VALIDITY = timedelta(days=365)
RENEWAL_WINDOW = timedelta(days=60)
QUESTIONNAIRE: tuple[tuple[str, str], ...] = (
    ("encrypts_in_transit", "All traffic to and from the app uses TLS 1.2 or later"),
    ("encrypts_at_rest", "Customer data is encrypted at rest"),
    ("least_privilege", "The app requests only the scopes it needs and stores tokens encrypted"),
    ("vulnerability_management", "Dependencies are scanned and critical fixes ship within 14 days"),
    ("incident_response", "There is a documented incident-response process that notifies customers"),
    ("data_deletion", "Customer data is deleted within 30 days of uninstall"),
)
ENTERPRISE_MAX_SLA_HOURS = 24
ENTERPRISE_MIN_SLO = Decimal("99.9")
CERTIFIED_MAX_SLA_HOURS = 72
CERTIFIED_MIN_SLO = Decimal("99.0")


def active_badges(app: App, *, now: Any = None) -> list[Badge]:
    now = now or timezone.now()
    return list(app.badges.filter(revoked_at__isnull=True, expires_at__gt=now))


def badge_filter(kind: str, *, now: Any = None) -> Q:
    """A Q on App for "holds a current `kind` badge" (used by the catalog facet)."""
    now = now or timezone.now()
    return Q(badges__kind=kind, badges__revoked_at__isnull=True, badges__expires_at__gt=now)


def certification_request(
    *,
    app: App,
    user: Any,
    kind: str,
    questionnaire: dict[str, Any],
    support_response_hours: Any,
    uptime_slo: Any,
    now: Any = None,
) -> CertificationRequest:
    require_app_owner(user, app)
    now = now or timezone.now()
    if kind not in BadgeKind.values:
        raise ValidationError("Choose a badge.", field="kind")
    if not app.is_listed:
        raise ValidationError("Publish the app before applying for a badge.", field="kind")
    answers = {key: bool((questionnaire or {}).get(key)) for key, _ in QUESTIONNAIRE}
    missing = [label for key, label in QUESTIONNAIRE if not answers[key]]
    if missing:
        raise ValidationError(
            "Every security statement must be true to apply: " + "; ".join(missing) + ".",
            field="questionnaire",
        )
    try:
        hours = int(support_response_hours)
        slo = Decimal(str(uptime_slo))
    except (TypeError, ValueError, InvalidOperation) as exc:
        raise ValidationError(
            "Enter the support SLA in hours and the uptime SLO in percent.", field="uptime_slo"
        ) from exc
    if hours <= 0:
        raise ValidationError("Declare a support response time in hours.", field="support_response_hours")
    if not Decimal("0") < slo <= Decimal("100"):
        raise ValidationError("The uptime SLO is a percentage up to 100.", field="uptime_slo")
    current = [b for b in active_badges(app, now=now) if b.kind == kind]
    if current and current[0].expires_at - now > RENEWAL_WINDOW:
        raise Conflict(
            f"The badge is valid until {current[0].expires_at:%Y-%m-%d}; renew within 60 days of expiry.",
            field="kind",
        )
    try:
        with transaction.atomic():
            request = CertificationRequest.objects.create(
                app=app,
                kind=kind,
                questionnaire=answers,
                support_response_hours=hours,
                uptime_slo=slo,
                requested_by=user,
            )
            audit_record(
                actor=user, action="marketplace.certification.request", obj=request, after={"kind": kind}
            )
    except IntegrityError as exc:
        raise Conflict(
            "An application for this badge is already waiting for a reviewer.", field="kind"
        ) from exc
    return request


def certification_problems(request: CertificationRequest, *, now: Any = None) -> list[str]:
    """What stops the badge from being granted (the reviewer's extra checks); empty when it may be."""
    problems = []
    version = request.app.versions.filter(state=AppVersion.State.PUBLISHED).first()
    if version is None:
        return ["The app has no published version."]
    statuses = set(version.checks.filter(run=version.submission).values_list("status", flat=True))
    if not statuses:
        problems.append("The published version has no automated check results.")
    if CheckResult.Status.FAIL in statuses:
        problems.append("An automated check of the published version failed.")
    if request.kind == BadgeKind.CERTIFIED:
        if request.support_response_hours > CERTIFIED_MAX_SLA_HOURS:
            problems.append(f"Certified apps answer support within {CERTIFIED_MAX_SLA_HOURS} hours.")
        if request.uptime_slo < CERTIFIED_MIN_SLO:
            problems.append(f"Certified apps declare an uptime SLO of at least {CERTIFIED_MIN_SLO}%.")
    else:
        if request.support_response_hours > ENTERPRISE_MAX_SLA_HOURS:
            problems.append(f"Enterprise-ready apps answer support within {ENTERPRISE_MAX_SLA_HOURS} hours.")
        if request.uptime_slo < ENTERPRISE_MIN_SLO:
            problems.append(f"Enterprise-ready apps declare an uptime SLO of at least {ENTERPRISE_MIN_SLO}%.")
        if not any(b.kind == BadgeKind.CERTIFIED for b in active_badges(request.app, now=now)):
            problems.append("Enterprise ready requires a current Certified badge.")
    return problems


def certification_grant(
    *, request: CertificationRequest, reviewer: Any, note: str = "", now: Any = None
) -> Badge:
    require_reviewer(reviewer)
    now = now or timezone.now()
    with transaction.atomic():
        request = CertificationRequest.objects.select_for_update().select_related("app").get(pk=request.pk)
        if request.state != CertificationRequest.State.PENDING:
            raise Conflict("This application was already decided.")
        problems = certification_problems(request, now=now)
        if problems:
            raise ValidationError(" ".join(problems), field="kind", code="certification_requirements")
        # A renewal starts where the current badge ends, so renewing early loses nothing.
        current = [b for b in active_badges(request.app, now=now) if b.kind == request.kind]
        start = max([now] + [b.expires_at for b in current])
        badge = Badge.objects.create(
            app=request.app,
            kind=request.kind,
            request=request,
            granted_by=reviewer,
            granted_at=now,
            expires_at=start + BADGE_VALIDITY,
        )
        request.state, request.decided_by, request.decided_at, request.decision_note = (
            CertificationRequest.State.GRANTED,
            reviewer,
            now,
            note,
        )
        request.save()
        audit_record(
            actor=reviewer,
            action="marketplace.certification.grant",
            obj=request,
            after={"kind": request.kind, "expires_at": badge.expires_at.isoformat()},
        )
    return badge


def certification_reject(
    *, request: CertificationRequest, reviewer: Any, note: str, now: Any = None
) -> CertificationRequest:
    require_reviewer(reviewer)
    if not (note or "").strip():
        raise ValidationError("Tell the publisher why.", field="note")
    with transaction.atomic():
        request = CertificationRequest.objects.select_for_update().get(pk=request.pk)
        if request.state != CertificationRequest.State.PENDING:
            raise Conflict("This application was already decided.")
        request.state, request.decided_by, request.decided_at, request.decision_note = (
            CertificationRequest.State.REJECTED,
            reviewer,
            now or timezone.now(),
            note,
        )
        request.save()
        audit_record(
            actor=reviewer, action="marketplace.certification.reject", obj=request, after={"note": note[:500]}
        )
    return request


def badge_revoke(*, badge: Badge, reviewer: Any, reason: str) -> Badge:
    require_reviewer(reviewer)
    with transaction.atomic():
        badge.revoked_at = timezone.now()
        badge.save(update_fields=["revoked_at"])
        audit_record(
            actor=reviewer,
            action="marketplace.certification.revoke",
            obj=badge.app,
            after={"badge": badge.kind, "reason": reason},
        )
    return badge


def badges_expire(*, now: Any = None) -> int:
    """Audit each badge the day it lapses (the catalog already ignores expired badges by date)."""
    now = now or timezone.now()
    count = 0
    with transaction.atomic():
        for app_id, kind in Badge.objects.filter(
            expires_at__lte=now, expires_at__gt=now - timedelta(days=1), revoked_at__isnull=True
        ).values_list("app_id", "kind"):
            audit_record(
                actor=None,
                action="marketplace.certification.expired",
                object_type="marketplace.app",
                object_id=str(app_id),
                after={"kind": kind},
            )
            count += 1
    return count

"""Reads for the publisher console, the reviewer queue, organisation installs and the dashboard panel."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from marketplace.models import (
    AbuseReport,
    App,
    AppVersion,
    CertificationRequest,
    CheckResult,
    Installation,
    Plan,
    Publisher,
)
from marketplace.models.installs import LIVE_STATES
from marketplace.selectors.entitlements import Entitlement, entitlement_of
from marketplace.services.permissions import is_moderator, is_reviewer, publishers_for_user
from marketplace.services.versions import AUTOMATED_SLA, MANUAL_SLA
from novacron.accounts import facade as accounts_facade

S = AppVersion.State


@dataclass(frozen=True)
class Sla:
    label: str
    due_at: datetime
    remaining: timedelta
    breached: bool

    @property
    def remaining_text(self) -> str:
        seconds = abs(int(self.remaining.total_seconds()))
        hours, minutes = divmod(seconds // 60, 60)
        text = f"{hours} h {minutes:02d} min"
        return f"overdue by {text}" if self.breached else f"{text} left"


def version_sla(version: AppVersion, *, now: Any = None) -> Sla | None:
    """The running SLA timer: automated checks within 24 h of submission, the manual review within 48 h of
    entering the queue."""
    now = now or timezone.now()
    if version.state == S.SUBMITTED and version.submitted_at:
        due = version.submitted_at + AUTOMATED_SLA
        return Sla("Automated checks", due, due - now, now > due)
    if version.state == S.IN_REVIEW and version.queued_at:
        due = version.queued_at + MANUAL_SLA
        return Sla("Manual review", due, due - now, now > due)
    return None


def with_latest_checks(versions: QuerySet) -> QuerySet:
    """Versions with their latest submission's check results prefetched (`latest_checks`, read by
    services.checks.checks_latest): one query for a whole list instead of one per version."""
    latest = CheckResult.objects.filter(run=F("version__submission"))
    return versions.prefetch_related(Prefetch("checks", queryset=latest, to_attr="latest_checks"))


def review_queue(*, state: str = "", mine_of: Any = None) -> QuerySet:
    """Versions waiting for the automated checks or a reviewer, the oldest first."""
    qs = AppVersion.objects.filter(state__in=[S.SUBMITTED, S.IN_REVIEW]).select_related(
        "app", "app__publisher", "reviewer"
    )
    if state in (S.SUBMITTED, S.IN_REVIEW):
        qs = qs.filter(state=state)
    if mine_of is not None:
        qs = qs.filter(reviewer=mine_of)
    return with_latest_checks(qs.order_by("queued_at", "submitted_at", "id"))


def publisher_apps(publisher: Publisher) -> QuerySet:
    return (
        App.objects.filter(publisher=publisher)
        .select_related("category", "publisher")
        .annotate(
            pending_versions=Count(
                "versions", filter=Q(versions__state__in=[S.SUBMITTED, S.IN_REVIEW]), distinct=True
            ),
        )
        .order_by("name")
    )


def installations_for_user(user: Any) -> QuerySet:
    """The user's own live installations, each with `seats_assigned_count`."""
    return (
        Installation.objects.filter(user_id=user.pk, status__in=LIVE_STATES)
        .select_related("app", "plan", "version")
        .annotate(seats_assigned_count=Count("seat_assignments"))
        .order_by("app__name")
    )


def installations_for_organization(organization_id: int, *, include_ended: bool = False) -> QuerySet:
    qs = Installation.objects.filter(organization_id=organization_id)
    if not include_ended:
        qs = qs.filter(status__in=LIVE_STATES)
    return (
        qs.select_related("app", "plan", "version", "organization")
        .prefetch_related("seat_assignments__user")
        .annotate(seats_assigned_count=Count("seat_assignments"))
        .order_by("app__name")
    )


def installations_with_entitlements(
    organization_id: int, *, member_id: int, now: Any = None
) -> list[tuple[Installation, Entitlement]]:
    """The organisation's live installations, each with the entitlement it gives the member asking (a member:
    per-seat plans need their seat), from the prefetched seats — no query per row."""
    now = now or timezone.now()
    rows = []
    for installation in installations_for_organization(organization_id):
        seats = installation.seat_assignments.all()
        has_seat = (
            any(seat.user_id == member_id for seat in seats)
            if installation.plan.model == Plan.Model.PER_SEAT
            else True
        )
        rows.append(
            (
                installation,
                entitlement_of(installation, seats_assigned=len(seats), user_has_seat=has_seat, now=now),
            )
        )
    return rows


def app_install_figures(app: App) -> dict[str, int]:
    """Live installations of an app: all, for organisations, and trials — one aggregate."""
    return Installation.objects.filter(app=app, status__in=LIVE_STATES).aggregate(
        total=Count("id"),
        organizations=Count("id", filter=Q(organization__isnull=False)),
        trials=Count("id", filter=Q(status=Installation.Status.TRIAL)),
    )


def dashboard_summary(user: Any) -> dict[str, Any]:
    publishers = publishers_for_user(user)
    org_ids = [o.id for o in accounts_facade.organizations_for_user(user.pk)]
    return {
        "publishers": publishers,
        "app_count": App.objects.filter(publisher__in=publishers).count() if publishers else 0,
        "installs": Installation.objects.filter(
            Q(user_id=user.pk) | Q(organization_id__in=org_ids), status__in=LIVE_STATES
        ).count(),
        "queue": review_queue().count() if is_reviewer(user) else None,
        "reports": AbuseReport.objects.filter(status=AbuseReport.Status.OPEN).count()
        if is_moderator(user)
        else None,
        "certifications": CertificationRequest.objects.filter(state="pending").count()
        if is_reviewer(user)
        else None,
    }

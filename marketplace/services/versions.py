"""Versions and their workflow. Every state change goes through `_transition`, which checks the table in
`models.versions.TRANSITIONS`, locks the row and writes the audit row in the same transaction (the audit log is
the version's history)."""

import re
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from marketplace.exceptions import Conflict, InvalidTransition, ValidationError
from marketplace.models import App, AppVersion, ReviewComment
from marketplace.models.versions import EDITABLE_STATES, REVIEW_CHECKLIST, TRANSITIONS
from marketplace.services.permissions import (
    can_manage_publisher,
    is_reviewer,
    require_app_owner,
    require_reviewer,
)
from marketplace.services.publishers import publisher_has_current_agreement
from marketplace.services.uploads import validate_bundle
from novacron.core.services.audit import audit_record

S = AppVersion.State
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z.-]+)?$"
)
AUTOMATED_SLA = timedelta(hours=24)
MANUAL_SLA = timedelta(hours=48)


def parse_semver(value: str) -> tuple[int, int, int]:
    match = SEMVER.match((value or "").strip())
    if not match:
        raise ValidationError("Use a semantic version such as 1.4.2.", field="version")
    return int(match[1]), int(match[2]), int(match[3])


def _clean_manifest(manifest: Any) -> dict:
    if manifest is None:
        return {}
    if not isinstance(manifest, dict):
        raise ValidationError("The manifest must be a JSON object.", field="manifest")
    return manifest


def version_create(
    *,
    app: App,
    user: Any,
    version: str,
    changelog: str = "",
    manifest: dict | None = None,
    source_bundle: Any = None,
) -> AppVersion:
    require_app_owner(user, app)
    major, minor, patch = parse_semver(version)
    manifest = _clean_manifest(manifest)
    if source_bundle is not None:
        validate_bundle(source_bundle)
    with transaction.atomic():
        App.objects.select_for_update().get(pk=app.pk)
        newest = app.versions.filter(state__in=[S.PUBLISHED, S.DEPRECATED, S.SUSPENDED]).first()
        if newest and (major, minor, patch) <= (newest.major, newest.minor, newest.patch):
            raise ValidationError(
                f"The version must be higher than {newest.version}, already released.", field="version"
            )
        try:
            with transaction.atomic():
                created = AppVersion.objects.create(
                    app=app,
                    version=version.strip(),
                    major=major,
                    minor=minor,
                    patch=patch,
                    changelog=changelog,
                    manifest=manifest,
                    created_by=user,
                    **({"source_bundle": source_bundle} if source_bundle is not None else {}),
                )
        except IntegrityError as exc:
            raise Conflict(f"Version {version} already exists.", field="version") from exc
        audit_record(actor=user, action="marketplace.version.create", obj=created, after={"version": version})
    return created


def version_update(
    *,
    version: AppVersion,
    user: Any,
    changelog: str | None = None,
    manifest: dict | None = None,
    source_bundle: Any = None,
) -> AppVersion:
    require_app_owner(user, version.app)
    if manifest is not None:
        manifest = _clean_manifest(manifest)
    if source_bundle is not None:
        validate_bundle(source_bundle)
    with transaction.atomic():
        locked = AppVersion.objects.select_for_update().get(pk=version.pk)
        if locked.state not in EDITABLE_STATES:
            raise InvalidTransition(
                f"A {locked.get_state_display().lower()} version cannot be edited; create a new version."
            )
        if changelog is not None:
            locked.changelog = changelog
        if manifest is not None:
            locked.manifest = manifest
        if source_bundle is not None:
            locked.source_bundle = source_bundle
        locked.save()
        audit_record(actor=user, action="marketplace.version.update", obj=locked)
    return locked


def _transition(
    *,
    version: AppVersion,
    to: str,
    actor: Any,
    role: str,
    reason: str = "",
    now: Any = None,
    **fields: Any,
) -> AppVersion:
    """Move a (locked) version to `to` if the table allows it for `role`; audit it."""
    allowed = TRANSITIONS.get((version.state, to))
    if allowed is None or (allowed != role and not (role == "system" and to == S.DEPRECATED)):
        raise InvalidTransition(
            f"A {version.get_state_display().lower()} version cannot become {S(to).label.lower()}"
            + (f" by the {role}" if allowed else "")
            + "."
        )
    before = version.state
    version.state = to
    for key, value in fields.items():
        setattr(version, key, value)
    version.save()
    audit_record(
        actor=actor,
        action=f"marketplace.version.{to}",
        obj=version,
        before={"state": before},
        after={"state": to, **({"reason": reason} if reason else {})},
    )
    return version


def _locked(version: AppVersion) -> AppVersion:
    return AppVersion.objects.select_for_update().select_related("app", "app__publisher").get(pk=version.pk)


def version_submit(*, version: AppVersion, user: Any, now: Any = None) -> AppVersion:
    """Submit for review: the automated checks start after commit (see services.checks)."""
    from marketplace import tasks

    require_app_owner(user, version.app)
    if not publisher_has_current_agreement(version.app.publisher):
        raise Conflict("Accept the current developer agreement before submitting.", code="agreement_required")
    if not version.app.plans.filter(is_active=True).exists():
        raise ValidationError(
            "Add at least one price plan (it may be free) before submitting.", field="plans"
        )
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(version)
        submission = locked.submission + 1
        _transition(
            version=locked,
            to=S.SUBMITTED,
            actor=user,
            role="publisher",
            submission=submission,
            submitted_at=now,
            checks_completed_at=None,
            queued_at=None,
            reviewer=None,
            assigned_at=None,
            checklist={},
            decided_at=None,
            decision_reason="",
        )
        transaction.on_commit(lambda: tasks.run_checks.delay(locked.pk, submission))
    return locked


def version_gate(
    *, version: AppVersion, run: int, results: list[tuple[str, str, str]], now: Any = None
) -> AppVersion:
    """Quality gate once every automated check of `run` has finished: any failure rejects the version,
    otherwise it joins the manual review queue. `results` are (check, status, message)."""
    now = now or timezone.now()
    failures = [f"{name}: {message}" for name, status, message in results if status == "fail"]
    if failures:
        return _transition(
            version=version,
            to=S.REJECTED,
            actor=None,
            role="system",
            reason="Automated checks failed",
            checks_completed_at=now,
            decided_at=now,
            decision_reason="Automated checks failed — fix these and submit again:\n" + "\n".join(failures),
        )
    return _transition(
        version=version, to=S.IN_REVIEW, actor=None, role="system", checks_completed_at=now, queued_at=now
    )


def version_assign(
    *, version: AppVersion, reviewer: Any, assignee: Any = None, now: Any = None
) -> AppVersion:
    """Assign a version in review to a reviewer (yourself by default)."""
    require_reviewer(reviewer)
    assignee = assignee or reviewer
    require_reviewer(assignee)
    with transaction.atomic():
        locked = _locked(version)
        if locked.state != S.IN_REVIEW:
            raise InvalidTransition("Only versions in review can be assigned.")
        before = locked.reviewer_id
        locked.reviewer = assignee
        locked.assigned_at = now or timezone.now()
        locked.save(update_fields=["reviewer", "assigned_at", "updated_at"])
        audit_record(
            actor=reviewer,
            action="marketplace.version.assign",
            obj=locked,
            before={"reviewer": before},
            after={"reviewer": assignee.pk},
        )
    return locked


def version_checklist_set(*, version: AppVersion, reviewer: Any, answers: dict[str, bool]) -> AppVersion:
    require_reviewer(reviewer)
    known = {key for key, _label in REVIEW_CHECKLIST}
    unknown = set(answers) - known
    if unknown:
        raise ValidationError(f"Unknown checklist item(s): {', '.join(sorted(unknown))}.", field="checklist")
    with transaction.atomic():
        locked = _locked(version)
        if locked.state != S.IN_REVIEW:
            raise InvalidTransition("The checklist is filled in while the version is in review.")
        locked.checklist = {**locked.checklist, **{k: bool(v) for k, v in answers.items()}}
        locked.save(update_fields=["checklist", "updated_at"])
        audit_record(
            actor=reviewer, action="marketplace.version.checklist", obj=locked, after=locked.checklist
        )
    return locked


def version_comment(*, version: AppVersion, user: Any, body: str) -> ReviewComment:
    """A comment on a submission, from a reviewer to the publisher or back."""
    body = (body or "").strip()
    if not body:
        raise ValidationError("Write a comment.", field="body")
    from_reviewer = is_reviewer(user) and not can_manage_publisher(user, version.app.publisher)
    if not from_reviewer and not can_manage_publisher(user, version.app.publisher):
        require_reviewer(user)
    with transaction.atomic():
        comment = ReviewComment.objects.create(
            version=version, author=user, body=body, from_reviewer=from_reviewer
        )
        audit_record(
            actor=user, action="marketplace.version.comment", obj=version, after={"comment": body[:500]}
        )
    return comment


def _publish_effects(version: AppVersion, now: Any) -> None:
    """The newly published version supersedes older published ones; the app is listed."""
    for older in version.app.versions.select_for_update().filter(state=S.PUBLISHED).exclude(pk=version.pk):
        _transition(
            version=older,
            to=S.DEPRECATED,
            actor=None,
            role="system",
            reason=f"Superseded by {version.version}",
        )
    app = App.objects.select_for_update().get(pk=version.app_id)
    app.is_listed = True
    app.published_at = app.published_at or now
    app.save(update_fields=["is_listed", "published_at", "updated_at"])


def _relist(app_id: int) -> None:
    app = App.objects.select_for_update().get(pk=app_id)
    app.is_listed = app.versions.filter(state=S.PUBLISHED).exists()
    app.save(update_fields=["is_listed", "updated_at"])


def version_approve(*, version: AppVersion, reviewer: Any, reason: str = "", now: Any = None) -> AppVersion:
    """Publish a version in review. The reviewer must be assigned and have ticked every checklist item."""
    require_reviewer(reviewer)
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(version)
        if locked.state != S.IN_REVIEW:
            raise InvalidTransition(f"A {locked.get_state_display().lower()} version cannot be approved.")
        if locked.reviewer_id != reviewer.pk:
            raise Conflict("Assign the version to yourself before deciding.", field="reviewer")
        missing = [label for key, label in REVIEW_CHECKLIST if not locked.checklist.get(key)]
        if missing:
            raise ValidationError(
                "Complete the checklist first: " + "; ".join(missing) + ".", field="checklist"
            )
        _transition(
            version=locked,
            to=S.PUBLISHED,
            actor=reviewer,
            role="reviewer",
            reason=reason,
            decided_at=now,
            decision_reason=reason,
            published_at=now,
        )
        _publish_effects(locked, now)
    return locked


def version_reject(*, version: AppVersion, reviewer: Any, reason: str, now: Any = None) -> AppVersion:
    require_reviewer(reviewer)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Tell the publisher why (the reasons are sent to them).", field="reason")
    with transaction.atomic():
        locked = _locked(version)
        if locked.state == S.IN_REVIEW and locked.reviewer_id != reviewer.pk:
            raise Conflict("Assign the version to yourself before deciding.", field="reviewer")
        _transition(
            version=locked,
            to=S.REJECTED,
            actor=reviewer,
            role="reviewer",
            reason=reason,
            decided_at=now or timezone.now(),
            decision_reason=reason,
        )
    return locked


def version_deprecate(*, version: AppVersion, user: Any) -> AppVersion:
    require_app_owner(user, version.app)
    with transaction.atomic():
        locked = _locked(version)
        _transition(version=locked, to=S.DEPRECATED, actor=user, role="publisher")
        _relist(locked.app_id)
    return locked


def version_suspend(*, version: AppVersion, reviewer: Any, reason: str) -> AppVersion:
    require_reviewer(reviewer)
    if not (reason or "").strip():
        raise ValidationError("Give the reason for the suspension.", field="reason")
    with transaction.atomic():
        locked = _locked(version)
        _transition(
            version=locked,
            to=S.SUSPENDED,
            actor=reviewer,
            role="reviewer",
            reason=reason,
            decision_reason=reason,
        )
        _relist(locked.app_id)
    return locked


def version_reinstate(*, version: AppVersion, reviewer: Any, reason: str = "") -> AppVersion:
    require_reviewer(reviewer)
    with transaction.atomic():
        locked = _locked(version)
        _transition(version=locked, to=S.PUBLISHED, actor=reviewer, role="reviewer", reason=reason)
        _publish_effects(locked, timezone.now())
    return locked


def latest_published(app: App) -> AppVersion | None:
    return app.versions.filter(state=S.PUBLISHED).first()

"""The version workflow: allowed and refused transitions, who may make them, and what they do to the app."""

import pytest

from marketplace.exceptions import Conflict, InvalidTransition, PermissionDenied, ValidationError
from marketplace.models import AppVersion
from marketplace.models.versions import REVIEW_CHECKLIST, TRANSITIONS
from marketplace.services import versions
from tests.marketplace.factories import GOOD_MANIFEST, make_app

S = AppVersion.State
ALL_TICKED = {key: True for key, _ in REVIEW_CHECKLIST}
pytestmark = pytest.mark.django_db


def _queued(app, publisher_user, reviewer, version="1.1.0"):
    """A version in the review queue (the gate passed), assigned to `reviewer` with the checklist done."""
    v = versions.version_create(app=app, user=publisher_user, version=version, manifest=GOOD_MANIFEST)
    AppVersion.objects.filter(pk=v.pk).update(state=S.IN_REVIEW, submission=1)
    v.refresh_from_db()
    versions.version_assign(version=v, reviewer=reviewer)
    versions.version_checklist_set(version=v, reviewer=reviewer, answers=ALL_TICKED)
    return v


def test_approving_publishes_lists_the_app_and_deprecates_the_older_version(
    publisher, publisher_user, reviewer
):
    app = make_app(publisher)
    old = app.versions.get()
    v = _queued(app, publisher_user, reviewer)

    versions.version_approve(version=v, reviewer=reviewer)

    v.refresh_from_db()
    old.refresh_from_db()
    app.refresh_from_db()
    assert v.state == S.PUBLISHED
    assert v.published_at is not None
    assert old.state == S.DEPRECATED
    assert app.is_listed


def test_approve_needs_assignment_and_the_full_checklist(publisher, publisher_user, reviewer):
    app = make_app(publisher, published=False)
    v = versions.version_create(app=app, user=publisher_user, version="1.1.0")
    AppVersion.objects.filter(pk=v.pk).update(state=S.IN_REVIEW)

    with pytest.raises(Conflict):
        versions.version_approve(version=v, reviewer=reviewer)  # not assigned
    versions.version_assign(version=v, reviewer=reviewer)
    with pytest.raises(ValidationError) as exc:
        versions.version_approve(version=v, reviewer=reviewer)
    assert exc.value.field == "checklist"
    assert AppVersion.objects.get(pk=v.pk).state == S.IN_REVIEW


@pytest.mark.parametrize("state", [S.DRAFT, S.SUBMITTED, S.REJECTED, S.DEPRECATED, S.PUBLISHED, S.SUSPENDED])
def test_only_versions_in_review_can_be_approved(publisher, publisher_user, reviewer, state):
    app = make_app(publisher, published=False)
    v = versions.version_create(app=app, user=publisher_user, version="2.0.0")
    AppVersion.objects.filter(pk=v.pk).update(state=state, reviewer=reviewer)
    with pytest.raises(InvalidTransition):
        versions.version_approve(version=v, reviewer=reviewer)
    assert AppVersion.objects.get(pk=v.pk).state == state


def test_reject_needs_reasons_and_the_publisher_can_resubmit(
    publisher, publisher_user, reviewer, run_on_commit, local_http
):
    app = make_app(publisher)
    v = _queued(app, publisher_user, reviewer)
    with pytest.raises(ValidationError):
        versions.version_reject(version=v, reviewer=reviewer, reason="  ")

    versions.version_reject(version=v, reviewer=reviewer, reason="The screenshots show another product.")
    v.refresh_from_db()
    assert v.state == S.REJECTED
    assert "another product" in v.decision_reason

    versions.version_update(version=v, user=publisher_user, changelog="New screenshots")  # editable again
    with run_on_commit():
        versions.version_submit(version=v, user=publisher_user)
    v.refresh_from_db()
    assert v.submission == 2
    assert v.state in (S.IN_REVIEW, S.REJECTED)


def test_publisher_cannot_approve_and_reviewer_cannot_submit(publisher, publisher_user, reviewer):
    app = make_app(publisher, published=False)
    v = versions.version_create(app=app, user=publisher_user, version="1.0.1")
    with pytest.raises(PermissionDenied):
        versions.version_submit(version=v, user=reviewer)
    AppVersion.objects.filter(pk=v.pk).update(state=S.IN_REVIEW)
    with pytest.raises(PermissionDenied):
        versions.version_approve(version=v, reviewer=publisher_user)


def test_published_versions_cannot_be_edited_and_new_versions_must_be_higher(publisher, publisher_user):
    app = make_app(publisher)
    published = app.versions.get()
    with pytest.raises(InvalidTransition):
        versions.version_update(version=published, user=publisher_user, changelog="sneaky")
    with pytest.raises(ValidationError):
        versions.version_create(app=app, user=publisher_user, version="0.9.0")
    with pytest.raises(ValidationError):
        versions.version_create(app=app, user=publisher_user, version="v2")
    versions.version_create(app=app, user=publisher_user, version="1.1.0")
    with pytest.raises(Conflict):
        versions.version_create(app=app, user=publisher_user, version="1.1.0")


def test_suspend_unlists_and_reinstate_relists(publisher, reviewer):
    app = make_app(publisher)
    v = app.versions.get()
    with pytest.raises(ValidationError):
        versions.version_suspend(version=v, reviewer=reviewer, reason="")
    versions.version_suspend(version=v, reviewer=reviewer, reason="Leaks tokens")
    app.refresh_from_db()
    assert not app.is_listed
    versions.version_reinstate(version=v, reviewer=reviewer)
    app.refresh_from_db()
    assert app.is_listed


def test_deprecated_is_final_and_unlists_when_no_other_version_is_published(
    publisher, publisher_user, reviewer
):
    app = make_app(publisher)
    v = app.versions.get()
    versions.version_deprecate(version=v, user=publisher_user)
    app.refresh_from_db()
    assert not app.is_listed
    for to in (S.PUBLISHED, S.SUBMITTED, S.IN_REVIEW):
        assert (S.DEPRECATED, to) not in TRANSITIONS
    with pytest.raises(InvalidTransition):
        versions.version_reinstate(version=v, reviewer=reviewer)


def test_submit_needs_a_plan_and_the_current_agreement(publisher, publisher_user):
    app = make_app(publisher, published=False, plans=[])
    v = app.versions.get()
    with pytest.raises(ValidationError):
        versions.version_submit(version=v, user=publisher_user)


def test_every_transition_is_in_the_audit_log(publisher, publisher_user, reviewer):
    from novacron.core.models import AuditLog

    app = make_app(publisher)
    v = _queued(app, publisher_user, reviewer)
    versions.version_approve(version=v, reviewer=reviewer)
    actions = list(AuditLog.objects.filter(object_id=str(v.public_id)).values_list("action", flat=True))
    assert "marketplace.version.create" in actions
    assert "marketplace.version.assign" in actions
    assert "marketplace.version.published" in actions

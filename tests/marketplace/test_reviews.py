"""Reviews: only installers, once per user and app, aggregates kept current, replies, helpful votes, moderation."""

from decimal import Decimal

import pytest

from marketplace.exceptions import Conflict, PermissionDenied, ValidationError
from marketplace.models import AbuseReport, App
from marketplace.services import installs, reviews
from tests.factories import UserFactory
from tests.marketplace.factories import make_app

pytestmark = pytest.mark.django_db


def _installed(app, user):
    installs.install(app=app, plan=app.plans.get(), user=user)
    return user


def test_a_non_installer_cannot_review(app, buyer, api_client):
    with pytest.raises(PermissionDenied) as exc:
        reviews.review_create(app=app, user=buyer, rating=5, title="Nice", body="Looks nice")
    assert exc.value.code == "not_installed"
    api_client.force_authenticate(buyer)
    response = api_client.post(
        f"/api/v1/marketplace/apps/{app.slug}/reviews/",
        {"rating": 5, "title": "x", "body": "y"},
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_installed"


def test_one_review_per_user_and_app_and_the_publisher_cannot_review(app, buyer, publisher_user):
    _installed(app, buyer)
    reviews.review_create(app=app, user=buyer, rating=4, title="Good", body="Works well")
    with pytest.raises(Conflict):
        reviews.review_create(app=app, user=buyer, rating=1, title="Again", body="Second try")
    _installed(app, publisher_user)
    with pytest.raises(PermissionDenied):
        reviews.review_create(app=app, user=publisher_user, rating=5, title="Mine", body="Best app")
    with pytest.raises(ValidationError):
        reviews.review_create(app=app, user=_installed(app, UserFactory()), rating=6, title="x", body="y")


def test_average_and_distribution_follow_creates_edits_and_moderation(app, moderator):
    users = [_installed(app, UserFactory()) for _ in range(3)]
    created = [
        reviews.review_create(app=app, user=u, rating=r, title="t", body="b")
        for u, r in zip(users, [5, 4, 1], strict=True)
    ]
    app.refresh_from_db()
    assert (app.rating_count, app.rating_average) == (3, Decimal("3.33"))
    assert app.rating_distribution == {"1": 1, "2": 0, "3": 0, "4": 1, "5": 1}

    reviews.review_update(review=created[2], user=users[2], rating=3, title="t", body="better now")
    app.refresh_from_db()
    assert app.rating_average == Decimal("4.00")

    report = reviews.review_report(review=created[2], user=users[0], reason="off_topic")
    with pytest.raises(Conflict):
        reviews.review_report(review=created[2], user=users[0], reason="spam")
    reviews.report_resolve(report=report, moderator=moderator, uphold=True, note="off topic")
    app.refresh_from_db()
    assert (app.rating_count, app.rating_average) == (2, Decimal("4.50"))
    assert AbuseReport.objects.get(pk=report.pk).status == "upheld"
    reviews.review_restore(review=created[2], moderator=moderator)
    assert App.objects.get(pk=app.pk).rating_count == 3


def test_only_moderators_resolve_and_reports_resolve_once(app, buyer):
    other = _installed(app, UserFactory())
    review = reviews.review_create(
        app=_installed(app, buyer) and app, user=buyer, rating=2, title="Meh", body="Meh"
    )
    report = reviews.review_report(review=review, user=other, reason="spam")
    with pytest.raises(PermissionDenied):
        reviews.report_resolve(report=report, moderator=other, uphold=True)


def test_replies_and_helpful_votes(app, buyer, publisher_user):
    review = reviews.review_create(
        app=app, user=_installed(app, buyer), rating=5, title="Great", body="Great"
    )
    with pytest.raises(PermissionDenied):
        reviews.review_reply(review=review, user=buyer, body="I reply to myself")
    reviews.review_reply(review=review, user=publisher_user, body="Thanks!")
    voter = UserFactory()
    assert reviews.review_vote_helpful(review=review, user=voter) is True
    assert reviews.review_vote_helpful(review=review, user=voter) is False
    with pytest.raises(ValidationError):
        reviews.review_vote_helpful(review=review, user=buyer)
    review.refresh_from_db()
    assert review.helpful_count == 1
    assert review.reply_body == "Thanks!"


def test_seat_holders_count_as_installers(publisher):
    from tests.factories import MembershipFactory, OrganizationFactory

    app = make_app(publisher)
    admin, member = UserFactory(), UserFactory()
    org = OrganizationFactory()
    MembershipFactory(organization=org, user=admin, role="owner")
    MembershipFactory(organization=org, user=member)
    installs.install(app=app, plan=app.plans.get(), user=admin, organization_id=org.pk)
    assert reviews.has_installed(admin, app)
    assert not reviews.has_installed(member, app)

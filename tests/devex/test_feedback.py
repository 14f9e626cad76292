"""Feedback on answers (one per user per message, updatable) and the staff docs-quality report built from it."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from devex.models import Feedback, Message
from devex.selectors import docs_quality_report
from devex.services.conversations import conversation_ask, conversation_start
from devex.services.feedback import feedback_give
from novacron.core.exceptions import NotFound, ValidationError
from tests.devex.test_assistant_fakes import install_fake_search
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OFF_TOPIC = "Does the platform support blockchain smart contract payouts in Japan?"


@pytest.fixture(autouse=True)
def _fake_search(monkeypatch):
    install_fake_search(monkeypatch)


@pytest.fixture
def answer(user):
    return conversation_ask(
        conversation=conversation_start(user=user), question="How do payouts work?", user=user
    )


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_feedback_is_one_per_user_per_message_and_giving_it_again_updates_it(user, answer):
    first = feedback_give(message=answer, user=user, helpful=False, comment="Missing the minimum amount")
    second = feedback_give(message=answer, user=user, helpful=True)

    assert first.pk == second.pk
    assert Feedback.objects.count() == 1
    second.refresh_from_db()
    assert second.helpful is True
    assert second.comment == ""


def test_nobody_rates_an_answer_in_someone_elses_conversation(answer):
    with pytest.raises(NotFound):
        feedback_give(message=answer, user=UserFactory(), helpful=True)

    assert not Feedback.objects.exists()


def test_only_answers_take_feedback(user, answer):
    question = answer.conversation.messages.get(role=Message.Role.USER)

    with pytest.raises(ValidationError):
        feedback_give(message=question, user=user, helpful=True)


def test_a_huge_comment_is_refused(user, answer):
    with pytest.raises(ValidationError) as error:
        feedback_give(message=answer, user=user, helpful=False, comment="x" * 2001)

    assert error.value.field == "comment"


# --- the docs-quality report ----------------------------------------------------------------------------------


def _activity():
    ada, bob = UserFactory(), UserFactory()
    helpful = conversation_ask(
        conversation=conversation_start(user=ada), question="How do payouts work?", user=ada
    )
    feedback_give(message=helpful, user=ada, helpful=True)
    unhelpful = conversation_ask(
        conversation=conversation_start(user=bob), question="How do payouts work?", user=bob
    )
    feedback_give(message=unhelpful, user=bob, helpful=False, comment="Which currencies are paid out?")
    for user in (ada, bob):
        conversation_ask(conversation=conversation_start(user=user), question=OFF_TOPIC, user=user)


def test_the_report_lists_unanswered_questions_unhelpful_answers_most_cited_sections_and_the_helpful_rate():
    _activity()

    report = docs_quality_report()

    assert report["answers_total"] == 4
    assert report["unanswered_total"] == 2
    assert report["answered_rate"] == 0.5
    assert report["unanswered"][0]["question"] == OFF_TOPIC
    assert report["unanswered"][0]["count"] == 2
    assert report["unanswered"][0]["closest"]
    assert [row["comment"] for row in report["not_helpful"]] == ["Which currencies are paid out?"]
    top = report["most_cited"][0]
    assert top["url"] == "/devex/docs/user/payouts/#how-payouts-work"
    assert (top["count"], top["helpful"], top["not_helpful"]) == (2, 1, 1)
    assert report["helpful_rate"] == 0.5


def test_an_empty_report_has_no_rates():
    report = docs_quality_report()

    assert report["helpful_rate"] is None
    assert report["answered_rate"] is None


def test_the_report_page_requires_staff_or_the_moderate_permission(user):
    _activity()
    staff = UserFactory(is_staff=True)
    moderator = UserFactory()
    moderator.user_permissions.add(
        Permission.objects.get(codename="moderate", content_type__app_label="accounts")
    )

    anonymous = Client().get("/devex/assistant/report/")
    plain = _client(user).get("/devex/assistant/report/")
    as_staff = _client(staff).get("/devex/assistant/report/")
    as_moderator = _client(moderator).get("/devex/assistant/report/?days=30")

    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")
    assert plain.status_code == 403
    assert as_staff.status_code == as_moderator.status_code == 200
    body = as_staff.content.decode()
    assert OFF_TOPIC in body
    assert "Which currencies are paid out?" in body
    assert "/devex/docs/user/payouts/#how-payouts-work" in body
    assert "50 %" in body  # helpful rate


def test_the_report_link_shows_only_to_those_who_may_see_it(user):
    staff = UserFactory(is_staff=True)

    assert "/devex/assistant/report/" not in _client(user).get("/devex/assistant/").content.decode()
    assert "/devex/assistant/report/" in _client(staff).get("/devex/assistant/").content.decode()

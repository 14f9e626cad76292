"""Developer tools in the Django admin: conversations with their messages, feedback with filters, the index
read-only, and the "re-index now" action calling the indexing service."""

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory

from devex.models import Chunk, Conversation, Document, Feedback, IndexBuild, Message
from devex.services.conversations import conversation_ask, conversation_start
from devex.services.feedback import feedback_give
from devex.services.indexing import index_rebuild
from tests.devex.test_assistant_fakes import install_fake_search
from tests.devex.test_retrieval_support import configure
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser():
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(superuser) -> Client:
    client = Client()
    client.force_login(superuser)
    return client


@pytest.mark.parametrize("model", [Conversation, Feedback, Document, Chunk, IndexBuild])
def test_records_are_read_only_in_the_admin(model, superuser):
    request = RequestFactory().get("/admin/")
    request.user = superuser
    model_admin = admin.site._registry[model]

    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)


def test_a_conversation_shows_its_messages_and_feedback_is_filterable(staff_client, monkeypatch, user):
    install_fake_search(monkeypatch)
    conversation = conversation_start(user=user)
    reply = conversation_ask(conversation=conversation, question="How do payouts work?", user=user)
    feedback_give(message=reply, user=user, helpful=False, comment="Which currencies?")

    detail = staff_client.get(f"/admin/devex/conversation/{conversation.pk}/change/")
    feedback = staff_client.get("/admin/devex/feedback/?helpful__exact=0")

    assert detail.status_code == feedback.status_code == 200
    assert "How do payouts work?" in detail.content.decode()
    assert Message.objects.filter(conversation=conversation).count() == 2
    body = feedback.content.decode()
    assert "Which currencies?" in body
    assert "How do payouts work?" in body


def test_the_reindex_action_calls_the_indexing_service(staff_client, settings, tmp_path):
    configure(settings, tmp_path)
    index_rebuild()
    (tmp_path / "docs" / "new.md").write_text("# New page\n\nFresh words.\n", encoding="utf-8")

    response = staff_client.post(
        "/admin/devex/indexbuild/",
        {"action": "reindex_now", "_selected_action": [IndexBuild.objects.get().pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert "Re-indexed: 1 new, 0 changed, 0 removed, 3 unchanged documents" in response.content.decode()
    assert IndexBuild.objects.count() == 2
    assert Document.objects.filter(source_id="new.md").exists()
    pages = staff_client.get("/admin/devex/document/")
    chunk = staff_client.get(f"/admin/devex/chunk/{Chunk.objects.first().pk}/change/")
    assert pages.status_code == chunk.status_code == 200

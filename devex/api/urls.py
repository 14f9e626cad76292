"""REST API of Developer tools, mounted at /api/v1/devex/. The `novacron` CLI uses these paths: keep them."""

from django.urls import path

from devex.api import views

app_name = "devex-api"
urlpatterns = [
    path("assistant/ask/", views.AskView.as_view(), name="ask"),
    path("assistant/conversations/", views.ConversationListView.as_view(), name="conversations"),
    path(
        "assistant/conversations/<uuid:public_id>/",
        views.ConversationDetailView.as_view(),
        name="conversation",
    ),
    path(
        "assistant/conversations/<uuid:public_id>/messages/",
        views.ConversationMessagesView.as_view(),
        name="conversation-messages",
    ),
    path("assistant/messages/<uuid:public_id>/feedback/", views.FeedbackView.as_view(), name="feedback"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("status/", views.StatusView.as_view(), name="status"),
]

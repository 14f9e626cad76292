"""The developer-tools portal, mounted at /devex/. "index" is the area's landing page (the navigation links
to it)."""

from django.urls import path

from devex import views

app_name = "devex"
urlpatterns = [
    path("", views.index, name="index"),
    # the docs assistant
    path("assistant/", views.assistant, name="assistant"),
    path("assistant/report/", views.report, name="report"),
    path("assistant/<uuid:public_id>/", views.assistant, name="conversation"),
    path("assistant/<uuid:public_id>/delete/", views.conversation_remove, name="conversation_delete"),
    path("assistant/messages/<uuid:public_id>/feedback/", views.feedback, name="feedback"),
    # documentation pages (public)
    path("docs/", views.docs_index, name="docs"),
    path("docs/<path:path>/", views.docs_page, name="docs_page"),
]

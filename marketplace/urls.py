"""The marketplace portal, mounted at /marketplace/. "index" is the area's landing page (the catalog)."""

from django.urls import path

from marketplace.views import catalog, installs, publisher, reviewer

app_name = "marketplace"
urlpatterns = [
    path("", catalog.catalog, name="index"),
    path("schemas/manifest-v1.json", catalog.manifest_schema_file, name="manifest_schema"),
    path("installed/", installs.installations, name="installations"),
    path("installed/<uuid:public_id>/uninstall/", installs.uninstall, name="uninstall"),
    path("installed/<uuid:public_id>/seats/", installs.seats, name="seats"),
    path("reviews/<uuid:public_id>/reply/", installs.review_reply, name="review_reply"),
    path("reviews/<uuid:public_id>/helpful/", installs.review_helpful, name="review_helpful"),
    path("reviews/<uuid:public_id>/report/", installs.review_report, name="review_report"),
    # publishers
    path("publish/", publisher.console, name="console"),
    path("publish/register/", publisher.register, name="publisher_register"),
    path("publish/<slug:publisher>/agreement/", publisher.accept_agreement, name="accept_agreement"),
    path("publish/<slug:publisher>/new-app/", publisher.app_create, name="app_create"),
    path("publish/apps/<slug:slug>/", publisher.app_console, name="app_console"),
    path("publish/apps/<slug:slug>/screenshots/", publisher.screenshot_add, name="screenshot_add"),
    path(
        "publish/apps/<slug:slug>/screenshots/<int:pk>/delete/",
        publisher.screenshot_delete,
        name="screenshot_delete",
    ),
    path("publish/apps/<slug:slug>/plans/", publisher.plan_create, name="plan_create"),
    path("publish/apps/<slug:slug>/plans/<uuid:plan_id>/price/", publisher.plan_price, name="plan_price"),
    path("publish/apps/<slug:slug>/api-key/", publisher.api_key, name="api_key"),
    path("publish/apps/<slug:slug>/versions/new/", publisher.version_create, name="version_create"),
    path(
        "publish/apps/<slug:slug>/certification/", publisher.certification_apply, name="certification_apply"
    ),
    path("publish/versions/<uuid:public_id>/", publisher.version_detail, name="version"),
    path("publish/versions/<uuid:public_id>/submit/", publisher.version_submit, name="version_submit"),
    path(
        "publish/versions/<uuid:public_id>/deprecate/", publisher.version_deprecate, name="version_deprecate"
    ),
    path("publish/versions/<uuid:public_id>/comment/", publisher.version_comment, name="version_comment"),
    # reviewers and moderators
    path("review/", reviewer.queue, name="queue"),
    path("review/versions/<uuid:public_id>/", reviewer.review_version, name="review_version"),
    path("review/versions/<uuid:public_id>/<str:action>/", reviewer.review_action, name="review_action"),
    path("review/moderation/", reviewer.moderation, name="moderation"),
    path("review/moderation/<uuid:public_id>/", reviewer.moderation_resolve, name="moderation_resolve"),
    path("review/certifications/", reviewer.certifications, name="certifications"),
    path(
        "review/certifications/<uuid:public_id>/", reviewer.certification_decide, name="certification_decide"
    ),
    # apps (last: the slug catches everything else)
    path("<slug:slug>/", catalog.app_detail, name="app"),
    path("<slug:slug>/install/", catalog.install, name="install"),
    path("<slug:slug>/buy/<uuid:plan_id>/", catalog.buy, name="buy"),
    path("<slug:slug>/review/", installs.review_create, name="review_create"),
]

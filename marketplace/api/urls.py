"""REST API of Marketplace, mounted at /api/v1/marketplace/."""

from django.urls import path

from marketplace.api import catalog_views as catalog
from marketplace.api import install_views as inst
from marketplace.api import publisher_views as pub
from marketplace.api import review_views as rev

app_name = "marketplace-api"
urlpatterns = [
    # catalog
    path("apps/", catalog.CatalogView.as_view(), name="catalog"),
    path("apps/<slug:slug>/", catalog.AppDetailView.as_view(), name="app"),
    path("categories/", catalog.CategoryListView.as_view(), name="categories"),
    path("manifest-schema/", catalog.ManifestSchemaView.as_view(), name="manifest-schema"),
    # publishers
    path("publishers/", pub.PublisherListView.as_view(), name="publishers"),
    path("publishers/<slug:slug>/apps/", pub.PublisherAppsView.as_view(), name="publisher-apps"),
    path("apps/<slug:slug>/listing/", pub.AppManageView.as_view(), name="app-listing"),
    path("apps/<slug:slug>/logo/", pub.LogoView.as_view(), name="app-logo"),
    path("apps/<slug:slug>/screenshots/", pub.ScreenshotsView.as_view(), name="app-screenshots"),
    path("apps/<slug:slug>/screenshots/<int:pk>/", pub.ScreenshotDeleteView.as_view(), name="app-screenshot"),
    path("apps/<slug:slug>/plans/", pub.PlansView.as_view(), name="app-plans"),
    path("plans/<uuid:public_id>/price/", pub.PlanPriceView.as_view(), name="plan-price"),
    path("apps/<slug:slug>/api-key/", pub.ApiKeyView.as_view(), name="app-api-key"),
    path("apps/<slug:slug>/versions/", pub.VersionsView.as_view(), name="app-versions"),
    path("versions/<uuid:public_id>/", pub.VersionDetailView.as_view(), name="version"),
    path("versions/<uuid:public_id>/submit/", pub.VersionSubmitView.as_view(), name="version-submit"),
    path(
        "versions/<uuid:public_id>/deprecate/", pub.VersionDeprecateView.as_view(), name="version-deprecate"
    ),
    path("versions/<uuid:public_id>/comments/", pub.VersionCommentsView.as_view(), name="version-comments"),
    path(
        "apps/<slug:slug>/certification-requests/",
        pub.CertificationApplyView.as_view(),
        name="app-certification-requests",
    ),
    # installs
    path("apps/<slug:slug>/install/", inst.InstallView.as_view(), name="app-install"),
    path("apps/<slug:slug>/purchase/", inst.PurchaseView.as_view(), name="app-purchase"),
    path("apps/<slug:slug>/subscribe/", inst.SubscribeView.as_view(), name="app-subscribe"),
    path("installations/", inst.InstallationListView.as_view(), name="installations"),
    path("installations/<uuid:public_id>/", inst.InstallationDetailView.as_view(), name="installation"),
    path(
        "installations/<uuid:public_id>/uninstall/",
        inst.UninstallView.as_view(),
        name="installation-uninstall",
    ),
    path("installations/<uuid:public_id>/seats/", inst.SeatsView.as_view(), name="installation-seats"),
    path("entitlements/", inst.EntitlementView.as_view(), name="entitlements"),
    path("usage/", inst.UsageView.as_view(), name="usage"),
    # reviews
    path("apps/<slug:slug>/reviews/", rev.AppReviewsView.as_view(), name="app-reviews"),
    path("reviews/<uuid:public_id>/", rev.ReviewDetailView.as_view(), name="review"),
    path("reviews/<uuid:public_id>/reply/", rev.ReviewReplyView.as_view(), name="review-reply"),
    path("reviews/<uuid:public_id>/helpful/", rev.ReviewHelpfulView.as_view(), name="review-helpful"),
    path("reviews/<uuid:public_id>/report/", rev.ReviewReportView.as_view(), name="review-report"),
    # reviewers and moderators
    path("review-queue/", rev.ReviewQueueView.as_view(), name="review-queue"),
    path("versions/<uuid:public_id>/assign/", rev.VersionAssignView.as_view(), name="version-assign"),
    path(
        "versions/<uuid:public_id>/checklist/", rev.VersionChecklistView.as_view(), name="version-checklist"
    ),
    path(
        "versions/<uuid:public_id>/approve/",
        rev.decision_view("approve", "Approve and publish"),
        name="version-approve",
    ),
    path(
        "versions/<uuid:public_id>/reject/",
        rev.decision_view("reject", "Reject with reasons"),
        name="version-reject",
    ),
    path(
        "versions/<uuid:public_id>/suspend/",
        rev.decision_view("suspend", "Suspend a published version"),
        name="version-suspend",
    ),
    path(
        "versions/<uuid:public_id>/reinstate/",
        rev.decision_view("reinstate", "Reinstate a suspended version"),
        name="version-reinstate",
    ),
    path("abuse-reports/", rev.AbuseReportListView.as_view(), name="abuse-reports"),
    path(
        "abuse-reports/<uuid:public_id>/resolve/",
        rev.AbuseReportResolveView.as_view(),
        name="abuse-report-resolve",
    ),
    path("certification-requests/", rev.CertificationQueueView.as_view(), name="certification-requests"),
    path(
        "certification-requests/<uuid:public_id>/grant/",
        rev.CertificationGrantView.as_view(),
        name="certification-grant",
    ),
    path(
        "certification-requests/<uuid:public_id>/reject/",
        rev.CertificationRejectView.as_view(),
        name="certification-reject",
    ),
]

"""Learn portal, mounted at /learn/. The issuer, credential, status-list and context URLs are public and
stable: they appear inside signed credentials, so never change them."""

from django.urls import path

from certification.views import authoring, catalog, credentials, dashboards, exams

app_name = "certification"
urlpatterns = [
    path("", catalog.index, name="index"),
    path("tracks/<slug:slug>/", catalog.track_detail, name="track"),
    path("certifications/<uuid:public_id>/", catalog.certification_detail, name="certification"),
    path("courses/<slug:slug>/", catalog.course_detail, name="course"),
    path("courses/<slug:slug>/enrol/", catalog.enrol, name="enrol"),
    path("courses/<slug:slug>/buy/", catalog.buy, name="buy"),
    path("courses/<slug:slug>/resume/", catalog.resume, name="resume"),
    path("courses/<slug:slug>/lessons/<uuid:lesson_id>/", catalog.lesson_detail, name="lesson"),
    path(
        "courses/<slug:slug>/lessons/<uuid:lesson_id>/resources/<int:pk>/",
        catalog.resource_download,
        name="resource",
    ),
    path(
        "courses/<slug:slug>/lessons/<uuid:lesson_id>/complete/",
        catalog.lesson_complete,
        name="lesson-complete",
    ),
    path("exams/<uuid:public_id>/", exams.exam_detail, name="exam"),
    path("exams/<uuid:public_id>/start/", exams.exam_start, name="exam-start"),
    path("attempts/<uuid:public_id>/", exams.attempt_detail, name="attempt"),
    path("attempts/<uuid:public_id>/submit/", exams.attempt_submit, name="attempt-submit"),
    # Dashboards
    path("me/", dashboards.learner, name="me"),
    path("teach/", dashboards.instructor, name="teach"),
    path("metrics/", dashboards.metrics, name="metrics"),
    # Certificates: the holder's page, then the public, stable URLs
    path("certificates/<uuid:public_id>/", credentials.certificate_detail, name="certificate"),
    path("certificates/<uuid:public_id>/revoke/", credentials.certificate_revoke, name="certificate-revoke"),
    path("credentials/<uuid:public_id>/", credentials.credential_page, name="credential"),
    path("credentials/<uuid:public_id>/certificate.pdf", credentials.credential_pdf, name="credential-pdf"),
    path(
        "credentials/<uuid:public_id>/credential.<str:fmt>",
        credentials.credential_download,
        name="credential-download",
    ),
    path("verify/", credentials.verify, name="verify"),
    path("issuer/", credentials.issuer_profile, name="issuer"),
    path("issuer/jwks.json", credentials.issuer_jwks, name="issuer-jwks"),
    path("status/<slug:name>/", credentials.status_list, name="status-list"),
    path("contexts/<str:name>", credentials.context_file, name="context"),
    path("people/<slug:handle>/", credentials.public_profile, name="profile"),
    # Authoring
    path("teach/courses/new/", authoring.course_edit, name="author-course-new"),
    path("teach/courses/<slug:slug>/", authoring.course_edit, name="author-course"),
    path("teach/courses/<slug:slug>/modules/new/", authoring.module_add, name="author-module"),
    path("teach/courses/<slug:slug>/cohorts/new/", authoring.cohort_add, name="author-cohort"),
    path("teach/courses/<slug:slug>/lessons/new/", authoring.lesson_edit, name="author-lesson-new"),
    path("teach/courses/<slug:slug>/lessons/<uuid:lesson_id>/", authoring.lesson_edit, name="author-lesson"),
    path(
        "teach/courses/<slug:slug>/lessons/<uuid:lesson_id>/translation/",
        authoring.translation_edit,
        name="author-translation",
    ),
    path("teach/items/", authoring.items, name="author-items"),
    path("teach/items/new/", authoring.item_edit, name="author-item-new"),
    path("teach/items/<uuid:public_id>/", authoring.item_edit, name="author-item"),
    path(
        "teach/certifications/<uuid:certification_id>/exams/new/", authoring.exam_edit, name="author-exam-new"
    ),
    path(
        "teach/certifications/<uuid:certification_id>/exams/<uuid:public_id>/",
        authoring.exam_edit,
        name="author-exam",
    ),
]

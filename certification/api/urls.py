"""REST API of Learn, mounted at /api/v1/certification/."""

from django.urls import path

from certification.api import views

app_name = "certification-api"
urlpatterns = [
    path("tracks/", views.TrackListView.as_view(), name="tracks"),
    path("courses/", views.CourseListView.as_view(), name="courses"),
    path("courses/<slug:slug>/", views.CourseDetailView.as_view(), name="course"),
    path("courses/<slug:slug>/lessons/<uuid:lesson_id>/", views.LessonContentView.as_view(), name="lesson"),
    path("courses/<slug:slug>/enrol/", views.EnrolView.as_view(), name="enrol"),
    path("courses/<slug:slug>/purchase/", views.PurchaseView.as_view(), name="purchase"),
    path("enrolments/", views.EnrolmentListView.as_view(), name="enrolments"),
    path("enrolments/<uuid:public_id>/", views.EnrolmentDetailView.as_view(), name="enrolment"),
    path(
        "enrolments/<uuid:public_id>/lessons/<uuid:lesson_id>/complete/",
        views.LessonCompleteView.as_view(),
        name="lesson-complete",
    ),
    path("exams/<uuid:public_id>/", views.ExamDetailView.as_view(), name="exam"),
    path("exams/<uuid:public_id>/attempts/", views.AttemptStartView.as_view(), name="attempt-start"),
    path("attempts/<uuid:public_id>/", views.AttemptDetailView.as_view(), name="attempt"),
    path("attempts/<uuid:public_id>/answers/", views.AttemptAnswersView.as_view(), name="attempt-answers"),
    path("attempts/<uuid:public_id>/submit/", views.AttemptSubmitView.as_view(), name="attempt-submit"),
    path("certificates/", views.CertificateListView.as_view(), name="certificates"),
    path("certificates/<uuid:public_id>/", views.CertificateDetailView.as_view(), name="certificate"),
    path(
        "certificates/<uuid:public_id>/revoke/",
        views.CertificateRevokeView.as_view(),
        name="certificate-revoke",
    ),
    path("verify/", views.VerifyView.as_view(), name="verify"),
    path("metrics/", views.MetricsView.as_view(), name="metrics"),
    path("items/", views.ItemStatsView.as_view(), name="items"),
]

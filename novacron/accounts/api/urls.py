"""REST API of accounts, mounted at /api/v1/accounts/. URLs carry public ids and slugs, never internal ids."""

from django.urls import path

from novacron.accounts.api import views

app_name = "accounts-api"
urlpatterns = [
    path("me/", views.MeApi.as_view(), name="me"),
    path("tokens/", views.ApiTokenListApi.as_view(), name="tokens"),
    path("tokens/<uuid:public_id>/", views.ApiTokenDetailApi.as_view(), name="token"),
    path("organizations/", views.OrganizationListApi.as_view(), name="organizations"),
    path("organizations/<str:ref>/", views.OrganizationDetailApi.as_view(), name="organization"),
    path("organizations/<str:ref>/leave/", views.OrganizationLeaveApi.as_view(), name="organization-leave"),
    path("organizations/<str:ref>/members/", views.MemberListApi.as_view(), name="members"),
    path("organizations/<str:ref>/members/<uuid:user>/", views.MemberDetailApi.as_view(), name="member"),
    path("organizations/<str:ref>/invitations/", views.InvitationListApi.as_view(), name="invitations"),
    path(
        "organizations/<str:ref>/invitations/<uuid:public_id>/",
        views.InvitationDetailApi.as_view(),
        name="invitation",
    ),
    path("invitations/accept/", views.InvitationAcceptApi.as_view(), name="invitation-accept"),
]

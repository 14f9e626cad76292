"""Account pages of the portal, mounted at /account/."""

from django.urls import path

from novacron.accounts import views

app_name = "accounts"
urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("security/", views.security, name="security"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<uuid:public_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("organizations/", views.organizations, name="organizations"),
    path("organizations/<slug:slug>/", views.organization_detail, name="organization"),
    path("organizations/<slug:slug>/edit/", views.organization_edit, name="organization_edit"),
    path("organizations/<slug:slug>/leave/", views.organization_leave_view, name="organization_leave"),
    path("organizations/<slug:slug>/members/<uuid:user>/role/", views.member_role, name="member_role"),
    path("organizations/<slug:slug>/members/<uuid:user>/remove/", views.member_remove, name="member_remove"),
    path("organizations/<slug:slug>/invitations/", views.invitation_new, name="invitation_new"),
    path(
        "organizations/<slug:slug>/invitations/<uuid:public_id>/revoke/",
        views.invitation_revoke_view,
        name="invitation_revoke",
    ),
    path("invitations/<str:token>/", views.invitation_accept_view, name="invitation_accept"),
]

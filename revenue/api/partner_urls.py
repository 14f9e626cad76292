"""Services marketplace under /api/v1/revenue/services/."""

from django.urls import path

from revenue.api import partner_dispute_views as disputes
from revenue.api import partner_order_views as orders
from revenue.api import partner_review_views as review
from revenue.api import partner_views as views

P = "services/"
urlpatterns = [
    path(f"{P}listings/", views.ListingListView.as_view(), name="revenue-services-listings"),
    path(
        f"{P}listings/<uuid:public_id>/", views.ListingDetailView.as_view(), name="revenue-services-listing"
    ),
    path(
        f"{P}listings/<uuid:public_id>/publish/",
        views.ListingPublishView.as_view(),
        name="revenue-services-listing-publish",
    ),
    path(
        f"{P}listings/<uuid:public_id>/archive/",
        views.ListingArchiveView.as_view(),
        name="revenue-services-listing-archive",
    ),
    path(
        f"{P}listings/<uuid:public_id>/requests/",
        orders.RequestCreateView.as_view(),
        name="revenue-services-request-create",
    ),
    path(f"{P}partners/", views.PartnerApplyView.as_view(), name="revenue-services-partners"),
    path(
        f"{P}partners/<uuid:public_id>/", views.PartnerDetailView.as_view(), name="revenue-services-partner"
    ),
    path(
        f"{P}partners/review/", review.PartnerReviewListView.as_view(), name="revenue-services-partner-review"
    ),
    path(
        f"{P}partners/<uuid:public_id>/status/",
        review.PartnerStatusView.as_view(),
        name="revenue-services-partner-status",
    ),
    path(f"{P}requests/", orders.RequestListView.as_view(), name="revenue-services-requests"),
    path(
        f"{P}requests/<uuid:public_id>/", orders.RequestDetailView.as_view(), name="revenue-services-request"
    ),
    path(
        f"{P}requests/<uuid:public_id>/close/",
        orders.RequestCloseView.as_view(),
        name="revenue-services-request-close",
    ),
    path(
        f"{P}requests/<uuid:public_id>/quotes/",
        orders.QuoteCreateView.as_view(),
        name="revenue-services-quotes",
    ),
    path(
        f"{P}requests/<uuid:public_id>/rating/",
        disputes.RatingCreateView.as_view(),
        name="revenue-services-rating",
    ),
    path(
        f"{P}quotes/<uuid:public_id>/accept/",
        orders.QuoteAcceptView.as_view(),
        name="revenue-services-quote-accept",
    ),
    path(
        f"{P}quotes/<uuid:public_id>/decline/",
        orders.QuoteDeclineView.as_view(),
        name="revenue-services-quote-decline",
    ),
    path(
        f"{P}milestones/<uuid:public_id>/pay/", orders.MilestonePayView.as_view(), name="revenue-services-pay"
    ),
    path(
        f"{P}milestones/<uuid:public_id>/deliver/",
        orders.MilestoneDeliverView.as_view(),
        name="revenue-services-deliver",
    ),
    path(
        f"{P}milestones/<uuid:public_id>/accept/",
        orders.MilestoneAcceptView.as_view(),
        name="revenue-services-accept",
    ),
    path(
        f"{P}milestones/<uuid:public_id>/hours/",
        orders.MilestoneHoursView.as_view(),
        name="revenue-services-hours",
    ),
    path(
        f"{P}milestones/<uuid:public_id>/dispute/",
        disputes.MilestoneDisputeView.as_view(),
        name="revenue-services-dispute-open",
    ),
    path(
        f"{P}hours/<int:pk>/decision/",
        orders.TimeEntryDecisionView.as_view(),
        name="revenue-services-hours-decide",
    ),
    path(f"{P}disputes/", disputes.DisputeListView.as_view(), name="revenue-services-disputes"),
    path(
        f"{P}disputes/<uuid:public_id>/resolve/",
        disputes.DisputeResolveView.as_view(),
        name="revenue-services-dispute-resolve",
    ),
]

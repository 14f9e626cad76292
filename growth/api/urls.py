"""REST API of Community, mounted at /api/v1/growth/."""

from django.urls import path

from growth.api import community_views as c
from growth.api import conference_views as conf
from growth.api import ticket_views as t

app_name = "growth-api"
urlpatterns = [
    path("chapters/", c.ChapterListView.as_view(), name="chapters"),
    path("chapters/<slug:slug>/", c.ChapterDetailView.as_view(), name="chapter"),
    path("chapters/<slug:slug>/membership/", c.ChapterMembershipView.as_view(), name="chapter-membership"),
    path("chapters/<slug:slug>/onboarding/", c.OnboardingView.as_view(), name="onboarding"),
    path("resources/", c.ResourceListView.as_view(), name="resources"),
    path("calendar/", c.CalendarView.as_view(), name="calendar"),
    path("events/", c.EventListView.as_view(), name="events"),
    path("events/<slug:slug>/", c.EventDetailView.as_view(), name="event"),
    path("events/<slug:slug>/cancel/", c.EventCancelView.as_view(), name="event-cancel"),
    path("events/<slug:slug>/attendance/", c.AttendanceView.as_view(), name="attendance"),
    path("events/<slug:slug>/rsvp/", c.RSVPView.as_view(), name="rsvp"),
    path("events/<slug:slug>/ticket-types/", t.TicketTypeListView.as_view(), name="ticket-types"),
    path("events/<slug:slug>/check-in/", t.CheckInView.as_view(), name="check-in"),
    path("events/<slug:slug>/check-in/search/", t.CheckInSearchView.as_view(), name="check-in-search"),
    path("ticket-types/<uuid:public_id>/waitlist/", t.WaitlistView.as_view(), name="waitlist"),
    path("holds/", t.HoldListView.as_view(), name="holds"),
    path("holds/<uuid:public_id>/", t.HoldDetailView.as_view(), name="hold"),
    path("checkout/", t.CheckoutView.as_view(), name="checkout"),
    path("tickets/", t.TicketListView.as_view(), name="tickets"),
    path("tickets/<uuid:public_id>/", t.TicketDetailView.as_view(), name="ticket"),
    path("funding-requests/", c.FundingListView.as_view(), name="funding"),
    path(
        "funding-requests/<uuid:public_id>/<str:decision>/",
        c.FundingDecisionView.as_view(),
        name="funding-decide",
    ),
    path("conferences/", conf.ConferenceListView.as_view(), name="conferences"),
    path("conferences/<slug:slug>/schedule/", conf.ScheduleView.as_view(), name="schedule"),
    path("conferences/<slug:slug>/schedule/releases/", conf.ReleaseListView.as_view(), name="releases"),
    path("conferences/<slug:slug>/schedule/conflicts/", conf.ConflictListView.as_view(), name="conflicts"),
    path("conferences/<slug:slug>/sessions/", conf.SessionListView.as_view(), name="sessions"),
    path("conferences/<slug:slug>/submissions/", conf.SubmissionListView.as_view(), name="submissions"),
    path("conferences/<slug:slug>/sponsors/", conf.SponsorListView.as_view(), name="sponsors"),
    path("submissions/<uuid:public_id>/decision/", conf.DecisionView.as_view(), name="decision"),
    path("review/", conf.ReviewQueueView.as_view(), name="review-queue"),
    path("review/<uuid:reference>/", conf.ReviewDetailView.as_view(), name="review"),
    path("sessions/<uuid:public_id>/", conf.SessionDetailView.as_view(), name="session"),
    path("sessions/<uuid:public_id>/star/", conf.SessionStarView.as_view(), name="session-star"),
    path("sessions/<uuid:public_id>/questions/", conf.QuestionListView.as_view(), name="questions"),
    path("questions/<uuid:public_id>/", conf.QuestionActionView.as_view(), name="question"),
    path("sponsors/<uuid:public_id>/leads/", conf.LeadListView.as_view(), name="leads"),
]

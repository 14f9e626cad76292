"""Community portal, mounted at /community/."""

from django.urls import path

from growth.views import chapters, conferences, events, tickets

app_name = "growth"
urlpatterns = [
    path("", chapters.index, name="index"),
    path("chapters/", chapters.directory, name="chapters"),
    path("chapters/<slug:slug>/", chapters.chapter_detail, name="chapter"),
    path("chapters/<slug:slug>/membership/", chapters.chapter_membership, name="chapter_membership"),
    path("chapters/<slug:slug>/organise/", chapters.chapter_organise, name="chapter_organise"),
    path("resources/", chapters.resources, name="resources"),
    path("resources/<slug:slug>/", chapters.resource_detail, name="resource"),
    path("events/", events.event_list, name="events"),
    path("events/<slug:slug>/", events.event_detail, name="event"),
    path("events/<slug:slug>/rsvp/", events.event_rsvp, name="event_rsvp"),
    path("events/<slug:slug>/reserve/", events.event_reserve, name="event_reserve"),
    path("events/<slug:slug>/waitlist/", events.event_waitlist, name="event_waitlist"),
    path("events/<slug:slug>/ticket-types/", events.event_ticket_type, name="event_ticket_type"),
    path("events/<slug:slug>/cancel/", events.event_cancel_view, name="event_cancel"),
    path("events/<slug:slug>/event.ics", events.event_ical, name="event_ical"),
    path("events/<slug:slug>/check-in/", events.event_check_in, name="check_in"),
    path("calendar/", events.calendar_page, name="calendar"),
    path("calendar/<str:token>.ics", events.calendar_feed, name="calendar_feed"),
    path("tickets/", tickets.tickets_view, name="tickets"),
    path("tickets/cart/", tickets.cart_view, name="cart"),
    path("tickets/cart/<uuid:public_id>/release/", tickets.hold_release_view, name="hold_release"),
    path("tickets/<uuid:public_id>/", tickets.ticket_detail, name="ticket"),
    path("tickets/<uuid:public_id>/qr.png", tickets.ticket_qr, name="ticket_qr"),
    path("speaker/", conferences.speaker_profile, name="speaker_profile"),
    path("submissions/", conferences.my_submissions, name="my_submissions"),
    path("review/", conferences.review_queue, name="review_queue"),
    path("review/<uuid:reference>/", conferences.review_detail, name="review"),
    path("funding/", conferences.funding_review, name="funding_review"),
    path("conferences/<slug:slug>/", conferences.conference_detail, name="conference"),
    path("conferences/<slug:slug>/cfp/", conferences.cfp_submit, name="cfp"),
    path(
        "conferences/<slug:slug>/submissions/",
        conferences.conference_submissions,
        name="conference_submissions",
    ),
    path("conferences/<slug:slug>/schedule/", conferences.schedule_public, name="schedule"),
    path("conferences/<slug:slug>/schedule/edit/", conferences.schedule_editor, name="schedule_editor"),
    path("conferences/<slug:slug>/schedule/changes/", conferences.schedule_changes, name="schedule_changes"),
    path("conferences/<slug:slug>/schedule.json", conferences.schedule_export_json, name="schedule_json"),
    path("conferences/<slug:slug>/schedule.ics", conferences.schedule_export_ics, name="schedule_ics"),
    path("conferences/<slug:slug>/rooms/<uuid:room_id>/", conferences.room_page, name="room"),
    path("conferences/<slug:slug>/sponsors/", conferences.sponsors_page, name="sponsors"),
    path("sessions/<uuid:public_id>/", conferences.session_page, name="session"),
    path("sessions/<uuid:public_id>/star/", conferences.session_star_view, name="session_star"),
    path("sponsors/<uuid:public_id>/leads/", conferences.sponsor_leads, name="sponsor_leads"),
]

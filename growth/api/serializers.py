"""API serializers: Input (parse) and Output (render) per resource. Reviewer-facing output is built only from
`growth.selectors.review.anonymised_submission` (no speaker identity)."""

from __future__ import annotations

from functools import cached_property

from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers

from growth.models import (
    RSVP,
    Chapter,
    CheckIn,
    Conference,
    Event,
    FundingRequest,
    Lead,
    Question,
    Sponsor,
    Submission,
    Ticket,
    TicketHold,
    TicketType,
    TicketWaitlistEntry,
)
from growth.models.tickets import seats_left
from growth.selectors.conferences import conference_location
from growth.services.venue import attending_event_ids
from growth.timezones import in_zone


class GrowthChapterOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    member_count = serializers.IntegerField(read_only=True, default=None)

    class Meta:
        model = Chapter
        fields = [
            "id",
            "slug",
            "name",
            "city",
            "country",
            "region",
            "timezone",
            "language",
            "description",
            "member_count",
        ]


class GrowthChapterInput(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    city = serializers.CharField(max_length=100)
    country = serializers.CharField(max_length=2)
    region = serializers.CharField(
        help_text="africa, asia_pacific, europe, latin_america, middle_east, north_america"
    )
    timezone = serializers.CharField(max_length=64)
    language = serializers.CharField(max_length=10, default="en")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    organiser = serializers.UUIDField(
        required=False, allow_null=True, default=None, help_text="User public id"
    )


class GrowthStepOutput(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    help = serializers.CharField()
    done = serializers.BooleanField()


class GrowthStepInput(serializers.Serializer):
    step = serializers.CharField()
    done = serializers.BooleanField()


class GrowthResourceOutput(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.CharField()
    summary = serializers.CharField()
    body = serializers.CharField(help_text="Markdown")
    url = serializers.CharField()


class GrowthEventPatchInput(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    format = serializers.CharField(required=False)
    venue_name = serializers.CharField(required=False, allow_blank=True)
    venue_address = serializers.CharField(required=False, allow_blank=True)
    stream_url = serializers.URLField(required=False, allow_blank=True)
    timezone = serializers.CharField(required=False)
    starts_at = serializers.DateTimeField(required=False)
    ends_at = serializers.DateTimeField(required=False)
    capacity = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    offer_hours = serializers.IntegerField(min_value=1, max_value=336, required=False)


class GrowthAttendanceInput(serializers.Serializer):
    user = serializers.UUIDField(help_text="The attendee's user public id")


class GrowthAttendanceOutput(serializers.Serializer):
    status = serializers.CharField(help_text="ok or duplicate")
    checked_in_at = serializers.DateTimeField()


class GrowthCalendarOutput(serializers.Serializer):
    feed_url = serializers.CharField(
        help_text="Secret iCal address: events you attend and sessions you starred"
    )


class GrowthEventOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    chapter = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    venue_address = serializers.SerializerMethodField(help_text="Confirmed attendees only; otherwise null.")
    stream_url = serializers.SerializerMethodField(help_text="Confirmed attendees only; otherwise null.")
    starts_at_local = serializers.SerializerMethodField(help_text="Start in the event's timezone (ISO 8601).")

    class Meta:
        model = Event
        fields = [
            "id",
            "slug",
            "title",
            "description",
            "chapter",
            "format",
            "venue_name",
            "venue_address",
            "stream_url",
            "timezone",
            "starts_at",
            "ends_at",
            "starts_at_local",
            "capacity",
            "is_ticketed",
            "state",
        ]

    @cached_property
    def _attending_ids(self) -> set[int]:
        # Two queries for the whole list instead of up to four per event.
        request = self.context.get("request")
        return attending_event_ids(request.user) if request else set()

    def _confirmed(self, event: Event) -> bool:
        return event.pk in self._attending_ids

    def get_venue_address(self, event: Event) -> str | None:
        return event.venue_address if self._confirmed(event) else None

    def get_stream_url(self, event: Event) -> str | None:
        return event.stream_url if self._confirmed(event) else None

    def get_starts_at_local(self, event: Event) -> str:
        return in_zone(event.starts_at, event.timezone).isoformat()


class GrowthEventInput(serializers.Serializer):
    chapter = serializers.SlugField(
        required=False, allow_null=True, help_text="Chapter slug; null: platform event"
    )
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    format = serializers.ChoiceField(choices=Event.Format.choices, default=Event.Format.IN_PERSON)
    venue_name = serializers.CharField(required=False, allow_blank=True, default="")
    venue_address = serializers.CharField(required=False, allow_blank=True, default="")
    stream_url = serializers.URLField(required=False, allow_blank=True, default="")
    timezone = serializers.CharField(default="UTC")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    capacity = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)


class GrowthRSVPOutput(serializers.ModelSerializer):
    event = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    waitlist_position = serializers.SerializerMethodField()

    class Meta:
        model = RSVP
        fields = [
            "event",
            "state",
            "created_at",
            "waitlisted_at",
            "promoted_at",
            "checked_in_at",
            "waitlist_position",
        ]

    def get_waitlist_position(self, rsvp: RSVP) -> int | None:
        from growth.selectors.events import waitlist_position

        return waitlist_position(rsvp)


class GrowthTicketTypeOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    available = serializers.SerializerMethodField()

    class Meta:
        model = TicketType
        fields = ["id", "name", "kind", "description", "price", "currency", "max_per_order", "available"]

    def get_available(self, ticket_type: TicketType) -> int:
        return seats_left(ticket_type.quotas.all())


class GrowthTicketTypeInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    kind = serializers.CharField(default="in_person", help_text="in_person, virtual, workshop or student")
    price = serializers.IntegerField(min_value=0, help_text="Minor units")
    currency = serializers.CharField(max_length=3)
    seats = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, default=None, help_text="A new quota of this size…"
    )
    share_with = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="…or share the quota(s) of this existing ticket type",
    )
    max_per_order = serializers.IntegerField(min_value=1, max_value=50, default=10)


class GrowthHoldInput(serializers.Serializer):
    ticket_type = serializers.UUIDField()
    quantity = serializers.IntegerField(min_value=1, default=1)
    voucher = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)


class GrowthHoldOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    event = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    ticket_type = serializers.UUIDField(source="ticket_type.public_id")
    item = serializers.SerializerMethodField(help_text="The revenue checkout item for this hold.")

    class Meta:
        model = TicketHold
        fields = [
            "id",
            "event",
            "ticket_type",
            "quantity",
            "unit_amount",
            "currency",
            "state",
            "expires_at",
            "order_id",
            "item",
        ]

    def get_item(self, hold: TicketHold) -> dict:
        return {"type": "growth.ticket", "id": str(hold.public_id), "quantity": hold.quantity}


class GrowthCheckoutInput(serializers.Serializer):
    holds = serializers.ListField(child=serializers.UUIDField(), min_length=1, max_length=20)
    payment_method = serializers.CharField(max_length=100, help_text="Test card 4242424242424242")
    billing_country = serializers.CharField(max_length=2, required=False, allow_blank=True, default="")


class GrowthCheckoutOutput(serializers.Serializer):
    order = serializers.UUIDField()
    state = serializers.CharField()
    total = serializers.IntegerField()
    currency = serializers.CharField()
    failure_message = serializers.CharField()
    tickets = serializers.ListField(child=serializers.UUIDField())


class GrowthTicketOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    event = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    ticket_type = serializers.CharField(source="ticket_type.name")
    qr_code = serializers.CharField(source="secret", help_text="The content of the badge's QR code")

    class Meta:
        model = Ticket
        fields = [
            "id",
            "event",
            "ticket_type",
            "attendee_name",
            "state",
            "qr_code",
            "lead_consent",
            "checked_in_at",
            "order_id",
        ]


class GrowthTicketPatchInput(serializers.Serializer):
    attendee_name = serializers.CharField(max_length=120, required=False)
    lead_consent = serializers.BooleanField(required=False)


class GrowthWaitlistInput(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1, default=1)


class GrowthWaitlistOutput(serializers.ModelSerializer):
    ticket_type = serializers.UUIDField(source="ticket_type.public_id")
    hold = serializers.UUIDField(source="hold.public_id", allow_null=True, default=None)

    class Meta:
        model = TicketWaitlistEntry
        fields = ["id", "ticket_type", "quantity", "state", "created_at", "offered_at", "hold"]


class GrowthCheckInInput(serializers.Serializer):
    qr_code = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    ticket = serializers.UUIDField(required=False, allow_null=True, default=None)
    gate = serializers.CharField(required=False, allow_blank=True, default="", max_length=60)


class GrowthCheckInOutput(serializers.Serializer):
    status = serializers.ChoiceField(choices=["ok", "duplicate"])
    ticket = serializers.UUIDField()
    attendee_name = serializers.CharField()
    ticket_type = serializers.CharField()
    first_checked_in_at = serializers.DateTimeField()


class GrowthScanOutput(serializers.ModelSerializer):
    class Meta:
        model = CheckIn
        fields = ["scanned_at", "gate", "duplicate"]


class GrowthConferenceOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    event = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    tracks = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    starts_at = serializers.DateTimeField(source="event.starts_at")
    ends_at = serializers.DateTimeField(source="event.ends_at")
    starts_at_local = serializers.SerializerMethodField(
        help_text="Start in the conference's timezone (ISO 8601)."
    )
    timezone = serializers.CharField(source="event.timezone")
    format = serializers.CharField(source="event.format", help_text="in_person, virtual or hybrid")
    location = serializers.SerializerMethodField(
        help_text="Venue name and city (the street address is for confirmed attendees), or Online."
    )
    state = serializers.CharField(source="event.state", help_text="published or cancelled")
    upcoming = serializers.SerializerMethodField(help_text="True until the conference has ended.")
    url = serializers.SerializerMethodField(help_text="The conference's portal page.")

    class Meta:
        model = Conference
        fields = [
            "id",
            "slug",
            "name",
            "event",
            "starts_at",
            "ends_at",
            "starts_at_local",
            "timezone",
            "format",
            "location",
            "state",
            "upcoming",
            "url",
            "cfp_opens_at",
            "cfp_closes_at",
            "tracks",
        ]

    def get_starts_at_local(self, conference: Conference) -> str:
        return in_zone(conference.event.starts_at, conference.event.timezone).isoformat()

    def get_location(self, conference: Conference) -> str:
        return conference_location(conference)

    def get_upcoming(self, conference: Conference) -> bool:
        return conference.event.ends_at > timezone.now()

    def get_url(self, conference: Conference) -> str:
        path = reverse("growth:conference", args=[conference.slug])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class GrowthSubmissionInput(serializers.Serializer):
    track = serializers.CharField(help_text="Track name")
    type = serializers.ChoiceField(choices=["talk", "workshop", "keynote", "lightning"])
    title = serializers.CharField(max_length=200)
    abstract = serializers.CharField()
    description = serializers.CharField(required=False, allow_blank=True, default="")
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    answers = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        default=dict,
        help_text="Question id → answer",
    )
    co_speakers = serializers.ListField(child=serializers.EmailField(), required=False, default=list)


class GrowthSubmissionOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    conference = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    track = serializers.CharField(source="track.name")
    type = serializers.CharField(source="submission_type.kind")

    class Meta:
        model = Submission
        fields = [
            "id",
            "conference",
            "track",
            "type",
            "title",
            "abstract",
            "description",
            "state",
            "created_at",
        ]


class GrowthAnswerOutput(serializers.Serializer):
    question = serializers.CharField()
    answer = serializers.CharField()


class GrowthHistoryOutput(serializers.Serializer):
    at = serializers.DateTimeField()
    by = serializers.CharField(help_text="A role (speaker, reviewer, organiser), never a person")
    action = serializers.CharField()


class GrowthAnonymisedSubmissionOutput(serializers.Serializer):
    reference = serializers.UUIDField()
    title = serializers.CharField()
    abstract = serializers.CharField()
    description = serializers.CharField()
    type = serializers.CharField()
    duration_minutes = serializers.IntegerField()
    track = serializers.CharField()
    state = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    answers = GrowthAnswerOutput(many=True)
    history = GrowthHistoryOutput(many=True)
    my_review = serializers.DictField(allow_null=True)


class GrowthReviewInput(serializers.Serializer):
    scores = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=5),
        help_text="Criterion id → score 0..5, every criterion",
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class GrowthReviewOutput(serializers.Serializer):
    scores = serializers.DictField(child=serializers.IntegerField())
    score = serializers.DecimalField(max_digits=4, decimal_places=2)
    comment = serializers.CharField()


class GrowthDecisionInput(serializers.Serializer):
    state = serializers.CharField(help_text="accepted, rejected or waitlisted")


class GrowthSessionPatchInput(serializers.Serializer):
    room = serializers.UUIDField(required=False)
    starts_at = serializers.DateTimeField(required=False)
    ends_at = serializers.DateTimeField(required=False)
    title = serializers.CharField(required=False)
    recording_url = serializers.URLField(required=False, allow_blank=True)


class GrowthSessionInput(serializers.Serializer):
    submission = serializers.UUIDField(required=False, allow_null=True, default=None)
    title = serializers.CharField(required=False, allow_blank=True, default="")
    room = serializers.UUIDField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class GrowthConflictOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["room", "speaker"])
    session_id = serializers.UUIDField()
    other_id = serializers.UUIDField()
    message = serializers.CharField()


class GrowthSessionOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    title = serializers.CharField()
    room = serializers.CharField(source="room.name")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    recording_url = serializers.CharField()


class GrowthSessionSavedOutput(serializers.Serializer):
    session = GrowthSessionOutput()
    conflicts = GrowthConflictOutput(many=True)


class GrowthReleaseInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class GrowthReleaseOutput(serializers.Serializer):
    version = serializers.IntegerField()
    released_at = serializers.DateTimeField()
    note = serializers.CharField()
    changes = serializers.ListField(child=serializers.DictField())


class GrowthScheduleSessionOutput(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    room = serializers.CharField()
    track = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    speakers = serializers.ListField(child=serializers.CharField())


class GrowthScheduleOutput(serializers.Serializer):
    conference = serializers.CharField()
    timezone = serializers.CharField()
    version = serializers.IntegerField()
    released_at = serializers.DateTimeField()
    sessions = GrowthScheduleSessionOutput(many=True)


class GrowthQuestionInput(serializers.Serializer):
    text = serializers.CharField(max_length=500)


class GrowthQuestionOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")

    class Meta:
        model = Question
        fields = ["id", "text", "state", "upvotes", "created_at"]


class GrowthModerateInput(serializers.Serializer):
    state = serializers.CharField(help_text="visible, answered or hidden")


class GrowthSponsorOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    tier = serializers.CharField(source="tier.name")

    class Meta:
        model = Sponsor
        fields = ["id", "name", "tier", "website", "booth", "description"]


class GrowthLeadInput(serializers.Serializer):
    qr_code = serializers.CharField(max_length=100)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class GrowthLeadOutput(serializers.ModelSerializer):
    name = serializers.CharField(source="ticket.attendee_name")
    email = serializers.EmailField(source="ticket.holder.email")
    ticket_type = serializers.CharField(source="ticket.ticket_type.name")

    class Meta:
        model = Lead
        fields = ["name", "email", "ticket_type", "notes", "captured_at"]


class GrowthBudgetLine(serializers.Serializer):
    label = serializers.CharField(max_length=120)
    amount = serializers.IntegerField(min_value=1, help_text="Minor units")


class GrowthFundingInput(serializers.Serializer):
    chapter = serializers.SlugField()
    event = serializers.SlugField(required=False, allow_null=True, default=None)
    title = serializers.CharField(max_length=200)
    purpose = serializers.CharField()
    currency = serializers.CharField(max_length=3)
    budget = GrowthBudgetLine(many=True)


class GrowthFundingDecisionInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class GrowthFundingOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    chapter = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    budget = GrowthBudgetLine(many=True)

    class Meta:
        model = FundingRequest
        fields = [
            "id",
            "chapter",
            "title",
            "purpose",
            "currency",
            "budget",
            "amount",
            "state",
            "decision_note",
            "journal_entry",
            "created_at",
            "decided_at",
            "paid_at",
        ]

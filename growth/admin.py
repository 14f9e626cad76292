"""Community staff tools in the Django admin. Actions call the services (audit, emails, revenue)."""

from django.contrib import admin, messages
from django.db import models

from growth import models as m
from growth.services.funding import funding_approve, funding_reject
from growth.services.tickets import holds_expire
from novacron.core.exceptions import DomainError

_URLS = {models.URLField: {"assume_scheme": "https"}}


class ModelAdmin(admin.ModelAdmin):
    formfield_overrides = _URLS


class TabularInline(admin.TabularInline):
    formfield_overrides = _URLS


class OrganiserInline(TabularInline):
    model = m.ChapterOrganiser
    raw_id_fields = ["user"]
    extra = 0


@admin.register(m.Chapter)
class ChapterAdmin(ModelAdmin):
    list_display = ["name", "city", "country", "region", "language", "is_active"]
    list_filter = ["region", "is_active", "language"]
    search_fields = ["name", "city", "country"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OrganiserInline]


@admin.register(m.ChapterMember)
class ChapterMemberAdmin(ModelAdmin):
    list_display = ["chapter", "user", "joined_at"]
    raw_id_fields = ["chapter", "user"]
    search_fields = ["chapter__name", "user__email"]


@admin.register(m.Resource)
class ResourceAdmin(ModelAdmin):
    list_display = ["title", "kind", "is_published"]
    list_filter = ["kind", "is_published"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(m.Event)
class EventAdmin(ModelAdmin):
    list_display = ["title", "chapter", "format", "starts_at", "timezone", "capacity", "is_ticketed", "state"]
    list_filter = ["state", "format", "is_ticketed"]
    search_fields = ["title", "chapter__name"]
    raw_id_fields = ["chapter", "created_by"]
    date_hierarchy = "starts_at"


@admin.register(m.RSVP)
class RSVPAdmin(ModelAdmin):
    list_display = ["event", "user", "state", "waitlisted_at", "promoted_at", "checked_in_at"]
    list_filter = ["state"]
    raw_id_fields = ["event", "user"]
    search_fields = ["event__title", "user__email"]


class QuotaInline(TabularInline):
    model = m.Quota
    readonly_fields = ["used"]
    extra = 0


class TicketTypeInline(TabularInline):
    model = m.TicketType
    fields = ["name", "kind", "price", "currency", "quotas", "max_per_order", "is_active"]
    extra = 0


@admin.register(m.Quota)
class QuotaAdmin(ModelAdmin):
    list_display = ["name", "event", "size", "used"]
    readonly_fields = ["used"]  # changed only by the ticket services, under lock


@admin.register(m.TicketType)
class TicketTypeAdmin(ModelAdmin):
    list_display = ["name", "event", "kind", "price", "currency", "is_active"]
    list_filter = ["kind", "is_active"]
    filter_horizontal = ["quotas"]


@admin.register(m.Voucher)
class VoucherAdmin(ModelAdmin):
    list_display = ["code", "event", "kind", "value", "uses", "max_uses", "valid_until"]
    readonly_fields = ["uses"]
    filter_horizontal = ["ticket_types"]


@admin.register(m.TicketHold)
class TicketHoldAdmin(ModelAdmin):
    list_display = [
        "public_id",
        "event",
        "ticket_type",
        "buyer",
        "quantity",
        "state",
        "expires_at",
        "order_id",
    ]
    list_filter = ["state"]
    raw_id_fields = ["buyer", "event", "ticket_type", "voucher"]
    readonly_fields = ["state", "quantity", "unit_amount", "order_id"]
    actions = ["expire_due"]

    @admin.action(description="Expire holds whose time is up (frees their seats)")
    def expire_due(self, request, queryset):
        self.message_user(request, f"{holds_expire()} hold(s) expired.")


@admin.register(m.Ticket)
class TicketAdmin(ModelAdmin):
    list_display = ["attendee_name", "event", "ticket_type", "holder", "state", "checked_in_at"]
    list_filter = ["state", "ticket_type__kind"]
    search_fields = ["attendee_name", "holder__email", "secret"]
    raw_id_fields = ["hold", "holder", "event", "ticket_type"]
    readonly_fields = ["secret", "state", "order_id", "checked_in_at"]


@admin.register(m.CheckIn)
class CheckInAdmin(ModelAdmin):
    list_display = ["ticket", "scanned_at", "gate", "duplicate", "scanned_by"]
    list_filter = ["duplicate"]
    raw_id_fields = ["ticket", "scanned_by"]


@admin.register(m.TicketWaitlistEntry)
class WaitlistAdmin(ModelAdmin):
    list_display = ["ticket_type", "user", "state", "created_at", "offered_at"]
    list_filter = ["state"]
    raw_id_fields = ["user", "hold"]


class TrackInline(TabularInline):
    model = m.Track
    extra = 0


class SubmissionTypeInline(TabularInline):
    model = m.SubmissionType
    extra = 0


class QuestionInline(TabularInline):
    model = m.CfPQuestion
    extra = 0


class CriterionInline(TabularInline):
    model = m.ReviewCriterion
    extra = 0


class RoomInline(TabularInline):
    model = m.Room
    extra = 0
    exclude = ["public_id"]


@admin.register(m.Conference)
class ConferenceAdmin(ModelAdmin):
    list_display = ["name", "event", "cfp_opens_at", "cfp_closes_at"]
    filter_horizontal = ["organisers"]
    inlines = [TrackInline, SubmissionTypeInline, QuestionInline, CriterionInline, RoomInline]


@admin.register(m.ReviewTeam)
class ReviewTeamAdmin(ModelAdmin):
    list_display = ["name", "conference", "track"]
    filter_horizontal = ["members"]


class SpeakerInline(TabularInline):
    model = m.SubmissionSpeaker
    raw_id_fields = ["user"]
    extra = 0


@admin.register(m.Submission)
class SubmissionAdmin(ModelAdmin):
    list_display = ["title", "conference", "track", "submission_type", "state", "created_at"]
    list_filter = ["state", "conference", "track"]
    search_fields = ["title"]
    raw_id_fields = ["submitter"]
    inlines = [SpeakerInline]


@admin.register(m.Review)
class ReviewAdmin(ModelAdmin):
    list_display = ["submission", "reviewer", "score", "updated_at"]
    raw_id_fields = ["submission", "reviewer"]


@admin.register(m.SpeakerProfile)
class SpeakerProfileAdmin(ModelAdmin):
    list_display = ["name", "company", "user"]
    raw_id_fields = ["user"]


@admin.register(m.Session)
class SessionAdmin(ModelAdmin):
    list_display = ["title", "conference", "room", "starts_at", "ends_at"]
    list_filter = ["conference", "room"]
    raw_id_fields = ["submission"]


@admin.register(m.ScheduleRelease)
class ScheduleReleaseAdmin(ModelAdmin):
    list_display = ["conference", "version", "released_at", "note"]
    readonly_fields = ["snapshot", "changes"]


@admin.register(m.Question)
class QuestionAdmin(ModelAdmin):
    list_display = ["text", "session", "upvotes", "state"]
    list_filter = ["state"]
    raw_id_fields = ["author", "session"]


@admin.register(m.SponsorTier)
class SponsorTierAdmin(ModelAdmin):
    list_display = ["name", "conference", "rank", "price", "currency"]


@admin.register(m.Sponsor)
class SponsorAdmin(ModelAdmin):
    list_display = ["name", "conference", "tier", "booth"]
    filter_horizontal = ["staff"]


@admin.register(m.Lead)
class LeadAdmin(ModelAdmin):
    list_display = ["sponsor", "ticket", "captured_at"]
    raw_id_fields = ["ticket", "captured_by"]


@admin.register(m.FundingRequest)
class FundingRequestAdmin(ModelAdmin):
    list_display = ["title", "chapter", "amount", "currency", "state", "requested_by", "created_at"]
    list_filter = ["state", "currency"]
    raw_id_fields = ["chapter", "event", "requested_by", "decided_by"]
    readonly_fields = ["state", "decided_by", "decided_at", "seller_id", "journal_entry", "paid_at", "amount"]
    actions = ["approve", "reject"]

    def _apply(self, request, queryset, service, verb):
        for funding in queryset:
            try:
                service(request=funding, actor=request.user)
            except DomainError as exc:
                self.message_user(request, f"{funding}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, f"{funding}: {verb}.")

    @admin.action(description="Approve and pay through revenue")
    def approve(self, request, queryset):
        self._apply(request, queryset, funding_approve, "approved and paid")

    @admin.action(description="Reject")
    def reject(self, request, queryset):
        self._apply(request, queryset, funding_reject, "rejected")

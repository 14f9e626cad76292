"""Staff tools for the services marketplace (imported from revenue/admin.py).

Partners are approved or suspended with actions (audited through the service); listings are editable except their
money fields' consistency, which the model's constraint guards. Requests, quotes, milestones and disputes are
read-only records: releasing and resolving go through actions that call the services (finance permission), so the
ledger entries and audit rows are written with them. Split resolutions need an amount: use the finance portal.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from revenue.admin import FinanceActionsMixin, ReadOnlyAdminMixin, ReadOnlyInline, _run_each
from revenue.models import (
    Partner,
    PartnerRating,
    ServiceDispute,
    ServiceListing,
    ServiceMilestone,
    ServiceQuote,
    ServiceRequest,
    ServiceTimeEntry,
)
from revenue.services.partner_disputes import milestone_dispute_resolve
from revenue.services.partner_milestones import milestones_auto_accept_due
from revenue.services.partner_profiles import partner_set_status


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = (
        "display_name",
        "country",
        "status",
        "contact",
        "rating_average",
        "rating_count",
        "created_at",
    )
    list_filter = ("status", "country")
    search_fields = ("display_name", "contact__email", "public_id")
    list_select_related = ("contact",)
    readonly_fields = (
        "public_id", "seller", "contact", "status", "approved_at", "approved_by", "rating_count", "rating_total",
        "rating_average",
    )  # fmt: skip
    actions = ["approve", "suspend"]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # partners apply in the portal or the API

    @admin.action(description="Approve selected partners")
    def approve(self, request: HttpRequest, queryset: QuerySet) -> None:
        _run_each(
            self,
            request,
            queryset,
            lambda p: partner_set_status(partner=p, status=Partner.Status.APPROVED, actor=request.user),
            "Approved",
        )

    @admin.action(description="Suspend selected partners (their listings leave the directory)")
    def suspend(self, request: HttpRequest, queryset: QuerySet) -> None:
        _run_each(
            self,
            request,
            queryset,
            lambda p: partner_set_status(partner=p, status=Partner.Status.SUSPENDED, actor=request.user),
            "Suspended",
        )


@admin.register(ServiceListing)
class ServiceListingAdmin(admin.ModelAdmin):
    list_display = ("title", "partner", "category", "pricing", "currency", "status", "published_at")
    list_filter = ("status", "category", "pricing")
    search_fields = ("title", "partner__display_name", "public_id")
    list_select_related = ("partner",)
    readonly_fields = ("public_id", "partner", "published_at")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class MilestoneInline(ReadOnlyInline):
    model = ServiceMilestone
    fields = (
        "position",
        "title",
        "amount",
        "estimated_hours",
        "due_date",
        "state",
        "released_by",
        "refunded_amount",
    )


class QuoteInline(ReadOnlyInline):
    model = ServiceQuote
    fields = ("public_id", "pricing", "currency", "total_amount", "state", "accepted_at")


@admin.register(ServiceRequest)
class ServiceRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("public_id", "created_at", "listing", "partner", "buyer", "organization", "state")
    list_filter = ("state",)
    search_fields = ("public_id", "buyer__email", "partner__display_name")
    list_select_related = ("listing", "partner", "buyer", "organization")
    inlines = [QuoteInline]


@admin.register(ServiceQuote)
class ServiceQuoteAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("public_id", "request", "pricing", "currency", "total_amount", "state", "created_at")
    list_filter = ("state", "pricing")
    search_fields = ("public_id", "request__public_id")
    inlines = [MilestoneInline]


class TimeEntryInline(ReadOnlyInline):
    model = ServiceTimeEntry
    fields = ("work_date", "hours", "description", "state", "decided_at")


@admin.register(ServiceMilestone)
class ServiceMilestoneAdmin(FinanceActionsMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "public_id",
        "quote",
        "position",
        "title",
        "amount",
        "state",
        "auto_accept_at",
        "released_by",
    )
    list_filter = ("state", "released_by")
    search_fields = ("public_id", "title", "quote__request__public_id")
    inlines = [TimeEntryInline]
    actions = ["auto_accept_due"]

    @admin.action(
        description="Run auto-accept now (every delivered milestone past its window, not only the selection)"
    )
    def auto_accept_due(self, request: HttpRequest, queryset: QuerySet) -> None:
        self.message_user(request, f"Released {milestones_auto_accept_due()} milestone(s).")


@admin.register(ServiceDispute)
class ServiceDisputeAdmin(FinanceActionsMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "public_id",
        "created_at",
        "milestone",
        "state",
        "outcome",
        "refund_amount",
        "resolved_by",
    )
    list_filter = ("state", "outcome")
    search_fields = ("public_id", "reason", "resolution_notes")
    actions = ["resolve_release", "resolve_refund"]

    def _resolve(self, request: HttpRequest, queryset: QuerySet, outcome: str, done: str) -> None:
        notes = f"Resolved in the admin by {request.user.email}: {done.lower()}."
        _run_each(
            self,
            request,
            queryset,
            lambda d: milestone_dispute_resolve(dispute=d, actor=request.user, outcome=outcome, notes=notes),
            done,
        )

    @admin.action(description="Resolve: release everything to the partner")
    def resolve_release(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._resolve(request, queryset, ServiceDispute.Outcome.RELEASE, "Released to the partner")

    @admin.action(description="Resolve: refund everything to the buyer")
    def resolve_refund(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._resolve(request, queryset, ServiceDispute.Outcome.REFUND, "Refunded to the buyer")


@admin.register(PartnerRating)
class PartnerRatingAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("partner", "score", "rated_by", "created_at")
    list_filter = ("score",)
    search_fields = ("partner__display_name", "comment")

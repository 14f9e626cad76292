"""Marketplace staff tools in the Django admin.

Listings (categories, agreements, apps' descriptive fields) are editable; workflow state, installations,
purchases, ratings and badges change only through admin actions that call the services (so transitions are
checked and audited, and ratings stay consistent).
"""

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from marketplace.models import (
    AbuseReport,
    AgreementAcceptance,
    App,
    AppVersion,
    Badge,
    Category,
    CertificationRequest,
    CheckResult,
    DeveloperAgreement,
    Installation,
    Plan,
    PriceChange,
    Publisher,
    Purchase,
    Review,
    ReviewComment,
    Screenshot,
)
from marketplace.services import certification, installs, reviews, versions
from marketplace.services.facets import app_refresh_facet_bits
from marketplace.tasks import run_checks
from novacron.core.exceptions import DomainError


def _each(request: HttpRequest, queryset: QuerySet, action: Callable[[Any], Any], done: str) -> None:
    ok = 0
    for obj in queryset:
        try:
            action(obj)
            ok += 1
        except DomainError as exc:
            messages.error(request, f"{obj}: {exc.message}")
    if ok:
        messages.success(request, f"{done}: {ok}.")


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(DeveloperAgreement)
class DeveloperAgreementAdmin(admin.ModelAdmin):
    list_display = ["version", "title", "effective_at"]


class AcceptanceInline(admin.TabularInline):
    model = AgreementAcceptance
    extra = 0
    readonly_fields = ["agreement", "accepted_by", "accepted_at", "ip_address"]
    can_delete = False


@admin.register(Publisher)
class PublisherAdmin(admin.ModelAdmin):
    list_display = ["display_name", "kind", "user", "organization", "seller_id", "created_at"]
    list_filter = ["kind"]
    search_fields = ["display_name", "slug", "user__email", "organization__name"]
    readonly_fields = ["kind", "user", "organization", "seller_id", "created_by"]
    inlines = [AcceptanceInline]


class PlanInline(admin.TabularInline):
    model = Plan
    extra = 0
    fields = [
        "name",
        "model",
        "interval",
        "amount",
        "unit_amount",
        "monthly_cap",
        "currency",
        "trial_days",
        "is_active",
    ]
    readonly_fields = ["amount", "unit_amount"]  # prices change through the service (30/90-day rules)


class ScreenshotInline(admin.TabularInline):
    model = Screenshot
    extra = 0
    readonly_fields = ["image", "width", "height"]


@admin.register(App)
class AppAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "publisher",
        "category",
        "vertical",
        "is_listed",
        "install_count",
        "rating_average",
        "rating_count",
    ]
    list_filter = ["is_listed", "vertical", "category"]
    search_fields = ["name", "slug", "tagline", "publisher__display_name"]
    readonly_fields = [
        "is_listed",
        "published_at",
        "install_count",
        "rating_average",
        "rating_count",
        "rating_distribution",
        "api_key_prefix",
        "price_model_bits",
        "language_bits",
    ]
    exclude = ["api_key_hash"]
    inlines = [PlanInline, ScreenshotInline]
    actions = ["recompute_ratings"]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        app_refresh_facet_bits(form.instance.pk)  # plans may have been (de)activated inline

    @admin.action(description="Recompute rating average and distribution")
    def recompute_ratings(self, request: HttpRequest, queryset: QuerySet) -> None:
        from django.db import transaction

        for app in queryset:
            with transaction.atomic():
                App.objects.select_for_update().get(pk=app.pk)
                reviews.rating_recompute(app.pk)
        messages.success(request, "Ratings recomputed.")


class CheckInline(admin.TabularInline):
    model = CheckResult
    extra = 0
    readonly_fields = ["run", "check_name", "status", "message", "started_at", "finished_at"]
    exclude = ["details"]
    can_delete = False


class CommentInline(admin.TabularInline):
    model = ReviewComment
    extra = 0
    readonly_fields = ["author", "from_reviewer", "body", "created_at"]
    can_delete = False


@admin.register(AppVersion)
class AppVersionAdmin(admin.ModelAdmin):
    list_display = ["app", "version", "state", "submitted_at", "queued_at", "reviewer", "decided_at"]
    list_filter = ["state"]
    search_fields = ["app__name", "version"]
    readonly_fields = [f.name for f in AppVersion._meta.fields if f.name not in ("id",)]
    inlines = [CheckInline, CommentInline]
    actions = ["rerun_checks", "assign_to_me", "suspend"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Run the automated checks again (submitted versions)")
    def rerun_checks(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = 0
        for version in queryset.filter(state=AppVersion.State.SUBMITTED):
            run_checks.delay(version.pk, version.submission)
            count += 1
        messages.success(request, f"Checks queued for {count} version(s).")

    @admin.action(description="Assign to me (versions in review)")
    def assign_to_me(self, request: HttpRequest, queryset: QuerySet) -> None:
        _each(
            request, queryset, lambda v: versions.version_assign(version=v, reviewer=request.user), "Assigned"
        )

    @admin.action(description="Suspend (published versions)")
    def suspend(self, request: HttpRequest, queryset: QuerySet) -> None:
        _each(
            request,
            queryset,
            lambda v: versions.version_suspend(
                version=v, reviewer=request.user, reason="Suspended by staff in the admin"
            ),
            "Suspended",
        )


@admin.register(Installation)
class InstallationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "app",
        "plan",
        "user",
        "organization",
        "status",
        "seats",
        "current_period_end",
        "subscription_id",
        "created_at",
    ]
    list_filter = ["status", "plan__model"]
    search_fields = ["app__name", "user__email", "organization__name", "subscription_id"]
    actions = ["expire_lapsed"]

    @admin.action(description="Expire lapsed trials and periods (all installations)")
    def expire_lapsed(self, request: HttpRequest, queryset: QuerySet) -> None:
        messages.success(request, f"Expired {installs.installations_expire()} installation(s).")


@admin.register(Purchase)
class PurchaseAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "order_id",
        "installation",
        "plan",
        "buyer",
        "quantity",
        "net_amount",
        "currency",
        "state",
        "created_at",
    ]
    list_filter = ["state"]


@admin.register(PriceChange)
class PriceChangeAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["plan", "old_amount", "new_amount", "changed_at", "changed_by"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["app", "author", "rating", "title", "is_hidden", "helpful_count", "created_at"]
    list_filter = ["is_hidden", "rating"]
    search_fields = ["app__name", "author__email", "title"]
    readonly_fields = [
        "app",
        "author",
        "rating",
        "title",
        "body",
        "is_hidden",
        "helpful_count",
        "reply_body",
        "reply_by",
        "replied_at",
    ]
    actions = ["restore"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Restore hidden reviews")
    def restore(self, request: HttpRequest, queryset: QuerySet) -> None:
        _each(
            request, queryset, lambda r: reviews.review_restore(review=r, moderator=request.user), "Restored"
        )


@admin.register(AbuseReport)
class AbuseReportAdmin(admin.ModelAdmin):
    list_display = ["review", "reason", "reporter", "status", "created_at", "resolved_by"]
    list_filter = ["status", "reason"]
    readonly_fields = [
        "review",
        "reporter",
        "reason",
        "details",
        "status",
        "resolved_by",
        "resolved_at",
        "resolution_note",
    ]
    actions = ["uphold", "dismiss"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Uphold (hide the review)")
    def uphold(self, request: HttpRequest, queryset: QuerySet) -> None:
        _each(
            request,
            queryset.filter(status="open"),
            lambda r: reviews.report_resolve(report=r, moderator=request.user, uphold=True),
            "Upheld",
        )

    @admin.action(description="Dismiss")
    def dismiss(self, request: HttpRequest, queryset: QuerySet) -> None:
        _each(
            request,
            queryset.filter(status="open"),
            lambda r: reviews.report_resolve(report=r, moderator=request.user, uphold=False),
            "Dismissed",
        )


@admin.register(CertificationRequest)
class CertificationRequestAdmin(admin.ModelAdmin):
    list_display = [
        "app",
        "kind",
        "state",
        "support_response_hours",
        "uptime_slo",
        "created_at",
        "decided_by",
    ]
    list_filter = ["state", "kind"]
    readonly_fields = [f.name for f in CertificationRequest._meta.fields if f.name != "id"]
    actions = ["grant"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Grant the badge (checks the requirements)")
    def grant(self, request: HttpRequest, queryset: QuerySet) -> None:
        _each(
            request,
            queryset,
            lambda r: certification.certification_grant(request=r, reviewer=request.user),
            "Granted",
        )


@admin.register(Badge)
class BadgeAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["app", "kind", "granted_at", "expires_at", "revoked_at", "granted_by"]
    list_filter = ["kind"]

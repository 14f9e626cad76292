"""Learn staff tools in the Django admin. Actions call services (audited)."""

from django.contrib import admin, messages

from certification.models import (
    Attempt,
    AttemptItem,
    Certificate,
    Certification,
    Cohort,
    Course,
    Enrolment,
    Exam,
    IssuerKey,
    Item,
    LearnerProfile,
    Lesson,
    LessonTranslation,
    Module,
    Resource,
    Track,
)
from certification.services.certificates import certificate_revoke
from certification.services.statistics import item_statistics_recompute
from novacron.core.exceptions import DomainError


@admin.register(Track)
class TrackAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Certification)
class CertificationAdmin(admin.ModelAdmin):
    list_display = ["name", "track", "level", "validity_days", "is_active"]
    list_filter = ["track", "level", "is_active"]


class ModuleInline(admin.TabularInline):
    model = Module
    extra = 0


class CohortInline(admin.TabularInline):
    model = Cohort
    extra = 0


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "track",
        "level",
        "certification",
        "price_amount",
        "price_currency",
        "is_published",
    ]
    list_filter = ["track", "level", "is_published"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["prerequisites"]
    inlines = [ModuleInline, CohortInline]


class TranslationInline(admin.StackedInline):
    model = LessonTranslation
    extra = 0


class ResourceInline(admin.TabularInline):
    model = Resource
    extra = 0


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ["title", "module", "position", "is_required"]
    list_filter = ["module__course"]
    search_fields = ["title"]
    inlines = [TranslationInline, ResourceInline]


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["user", "course", "status", "source", "cohort", "created_at", "completed_at"]
    list_filter = ["status", "source", "course"]
    search_fields = ["user__email", "course__title", "order_id"]
    raw_id_fields = ["user", "last_lesson"]


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "track",
        "skill",
        "difficulty",
        "kind",
        "responses",
        "p_value",
        "point_biserial",
        "is_active",
    ]
    list_filter = ["track", "kind", "difficulty", "is_active"]
    search_fields = ["stem", "skill"]
    readonly_fields = ["responses", "p_value", "point_biserial", "stats_updated_at"]
    actions = ["recompute_statistics"]

    @admin.action(description="Recompute item statistics")
    def recompute_statistics(self, request, queryset):
        tracks = set(queryset.values_list("track_id", flat=True))
        count = sum(item_statistics_recompute(track_id=t) for t in tracks)
        messages.success(request, f"Statistics recomputed for {count} items.")


@admin.register(Exam)
class ExamAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "certification",
        "kind",
        "time_limit_minutes",
        "pass_mark",
        "max_attempts",
        "is_active",
    ]
    list_filter = ["kind", "is_active"]


class AttemptItemInline(admin.TabularInline):
    model = AttemptItem
    extra = 0
    can_delete = False
    readonly_fields = ["item", "position", "option_order", "response", "is_correct", "points"]


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ["user", "exam", "status", "started_at", "percent", "passed"]
    list_filter = ["status", "passed", "exam"]
    search_fields = ["user__email"]
    readonly_fields = [
        "exam",
        "user",
        "status",
        "started_at",
        "deadline",
        "submitted_at",
        "score",
        "max_score",
        "percent",
        "passed",
        "skill_scores",
    ]
    inlines = [AttemptItemInline]


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["recipient_name", "certification", "status", "issued_at", "expires_at", "revoked_at"]
    list_filter = ["status", "certification__track"]
    search_fields = ["recipient_name", "user__email", "public_id"]
    readonly_fields = [f.name for f in Certificate._meta.fields]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # certificates are issued by the completion flow, never typed in

    @admin.action(description="Revoke selected certificates (reason: revoked by staff in the admin)")
    def revoke(self, request, queryset):
        done = 0
        for certificate in queryset:
            try:
                certificate_revoke(
                    certificate=certificate, reason="Revoked by staff in the admin", actor=request.user
                )
                done += 1
            except DomainError as exc:
                messages.warning(request, f"{certificate}: {exc.message}")
        messages.success(request, f"{done} certificate(s) revoked.")


@admin.register(IssuerKey)
class IssuerKeyAdmin(admin.ModelAdmin):
    list_display = ["kid", "is_active", "created_at", "retired_at"]
    readonly_fields = ["kid", "public_jwk", "key_file", "is_active", "retired_at"]
    exclude = ["private_key_encrypted"]

    def has_add_permission(self, request):
        return False  # use `manage.py issuer_key --rotate`


@admin.register(LearnerProfile)
class LearnerProfileAdmin(admin.ModelAdmin):
    list_display = ["handle", "user", "is_public"]

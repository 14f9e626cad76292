from django.contrib import admin

from novacron.core.models import AuditLog, IdempotencyKey


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor_repr", "action", "object_type", "object_repr", "request_id")
    list_filter = ("action", "object_type")
    search_fields = ("actor_repr", "object_id", "object_repr", "request_id")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(admin.ModelAdmin):
    list_display = ("created_at", "owner", "key", "method", "path", "state", "response_status")
    list_filter = ("state",)
    search_fields = ("owner", "key", "path")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

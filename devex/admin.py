"""Developer tools staff tools in the Django admin: the assistant's conversations and feedback (read-only: they
are users' data, written by the services), the retrieval index (read-only: written by indexing), and a
"re-index now" action that calls the indexing service."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from devex.models import Chunk, Conversation, Document, Feedback, IndexBuild, Message
from devex.services import indexing


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MessageInline(ReadOnlyInline):
    model = Message
    fields = ("created_at", "role", "content", "answered", "citations")
    readonly_fields = fields
    ordering = ("created_at", "id")


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "user", "language", "created_at", "updated_at")
    list_filter = ("language", "created_at")
    search_fields = ("title", "user__email", "public_id")
    readonly_fields = ("public_id", "user", "title", "language", "created_at", "updated_at")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    inlines = [MessageInline]


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ("message_question", "helpful", "short_comment", "answered", "user", "updated_at")
    list_filter = ("helpful", "message__answered", "created_at")
    search_fields = ("comment", "message__content", "user__email")
    readonly_fields = ("message", "user", "helpful", "comment", "created_at", "updated_at")
    list_select_related = ("message", "user")
    date_hierarchy = "created_at"

    @admin.display(description="Question")
    def message_question(self, obj: Feedback) -> str:
        return str((obj.message.retrieval or {}).get("question", ""))[:100] or obj.message.content[:100]

    @admin.display(description="Comment")
    def short_comment(self, obj: Feedback) -> str:
        return obj.comment[:120]

    @admin.display(boolean=True, description="Answered")
    def answered(self, obj: Feedback) -> bool:
        return obj.message.answered


class ChunkInline(ReadOnlyInline):
    model = Chunk
    fields = ("position", "heading_path", "anchor", "language", "content_hash")
    readonly_fields = fields
    ordering = ("position",)


def _reindex(request: HttpRequest) -> None:
    """Bring the index up to date now (only changed documents are re-chunked), and say what happened."""
    report = indexing.index_rebuild()
    if report.skipped:
        messages.warning(request, f"Not re-indexed: {report.skipped}.")
        return
    summary = (
        f"Re-indexed: {report.created} new, {report.updated} changed, {report.deleted} removed, "
        f"{report.unchanged} unchanged documents; {report.chunks_total} chunks"
    )
    if report.build is not None:
        summary += f" ({report.build.vectoriser}, {report.build.vector_index} index)"
    messages.success(request, summary + ".")
    for source, error in report.source_errors.items():
        messages.warning(request, f"Source {source} could not be read: {error}")


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ("source_id", "title", "source", "language", "indexed_at", "source_updated_at")
    list_filter = ("source", "language")
    search_fields = ("source_id", "title", "url")
    readonly_fields = (
        "source",
        "source_id",
        "title",
        "url",
        "language",
        "content_hash",
        "source_updated_at",
        "indexed_at",
        "created_at",
        "updated_at",
    )
    inlines = [ChunkInline]
    actions = ["reindex_now"]

    @admin.action(description="Re-index now (changed documents only)")
    def reindex_now(self, request: HttpRequest, queryset: QuerySet[Document]) -> None:
        _reindex(request)


@admin.register(Chunk)
class ChunkAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "heading_path", "language")
    list_filter = ("document__source", "language")
    search_fields = ("heading_path", "text", "document__source_id")
    readonly_fields = ("document", "position", "heading_path", "anchor", "text", "content_hash", "language")
    list_select_related = ("document",)


@admin.register(IndexBuild)
class IndexBuildAdmin(ReadOnlyAdmin):
    list_display = (
        "started_at",
        "finished_at",
        "vectoriser",
        "vector_index",
        "dimensions",
        "documents_total",
        "documents_changed",
        "chunks_total",
        "failed",
    )
    list_filter = ("vectoriser", "vector_index")
    readonly_fields = (
        "started_at",
        "finished_at",
        "vectoriser",
        "vector_index",
        "dimensions",
        "documents_total",
        "documents_changed",
        "chunks_total",
        "error",
    )
    actions = ["reindex_now"]

    @admin.display(boolean=True, description="Failed")
    def failed(self, obj: IndexBuild) -> bool:
        return bool(obj.error)

    @admin.action(description="Re-index now (changed documents only)")
    def reindex_now(self, request: HttpRequest, queryset: QuerySet[IndexBuild]) -> None:
        _reindex(request)

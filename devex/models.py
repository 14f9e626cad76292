"""Developer experience models: the documentation index and the assistant's conversations."""

from django.conf import settings
from django.db import models

from novacron.core.models import PublicModel, TimestampedModel


class Document(TimestampedModel):
    """One indexed source document (a docs/ page, a course lesson, an article); re-indexed only when its
    content hash changes."""

    class Source(models.TextChoices):
        DOCS = "docs", "Documentation"
        LESSON = "lesson", "Course lesson"
        ARTICLE = "article", "Article"

    source = models.CharField(max_length=20, choices=Source.choices)
    source_id = models.CharField(max_length=255, help_text="docs path, or the content's public id")
    title = models.CharField(max_length=255)
    url = models.CharField(max_length=500)
    language = models.CharField(max_length=10, default="en")
    content_hash = models.CharField(max_length=64)
    source_updated_at = models.DateTimeField(null=True, blank=True)
    indexed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["source", "source_id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id", "language"], name="document_source_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.source_id}"


class Chunk(models.Model):
    """A passage of a document, split by headings with overlap; the unit of retrieval and citation."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="chunks")
    position = models.PositiveIntegerField()
    heading_path = models.CharField(max_length=500, help_text="e.g. 'Payouts › Schedules'")
    anchor = models.CharField(max_length=200, blank=True, help_text="HTML id of the section it comes from")
    text = models.TextField()
    content_hash = models.CharField(max_length=64, db_index=True)
    language = models.CharField(max_length=10, default="en", db_index=True)

    class Meta:
        ordering = ["document", "position"]
        constraints = [models.UniqueConstraint(fields=["document", "position"], name="chunk_position_uniq")]

    def __str__(self) -> str:
        return f"{self.document} #{self.position} {self.heading_path}"


class IndexBuild(models.Model):
    """A (re)build of the retrieval index: which vectoriser served it and how big it was."""

    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    vectoriser = models.CharField(
        max_length=100, help_text="e.g. 'sentence-transformers/all-MiniLM-L6-v2' or 'tfidf-lsa'"
    )
    vector_index = models.CharField(max_length=40, help_text="'exact' (numpy) or 'hnsw'")
    dimensions = models.PositiveIntegerField(default=0)
    documents_total = models.PositiveIntegerField(default=0)
    documents_changed = models.PositiveIntegerField(default=0)
    chunks_total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.vectoriser} ({self.chunks_total} chunks)"


class Conversation(PublicModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assistant_conversations"
    )
    title = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=10, default="en")

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.title or f"Conversation {self.public_id}"


class Message(PublicModel):
    class Role(models.TextChoices):
        USER = "user", "User"
        ASSISTANT = "assistant", "Assistant"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    role = models.CharField(max_length=20, choices=Role.choices)
    content = models.TextField()
    citations = models.JSONField(
        default=list, blank=True, help_text="[{n, title, heading_path, url, chunk_id}]"
    )
    retrieval = models.JSONField(default=dict, blank=True, help_text="method, scores, query used, backend")
    answered = models.BooleanField(default=True, help_text="False when the assistant said it does not know")

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.role}: {self.content[:60]}"


class Feedback(TimestampedModel):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    helpful = models.BooleanField()
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["message", "user"], name="feedback_one_per_user")]

    def __str__(self) -> str:
        return f"{'👍' if self.helpful else '👎'} {self.message_id}"

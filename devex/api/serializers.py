"""Request and response shapes of the docs assistant API (/api/v1/devex/).

An answer's `answer` is Markdown: the text with inline citation markers [1], [2], its code examples, then a
"Sources" list; `citations[n - 1]` is what marker [n] points at (`url` is the exact doc section with its anchor,
`absolute_url` the same on this server).
"""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from devex.models import Document, Message
from devex.services.assistant import METHODS
from devex.services.conversations import QUESTION_MAX_LENGTH, TITLE_MAX_LENGTH
from devex.services.feedback import COMMENT_MAX_LENGTH


def _choice_field(component: str, choices: list[tuple[str, str]], description: str) -> type:
    @extend_schema_field(
        {"type": "string", "enum": [value for value, _ in choices], "description": description},
        component_name=component,
    )
    class Field(serializers.ChoiceField):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(choices=choices, **kwargs)

    Field.__name__ = f"{component}Field"
    return Field


SourceField = _choice_field(
    "DevexSource",
    Document.Source.choices,
    "Where a passage comes from: docs/ pages, course lessons, articles.",
)
MethodField = _choice_field(
    "DevexSearchMethod",
    [(m, m) for m in METHODS],
    "hybrid (lexical and dense fused by reciprocal rank fusion), lexical only, or dense only.",
)
RoleField = _choice_field("DevexMessageRole", Message.Role.choices, "Who wrote the message.")


class DevexErrorSerializer(serializers.Serializer):
    """The project's error body (see novacron.core.api.errors)."""

    class _Detail(serializers.Serializer):
        code = serializers.CharField(help_text="Stable, machine-readable, e.g. not_found.")
        message = serializers.CharField()
        fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))

        class Meta:
            ref_name = "DevexErrorDetail"

    error = _Detail()
    request_id = serializers.CharField()

    class Meta:
        ref_name = "DevexError"


class CitationSerializer(serializers.Serializer):
    n = serializers.IntegerField(help_text="The marker [n] in the answer.")
    title = serializers.CharField(help_text="The cited document's title.")
    heading_path = serializers.CharField(help_text="e.g. 'Payouts › Schedules'.")
    url = serializers.CharField(help_text="The exact section: a path with its #anchor.")
    absolute_url = serializers.SerializerMethodField()
    source = serializers.CharField()
    chunk_id = serializers.IntegerField()
    score = serializers.FloatField(help_text="Retrieval score of the passage.")

    @extend_schema_field(serializers.CharField())
    def get_absolute_url(self, citation: dict[str, Any]) -> str:
        request = self.context.get("request")
        url = str(citation.get("url", ""))
        return request.build_absolute_uri(url) if request is not None and url.startswith("/") else url


# --- asking -------------------------------------------------------------------------------------------------


class AskInputSerializer(serializers.Serializer):
    question = serializers.CharField(max_length=QUESTION_MAX_LENGTH)
    conversation = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="Ask in this conversation of yours (follow-ups use its earlier turns). Without it a new "
        "conversation is started; its id is in the response.",
    )
    sources = serializers.ListField(
        child=SourceField(), required=False, allow_empty=True, help_text="Only passages from these sources."
    )
    language = serializers.CharField(
        required=False, allow_blank=True, max_length=10, help_text="Only passages in this language."
    )


class MessageCreateInputSerializer(serializers.Serializer):
    question = serializers.CharField(max_length=QUESTION_MAX_LENGTH)
    sources = serializers.ListField(child=SourceField(), required=False, allow_empty=True)
    language = serializers.CharField(required=False, allow_blank=True, max_length=10)


class AnswerSerializer(serializers.Serializer):
    """One answer: the assistant's message of a conversation, with the question it answers."""

    conversation = serializers.UUIDField(source="conversation.public_id")
    message = serializers.UUIDField(source="public_id", help_text="The answer's id (for feedback).")
    question = serializers.SerializerMethodField()
    answer = serializers.CharField(
        source="content", help_text="Markdown with [n] markers and a Sources list."
    )
    answered = serializers.BooleanField(
        help_text="False when the docs do not cover the question and the assistant says it does not know."
    )
    citations = serializers.SerializerMethodField()
    backend = serializers.SerializerMethodField(
        help_text="Who wrote the answer: 'extractive' or 'llm:<model>'."
    )
    retrieval_backend = serializers.SerializerMethodField(help_text="The active retrieval backend.")
    follow_up = serializers.SerializerMethodField(
        help_text="True when earlier turns were added to the query."
    )
    query = serializers.SerializerMethodField(help_text="The query retrieval ran.")
    created_at = serializers.DateTimeField()

    @extend_schema_field(serializers.CharField())
    def get_question(self, message: Message) -> str:
        return str((message.retrieval or {}).get("question", ""))

    @extend_schema_field(CitationSerializer(many=True))
    def get_citations(self, message: Message) -> list[dict[str, Any]]:
        return CitationSerializer(message.citations or [], many=True, context=self.context).data

    @extend_schema_field(serializers.CharField())
    def get_backend(self, message: Message) -> str:
        return str((message.retrieval or {}).get("answer_backend", "extractive"))

    @extend_schema_field(serializers.CharField())
    def get_retrieval_backend(self, message: Message) -> str:
        return str((message.retrieval or {}).get("backend", ""))

    @extend_schema_field(serializers.BooleanField())
    def get_follow_up(self, message: Message) -> bool:
        return bool((message.retrieval or {}).get("follow_up"))

    @extend_schema_field(serializers.CharField())
    def get_query(self, message: Message) -> str:
        return str((message.retrieval or {}).get("query", ""))


# --- conversations ----------------------------------------------------------------------------------------------


class FeedbackSerializer(serializers.Serializer):
    message = serializers.UUIDField(source="message.public_id")
    helpful = serializers.BooleanField()
    comment = serializers.CharField()
    updated_at = serializers.DateTimeField()


class FeedbackInputSerializer(serializers.Serializer):
    helpful = serializers.BooleanField()
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=COMMENT_MAX_LENGTH, default=""
    )


class MessageSerializer(serializers.Serializer):
    public_id = serializers.UUIDField()
    role = RoleField()
    content = serializers.CharField(help_text="The question, or the answer in Markdown.")
    answered = serializers.BooleanField()
    citations = serializers.SerializerMethodField()
    feedback = serializers.SerializerMethodField(help_text="Your feedback on an answer, or null.")
    created_at = serializers.DateTimeField()

    @extend_schema_field(CitationSerializer(many=True))
    def get_citations(self, message: Message) -> list[dict[str, Any]]:
        return CitationSerializer(message.citations or [], many=True, context=self.context).data

    @extend_schema_field(FeedbackSerializer(allow_null=True))
    def get_feedback(self, message: Message) -> dict[str, Any] | None:
        mine = getattr(message, "my_feedback", None)
        return FeedbackSerializer(mine).data if mine is not None else None


class ConversationSerializer(serializers.Serializer):
    public_id = serializers.UUIDField()
    title = serializers.CharField()
    language = serializers.CharField()
    message_count = serializers.IntegerField(required=False)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ConversationDetailSerializer(ConversationSerializer):
    messages = serializers.SerializerMethodField()

    @extend_schema_field(MessageSerializer(many=True))
    def get_messages(self, conversation: Any) -> list[dict[str, Any]]:
        return MessageSerializer(self.context.get("messages", []), many=True, context=self.context).data


class ConversationCreateInputSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, max_length=TITLE_MAX_LENGTH, default="")
    language = serializers.CharField(required=False, max_length=10, default="en")
    question = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=QUESTION_MAX_LENGTH,
        default="",
        help_text="Ask this first question right away.",
    )


# --- search and status ------------------------------------------------------------------------------------------


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=500)
    k = serializers.IntegerField(min_value=1, max_value=50, default=5)
    source = serializers.ListField(child=SourceField(), required=False, allow_empty=True)
    language = serializers.CharField(required=False, allow_blank=True, max_length=10)
    method = MethodField(default="hybrid")


class PassageSerializer(serializers.Serializer):
    chunk_id = serializers.IntegerField()
    document_title = serializers.CharField()
    heading_path = serializers.CharField()
    url = serializers.CharField(help_text="The section, with its #anchor.")
    text = serializers.CharField()
    score = serializers.FloatField()
    lexical_rank = serializers.IntegerField(
        allow_null=True, help_text="1-based; null if not found lexically."
    )
    dense_rank = serializers.IntegerField(allow_null=True, help_text="1-based; null if not found by vectors.")
    source = serializers.CharField()
    language = serializers.CharField()
    confident = serializers.BooleanField(help_text="Whether it passes the assistant's confidence rule.")


class SearchResultSerializer(serializers.Serializer):
    query = serializers.CharField()
    method = serializers.CharField()
    backend = serializers.CharField()
    results = PassageSerializer(many=True)


class RetrievalStatusSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="e.g. 'sentence-transformers/all-MiniLM-L6-v2' or 'tfidf-lsa'.")
    dims = serializers.IntegerField(allow_null=True, help_text="Vector dimensions.")
    index = serializers.CharField(allow_null=True, help_text="'exact' (numpy) or 'hnsw'.")
    chunks = serializers.IntegerField(allow_null=True, help_text="Passages in the index.")
    last_build = serializers.DateTimeField(allow_null=True)
    details = serializers.DictField(help_text="Everything active_backend() reports.")


class LLMStatusSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()
    model = serializers.CharField(allow_blank=True)


class StatusSerializer(serializers.Serializer):
    retrieval = RetrievalStatusSerializer()
    answers = serializers.CharField(help_text="'extractive', or 'llm:<model>' when the LLM backend is on.")
    llm = LLMStatusSerializer()

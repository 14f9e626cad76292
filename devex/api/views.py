"""Docs assistant API: ask (one-shot or in a conversation), conversations, feedback, raw search, status.

Thin: parse, call a service or selector, render. Views declare `scope_area = "devex"`: API tokens need
`devex:read` for GETs and `devex:write` for POST/DELETE (or the global `read`/`write`). A conversation that is not
yours is a 404, the same as one that does not exist. The `novacron` CLI uses these paths: keep them stable.
"""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from devex import llm, selectors
from devex.api.serializers import (
    AnswerSerializer,
    AskInputSerializer,
    ConversationCreateInputSerializer,
    ConversationDetailSerializer,
    ConversationSerializer,
    DevexErrorSerializer,
    FeedbackInputSerializer,
    FeedbackSerializer,
    MessageCreateInputSerializer,
    SearchQuerySerializer,
    SearchResultSerializer,
    StatusSerializer,
)
from devex.models import Conversation, Document, Feedback
from devex.services import assistant as assistant_service
from devex.services.conversations import conversation_ask, conversation_delete, conversation_start
from devex.services.feedback import feedback_give
from novacron.core.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from novacron.core.api.pagination import DefaultPagination
from novacron.core.exceptions import NotFound

TAGS = ["devex"]

PUBLIC_ID = OpenApiParameter("public_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Public id.")


def _errors(*codes: int) -> dict[int, OpenApiResponse]:
    descriptions = {
        400: "Invalid input; `error.fields` names the fields.",
        401: "Not signed in, or the API token is invalid, expired or revoked.",
        403: "The API token lacks the devex scope.",
        404: "Not found, or not yours.",
    }
    return {code: OpenApiResponse(DevexErrorSerializer, description=descriptions[code]) for code in codes}


def _ask(request: Request, conversation: Any, values: dict[str, Any]) -> Any:
    """Ask a validated question in a conversation (shared by the one-shot and the conversation endpoints)."""
    return conversation_ask(
        conversation=conversation,
        question=values["question"],
        user=request.user,
        sources=values.get("sources") or None,
        language=values.get("language") or None,
    )


class DevexApi(APIView):
    scope_area = "devex"


def _own_conversation(request: Request, public_id: Any) -> Conversation:
    conversation = selectors.conversation_for_user(public_id=public_id, user=request.user)
    if conversation is None:
        raise NotFound("No such conversation.")
    return conversation


def _answer(request: Request, message: Any, *, code: int) -> Response:
    return Response(AnswerSerializer(message, context={"request": request}).data, status=code)


class AskView(DevexApi):
    @extend_schema(
        tags=TAGS,
        operation_id="devex_assistant_ask",
        summary="Ask the docs assistant",
        description="Answers a question from the documentation with inline citations [n] linking to the exact "
        "sections, or says it does not know (`answered: false`) when nothing relevant scores high enough. "
        "Without `conversation` a new conversation is started (its id is in the response, so you can follow "
        "up); with it, earlier turns are used for follow-up questions.",
        request=AskInputSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={200: AnswerSerializer, **_errors(400, 401, 403, 404)},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = AskInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        wanted = data.validated_data.get("conversation")
        conversation = _own_conversation(request, wanted) if wanted else conversation_start(user=request.user)
        return _answer(request, _ask(request, conversation, data.validated_data), code=status.HTTP_200_OK)


class ConversationListView(DevexApi):
    pagination_class = DefaultPagination

    @extend_schema(
        tags=TAGS,
        operation_id="devex_conversations_list",
        summary="Your conversations",
        responses={200: ConversationSerializer(many=True), **_errors(401, 403)},
    )
    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            selectors.conversations_for_user(user=request.user), request, view=self
        )
        return paginator.get_paginated_response(ConversationSerializer(page, many=True).data)

    @extend_schema(
        tags=TAGS,
        operation_id="devex_conversations_create",
        summary="Start a conversation",
        description="Optionally with a first `question`, answered right away (the messages are in the response).",
        request=ConversationCreateInputSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: ConversationDetailSerializer, **_errors(400, 401, 403)},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = ConversationCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        conversation = conversation_start(
            user=request.user, title=data.validated_data["title"], language=data.validated_data["language"]
        )
        if data.validated_data["question"].strip():
            conversation_ask(
                conversation=conversation, question=data.validated_data["question"], user=request.user
            )
        return _detail(request, conversation, code=status.HTTP_201_CREATED)


def _detail(request: Request, conversation: Conversation, *, code: int = 200) -> Response:
    conversation.message_count = conversation.messages.count()
    context = {"request": request, "messages": selectors.conversation_messages(conversation=conversation)}
    return Response(ConversationDetailSerializer(conversation, context=context).data, status=code)


class ConversationDetailView(DevexApi):
    @extend_schema(
        tags=TAGS,
        operation_id="devex_conversations_retrieve",
        summary="A conversation with its messages",
        parameters=[PUBLIC_ID],
        responses={200: ConversationDetailSerializer, **_errors(401, 403, 404)},
    )
    def get(self, request: Request, public_id: Any) -> Response:
        return _detail(request, _own_conversation(request, public_id))

    @extend_schema(
        tags=TAGS,
        operation_id="devex_conversations_destroy",
        summary="Delete a conversation",
        parameters=[PUBLIC_ID],
        responses={204: None, **_errors(401, 403, 404)},
    )
    def delete(self, request: Request, public_id: Any) -> Response:
        conversation_delete(conversation=_own_conversation(request, public_id), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ConversationMessagesView(DevexApi):
    @extend_schema(
        tags=TAGS,
        operation_id="devex_conversations_ask",
        summary="Ask in a conversation",
        description='A follow-up question: short questions or ones with pronouns ("and how often?") are searched '
        "together with the salient words of the earlier questions.",
        parameters=[PUBLIC_ID, IDEMPOTENCY_KEY_PARAMETER],
        request=MessageCreateInputSerializer,
        responses={201: AnswerSerializer, **_errors(400, 401, 403, 404)},
    )
    @idempotent
    def post(self, request: Request, public_id: Any) -> Response:
        conversation = _own_conversation(request, public_id)
        data = MessageCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return _answer(
            request, _ask(request, conversation, data.validated_data), code=status.HTTP_201_CREATED
        )


class FeedbackView(DevexApi):
    @extend_schema(
        tags=TAGS,
        operation_id="devex_messages_feedback",
        summary="Rate an answer",
        description="Helpful or not, with an optional comment. One per user and answer: giving it again "
        "updates it (200); the first time answers 201.",
        parameters=[PUBLIC_ID],
        request=FeedbackInputSerializer,
        responses={200: FeedbackSerializer, 201: FeedbackSerializer, **_errors(400, 401, 403, 404)},
    )
    def post(self, request: Request, public_id: Any) -> Response:
        message = selectors.message_for_user(public_id=public_id, user=request.user)
        if message is None:
            raise NotFound("No such answer.")
        data = FeedbackInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        existed = Feedback.objects.filter(message=message, user=request.user).exists()
        feedback = feedback_give(
            message=message,
            user=request.user,
            helpful=data.validated_data["helpful"],
            comment=data.validated_data["comment"],
        )
        return Response(
            FeedbackSerializer(feedback).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )


class SearchView(DevexApi):
    @extend_schema(
        tags=TAGS,
        operation_id="devex_search",
        summary="Search the documentation (raw passages)",
        description="The passages retrieval returns, best first, without composing an answer. `source` may be "
        "repeated (?source=docs&source=lesson) or comma-separated.",
        parameters=[
            OpenApiParameter("q", str, required=True, description="The query."),
            OpenApiParameter("k", int, required=False, description="How many passages (1-50, default 5)."),
            OpenApiParameter(
                "source",
                str,
                many=True,
                required=False,
                enum=[value for value, _ in Document.Source.choices],
                description="Only these sources: docs, lesson, article.",
            ),
            OpenApiParameter("language", str, required=False, description="Only this language, e.g. en."),
            OpenApiParameter(
                "method",
                str,
                required=False,
                enum=list(assistant_service.METHODS),
                description="Default hybrid.",
            ),
        ],
        responses={200: SearchResultSerializer, **_errors(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        raw: dict[str, Any] = {key: request.query_params.get(key) for key in ("q", "k", "language", "method")}
        raw = {key: value for key, value in raw.items() if value not in (None, "")}
        sources = [
            s.strip()
            for value in request.query_params.getlist("source")
            for s in value.split(",")
            if s.strip()
        ]
        if sources:
            raw["source"] = sources
        query = SearchQuerySerializer(data=raw)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        passages = assistant_service.search_passages(
            params["q"],
            k=params["k"],
            sources=params.get("source") or None,
            language=params.get("language") or None,
            method=params["method"],
        )
        results = [
            {
                "chunk_id": p.chunk_id,
                "document_title": p.document_title,
                "heading_path": p.heading_path,
                "url": p.url,
                "text": p.text,
                "score": float(p.score),
                "lexical_rank": getattr(p, "lexical_rank", None),
                "dense_rank": getattr(p, "dense_rank", None),
                "source": p.source,
                "language": getattr(p, "language", ""),
                "confident": assistant_service.passage_is_confident(p),
            }
            for p in passages
        ]
        body = {
            "query": params["q"],
            "method": params["method"],
            "backend": assistant_service.retrieval_status()["name"],
            "results": results,
        }
        return Response(SearchResultSerializer(body).data)


class StatusView(DevexApi):
    @extend_schema(
        tags=TAGS,
        operation_id="devex_status",
        summary="Which retrieval and answer backends are active",
        responses={200: StatusSerializer, **_errors(401, 403)},
    )
    def get(self, request: Request) -> Response:
        config = llm.llm_config()
        body = {
            "retrieval": assistant_service.retrieval_status(),
            "answers": f"llm:{config.model}" if config else assistant_service.EXTRACTIVE,
            "llm": {"enabled": config is not None, "model": config.model if config else ""},
        }
        return Response(StatusSerializer(body).data)

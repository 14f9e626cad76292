"""Idempotency-Key for POST endpoints, with Stripe's semantics.

- same key, same request (method, path, parsed body: JSON key order, form encoding and multipart boundaries do
  not matter, uploaded files count by content): the stored response is replayed (header `Idempotent-Replayed`);
- same key, different request: 422 `idempotency_key_reused`;
- same key while the first request is still running: 409 `idempotency_key_in_use`;
- keys are scoped per caller and kept IDEMPOTENCY_KEY_TTL_HOURS (at least 24 h); a claim whose request died
  mid-way is released after IDEMPOTENCY_CLAIM_TIMEOUT_SECONDS.

Responses that say "try again" are not stored, so a retry with the same key runs again: 400/409/422/429
(invalid or conflicting input, nothing written) and 5xx or an exception (services roll back).
"""

import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, QueryDict
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from novacron.core.api.errors import error_body
from novacron.core.exceptions import DomainError
from novacron.core.models import IdempotencyKey
from novacron.core.services.idempotency import key_claim

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
_NOT_STORED = {400, 409, 422, 429}
_REPLAYED_HEADERS = ("Location", "Content-Type")

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    name=HEADER,
    type=str,
    location=OpenApiParameter.HEADER,
    required=False,
    description="A unique key (e.g. a UUID) per intended operation. Retrying with the same key and body replays "
    "the first response; a different body gives 422; a retry while the first is running gives 409.",
)


def _owner(request: Request) -> str:
    if request.user and request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return f"anon:{request.META.get('REMOTE_ADDR', '')}"


def _canonical_default(value: Any) -> str:
    if isinstance(value, UploadedFile):  # a different file is a different request
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return f"file:{value.name}:{digest.hexdigest()}"
    return str(value)


def _fingerprint(request: Request) -> str:
    # The parsed `request.data`, not the raw body: a multipart body is streamed by DRF's parser (for session
    # clients already in the CSRF check, before the handler), after which `request.body` raises
    # RawPostDataException; and its bytes change with the random boundary a client picks on each retry.
    # Canonical JSON of the data also makes key order and whitespace irrelevant.
    data = request.data
    if isinstance(data, QueryDict):
        data = {name: data.getlist(name) for name in data}
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=_canonical_default)
    digest = hashlib.sha256()
    for part in (request.method, request.path, canonical):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _error(status: int, code: str, message: str) -> Response:
    return Response(error_body(code, message), status=status)


def _replay(record: IdempotencyKey) -> Response:
    response = Response(record.response_body, status=record.response_status)
    for name, value in (record.response_headers or {}).items():
        if name != "Content-Type":
            response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def _store(record: IdempotencyKey, response: Response) -> None:
    if response.status_code >= 500 or response.status_code in _NOT_STORED:
        record.delete()
        return
    record.state = IdempotencyKey.State.COMPLETED
    record.response_status = response.status_code
    record.response_body = json.loads(json.dumps(getattr(response, "data", None), cls=JSONEncoder))
    record.response_headers = {h: response[h] for h in _REPLAYED_HEADERS if response.has_header(h)}
    record.save(update_fields=["state", "response_status", "response_body", "response_headers"])


def idempotent(view_method: Callable[..., Response]) -> Callable[..., Response]:
    """Decorate a DRF view's `post` (or any handler) to honour Idempotency-Key."""

    @functools.wraps(view_method)
    def wrapper(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER)
        if key is None:
            return view_method(self, request, *args, **kwargs)
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            return _error(
                400, "invalid_idempotency_key", f"{HEADER} must be 1 to {MAX_KEY_LENGTH} characters."
            )
        fingerprint = _fingerprint(request)
        record, created = key_claim(
            owner=_owner(request), key=key, method=request.method, path=request.path, fingerprint=fingerprint
        )
        if record is None:
            return _error(409, "idempotency_key_in_use", "A request with this key is still being processed.")
        if not created:
            if record.fingerprint != fingerprint:
                return _error(
                    422,
                    "idempotency_key_reused",
                    f"This {HEADER} was already used with a different request; use a new key.",
                )
            if record.state == IdempotencyKey.State.IN_PROGRESS:
                return _error(
                    409, "idempotency_key_in_use", "A request with this key is still being processed."
                )
            return _replay(record)
        try:
            response = view_method(self, request, *args, **kwargs)
        except (DomainError, APIException, Http404, DjangoPermissionDenied) as exc:
            # A domain answer (a declined payment, say) is a result to replay, like any response;
            # `_store` still drops the "try again" statuses.
            response = self.handle_exception(exc)
        except BaseException:
            record.delete()
            raise
        _store(record, response)
        return response

    return wrapper

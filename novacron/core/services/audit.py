"""Audit log writes. Call inside the transaction of the change so both commit or neither does."""

import json
from typing import Any

import structlog
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models

from novacron.core.models import AuditLog


def _object_identity(obj: models.Model) -> tuple[str, str, str]:
    meta = obj._meta
    public_id = getattr(obj, "public_id", None)
    return f"{meta.app_label}.{meta.model_name}", str(public_id or obj.pk), str(obj)[:255]


def _jsonable(state: dict[str, Any] | None) -> dict[str, Any] | None:
    # Snapshots carry Decimal rates, dates and UUIDs; the JSONField's plain encoder would raise on them and
    # take the whole change down with it, so store their JSON (string) forms.
    return None if state is None else json.loads(json.dumps(state, cls=DjangoJSONEncoder))


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditLog:
    """Write one audit row. `actor` is a user or None for the system; request id and IP come from the
    request context bound by the logging middleware."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change it records")
    if obj is not None:
        object_type, object_id, object_repr = _object_identity(obj)
    context = structlog.contextvars.get_contextvars()
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditLog.objects.create(
        actor=actor if is_user else None,
        actor_repr=(getattr(actor, "email", "") or str(actor))[:255] if is_user else "system",
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        before=_jsonable(before),
        after=_jsonable(after),
        request_id=str(context.get("request_id", ""))[:64],
        ip_address=context.get("ip") or None,
    )

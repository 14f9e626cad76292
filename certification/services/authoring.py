"""Authoring writes: courses, modules, lessons, translations, cohorts, items and exams, each audited."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models, transaction

from certification.models import Item
from novacron.core.exceptions import ValidationError
from novacron.core.services.audit import audit_record


def item_problems(*, kind: str | None, options: Any, answer: Any) -> list[tuple[str, str]]:
    """(field, message) for an item whose options or answer key do not fit its kind."""
    problems: list[tuple[str, str]] = []
    if not isinstance(answer, dict):
        return [("answer", "The answer key must be a JSON object.")]
    if not isinstance(options, list) or not all(
        isinstance(o, dict) and "id" in o and "text" in o for o in options
    ):
        return [("options", 'Options must be a list of {"id": ..., "text": ...}.')]
    ids = [str(o["id"]) for o in options]
    if len(set(ids)) != len(ids):
        problems.append(("options", "Option ids must be unique."))
    if kind in (Item.Kind.SINGLE, Item.Kind.MULTIPLE, Item.Kind.ORDERING) and len(ids) < 2:
        problems.append(("options", "Give at least two options."))
    if kind == Item.Kind.SINGLE and str(answer.get("correct")) not in ids:
        problems.append(("answer", '{"correct": "<option id>"} must name one option.'))
    elif kind == Item.Kind.MULTIPLE:
        correct = answer.get("correct")
        if not isinstance(correct, list) or not correct or not {str(c) for c in correct} <= set(ids):
            problems.append(("answer", '{"correct": [<option ids>]} must list at least one option.'))
    elif kind == Item.Kind.NUMERIC:
        try:
            Decimal(str(answer["value"]))
            if Decimal(str(answer.get("tolerance", 0))) < 0:
                raise InvalidOperation
        except (KeyError, InvalidOperation):
            problems.append(("answer", '{"value": <number>, "tolerance": <number ≥ 0>} is required.'))
    elif kind == Item.Kind.TEXT:
        accepted, pattern = answer.get("accepted") or [], answer.get("pattern") or ""
        if not accepted and not pattern:
            problems.append(("answer", 'Give "accepted" answers, a "pattern", or both.'))
        if pattern:
            try:
                re.compile(pattern)
            except re.error as exc:
                problems.append(("answer", f"The pattern is not a valid regular expression: {exc}."))
    elif kind == Item.Kind.ORDERING and sorted(str(v) for v in answer.get("order", [])) != sorted(ids):
        problems.append(("answer", '{"order": [...]} must list every option id once.'))
    return problems


def content_save(*, instance: models.Model, actor, fields: dict[str, Any] | None = None) -> models.Model:
    """Save an authored object (new or changed) and audit it, in one transaction."""
    if isinstance(instance, Item):
        problems = item_problems(kind=instance.kind, options=instance.options, answer=instance.answer)
        if problems:
            field, message = problems[0]
            raise ValidationError(message, field=field)
    creating = instance.pk is None
    with transaction.atomic():
        for name, value in (fields or {}).items():
            setattr(instance, name, value)
        instance.save()
        label = instance._meta.model_name
        audit_record(
            actor=actor,
            action=f"certification.{label}.{'create' if creating else 'update'}",
            obj=instance,
        )
    return instance

"""Once-only portal form submissions: a double click, a reload that re-POSTs or a second tab runs the action once.

A form carries a hidden `submission_token` (`SubmissionTokenField`: a new random value each time the form is
rendered). The view runs its action through `submit_once`; a repeat with the same token gets the first result
back instead of running it again. It reuses the API's Idempotency-Key table (same retention and purge), under
a `portal:` key scoped per user.
"""

import uuid
from collections.abc import Callable

from django import forms

from novacron.core.exceptions import Conflict
from novacron.core.models import IdempotencyKey
from novacron.core.services.idempotency import key_claim


class SubmissionTokenField(forms.CharField):
    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("widget", forms.HiddenInput)
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("error_messages", {"required": "This form expired; please submit it again."})
        super().__init__(**kwargs)

    def bound_data(self, data, initial):
        return data

    @staticmethod
    def new() -> str:
        return uuid.uuid4().hex


def submit_once(*, user_id: int, scope: str, token: str, action: Callable[[], str]) -> tuple[str, bool]:
    """Run `action` (which returns a short result, e.g. an order id) once per user, scope and token. Returns
    (result, replayed). While the first submission is still running a repeat raises Conflict. If the action
    raises, the token is released so the corrected form can be submitted again."""
    record, created = key_claim(
        owner=f"user:{user_id}", key=f"portal:{scope}:{token}", method="PORTAL", path=scope
    )
    if not created:
        if record is not None and record.state == IdempotencyKey.State.COMPLETED:
            return str((record.response_body or {}).get("result", "")), True
        raise Conflict("This form is already being submitted; wait a moment.", code="submission_in_progress")
    try:
        result = action()
    except BaseException:
        record.delete()
        raise
    record.state = IdempotencyKey.State.COMPLETED
    record.response_body = {"result": result}
    record.save(update_fields=["state", "response_body"])
    return result, False

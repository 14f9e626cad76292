"""Audit rows: who did what to which object, before/after, the request id, and the change's transaction."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from novacron.accounts.models import User
from novacron.core.models import AuditLog
from novacron.core.services.audit import audit_record


@pytest.mark.django_db
@pytest.mark.urls("tests.core.urls")
def test_a_request_writes_a_row_with_actor_object_states_and_request_id(auth_client, user):
    # Given a request carrying the proxy's request id
    response = auth_client.post("/api/test/audit/", {}, format="json", HTTP_X_REQUEST_ID="req-7f3a9c")

    # Then the audit row names actor, action, object and states, and carries the id bound by the middleware
    assert response.status_code == 201
    row = AuditLog.objects.get(pk=response.json()["id"])
    assert row.actor == user
    assert row.actor_repr == user.email
    assert row.action == "test.profile_update"
    assert (row.object_type, row.object_id, row.object_repr) == (
        "accounts.user",
        str(user.public_id),
        str(user),
    )
    assert row.before == {"display_name": user.display_name}
    assert row.after == {"display_name": "New name"}
    assert row.request_id == "req-7f3a9c"
    assert row.ip_address == "127.0.0.1"


@pytest.mark.django_db
def test_outside_a_request_the_actor_is_the_system_and_states_are_stored_as_json():
    public_id = uuid.uuid4()
    with transaction.atomic():
        audit_record(
            actor=None,
            action="payout.rate_change",
            object_type="revenue.payout",
            object_id=str(public_id),
            before={"rate": Decimal("0.15"), "on": datetime.date(2026, 1, 31)},
            after={"rate": Decimal("0.20"), "by": public_id},
        )

    row = AuditLog.objects.get()
    assert (row.actor, row.actor_repr, row.request_id, row.ip_address) == (None, "system", "", None)
    assert row.before == {"rate": "0.15", "on": "2026-01-31"}
    assert row.after == {"rate": "0.20", "by": str(public_id)}


@pytest.mark.django_db(transaction=True)
def test_the_row_rolls_back_with_the_change_it_records(user):
    original_name = user.display_name

    @transaction.atomic
    def rename_then_fail():
        user.display_name = "Renamed"
        user.save(update_fields=["display_name"])
        audit_record(actor=user, action="user.rename", obj=user, after={"display_name": "Renamed"})
        User.objects.create(email=user.email)  # the change fails after the audit row was written

    with pytest.raises(IntegrityError):
        rename_then_fail()

    user.refresh_from_db()
    assert user.display_name == original_name
    assert not AuditLog.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_calling_it_outside_a_transaction_raises(user):
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_record(actor=user, action="user.rename", obj=user)

    assert not AuditLog.objects.exists()

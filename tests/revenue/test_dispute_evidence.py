"""Submitting a dispute's evidence to the gateway: local test gateway end to end, Stripe from recorded
responses, and the refusals (no notes, closed, past the deadline, already submitted, refused by the gateway)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from novacron.core.exceptions import ValidationError
from novacron.core.models import AuditLog
from revenue.exceptions import InvalidState
from revenue.models import Dispute
from revenue.services.checkout import checkout_create
from revenue.services.disputes import dispute_add_evidence, dispute_close, dispute_submit_evidence
from revenue.services.webhooks import local_dispute_simulate
from tests.factories import UserFactory
from tests.revenue.factories import ProductFactory, SellerFactory, assert_ledger_clean
from tests.revenue.recorded_stripe import replay

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispute():
    """A local-test-gateway sale the buyer disputed (the gateway's own dispute reference, dp_lt_…)."""
    product = ProductFactory(seller=SellerFactory(), unit_amount=10_000)
    order = checkout_create(
        buyer=UserFactory(),
        items=[("revenue.product", str(product.public_id), 1)],
        currency="USD",
        payment_method="4242424242424242",
    )
    local_dispute_simulate(payment=order.payments.get())
    return Dispute.objects.get()


def test_evidence_is_submitted_once_and_then_closed_to_new_notes(dispute, finance_user):
    # Given evidence notes on an open dispute
    dispute_add_evidence(dispute=dispute, notes="Licence activated on 3 devices.", actor=finance_user)

    # When finance submits them
    submitted = dispute_submit_evidence(dispute=dispute, actor=finance_user)

    # Then the gateway accepted them, the dispute is under review and the submission is audited
    assert submitted.evidence_submitted_at is not None
    assert submitted.state == Dispute.State.UNDER_REVIEW
    assert AuditLog.objects.filter(action="revenue.dispute_submit_evidence").count() == 1
    # And nothing can be added or submitted again
    with pytest.raises(InvalidState) as added:
        dispute_add_evidence(dispute=submitted, notes="More.", actor=finance_user)
    assert added.value.code == "evidence_submitted"
    with pytest.raises(InvalidState) as again:
        dispute_submit_evidence(dispute=submitted, actor=finance_user)
    assert again.value.code == "evidence_submitted"
    # And the dispute still closes as usual, with a clean ledger
    dispute_close(dispute=submitted, won=True, actor=finance_user)
    assert_ledger_clean()


def test_submission_is_refused_without_notes_after_the_deadline_and_when_closed(dispute, finance_user):
    with pytest.raises(ValidationError) as empty:
        dispute_submit_evidence(dispute=dispute, actor=finance_user)
    assert empty.value.field == "notes"

    dispute_add_evidence(dispute=dispute, notes="Delivery log attached.", actor=finance_user)
    late = dispute.evidence_due_by + timedelta(minutes=1)
    with pytest.raises(InvalidState) as past:
        dispute_submit_evidence(dispute=dispute, actor=finance_user, now=late)
    assert past.value.code == "evidence_deadline_passed"

    dispute_close(dispute=dispute, won=False, actor=finance_user)
    with pytest.raises(InvalidState) as closed:
        dispute_submit_evidence(dispute=dispute, actor=finance_user)
    assert closed.value.code == "dispute_closed"
    dispute.refresh_from_db()
    assert dispute.evidence_submitted_at is None


def test_a_refusal_by_the_gateway_changes_nothing(dispute, finance_user):
    # Given a dispute whose reference the local gateway does not know
    dispute_add_evidence(dispute=dispute, notes="Notes.", actor=finance_user)
    Dispute.objects.filter(pk=dispute.pk).update(gateway_reference="dp_unknown")

    with pytest.raises(InvalidState) as refused:
        dispute_submit_evidence(dispute=dispute, actor=finance_user)

    assert refused.value.code == "evidence_refused"
    assert "No such dispute" in refused.value.message
    dispute.refresh_from_db()
    assert dispute.evidence_submitted_at is None


def test_api_and_portal_submit_the_evidence(dispute, finance_user, client):
    dispute_add_evidence(dispute=dispute, notes="Signed delivery.", actor=finance_user)
    api = APIClient()
    api.force_authenticate(finance_user)
    url = f"/api/v1/revenue/disputes/{dispute.public_id}/submit-evidence/"

    # A stranger is refused; finance submits through the API
    stranger = APIClient()
    stranger.force_authenticate(UserFactory())
    assert stranger.post(url).status_code == 403
    response = api.post(url)
    assert response.status_code == 200
    assert response.json()["evidence_submitted_at"] is not None

    # The portal then shows the submission and refuses a second one with the reason on the page
    client.force_login(finance_user)
    page = client.get(reverse("revenue:finance_dispute", args=[dispute.public_id]))
    assert "Submitted to the gateway on" in page.content.decode()
    again = client.post(reverse("revenue:finance_dispute_submit_evidence", args=[dispute.public_id]))
    assert again.status_code == 409
    assert "already submitted" in again.content.decode()


def test_portal_submit_button_sends_the_evidence(dispute, finance_user, client):
    dispute_add_evidence(dispute=dispute, notes="Usage logs.", actor=finance_user)
    client.force_login(finance_user)

    page = client.get(reverse("revenue:finance_dispute", args=[dispute.public_id]))
    assert "Submit evidence to the gateway" in page.content.decode()
    response = client.post(reverse("revenue:finance_dispute_submit_evidence", args=[dispute.public_id]))

    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.evidence_submitted_at is not None


def test_stripe_submits_the_notes_as_evidence():
    gateway, client, request = replay("stripe_dispute_evidence_submitted.json")
    reference = request["path"].rsplit("/", 1)[1]

    result = gateway.submit_dispute_evidence(
        reference,
        text=request["form"]["evidence[uncategorized_text]"],
        idempotency_key=request["idempotency_key"],
    )

    assert result.accepted
    assert client.requests == [request]  # same endpoint, form and idempotency key as recorded


def test_stripe_refusal_is_a_refused_result_with_its_message():
    gateway, _client, request = replay("stripe_dispute_evidence_closed.json")

    result = gateway.submit_dispute_evidence(
        request["path"].rsplit("/", 1)[1], text="Late notes.", idempotency_key=request["idempotency_key"]
    )

    assert not result.accepted
    assert "already closed" in result.message


def test_bank_transfers_have_no_dispute_to_answer():
    from revenue.gateways import get_gateway

    result = get_gateway("bank_transfer").submit_dispute_evidence("x", text="t", idempotency_key="k")

    assert not result.accepted
    assert "cannot be charged back" in result.message

"""Finance's dispute API: list, add evidence, close (Idempotency-Key)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from revenue.services.disputes import dispute_open
from tests.revenue.factories import (
    LineSpec,
    SellerFactory,
    assert_ledger_clean,
    balance_of,
    create_paid_order,
)

pytestmark = pytest.mark.django_db


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def dispute():
    seller = SellerFactory()
    _, payment = create_paid_order(lines=[LineSpec(seller, 10_000)], gateway="fake")
    return dispute_open(
        payment=payment,
        amount=4_000,
        reason="fraudulent",
        gateway_reference="dp_api",
        evidence_due_by=timezone.now() + timedelta(days=5),
    )


def test_finance_lists_filters_adds_evidence_and_closes(dispute, finance_user):
    client = _client(finance_user)

    listed = client.get("/api/v1/revenue/disputes/?state=needs_response")
    assert listed.status_code == 200
    assert [d["id"] for d in listed.json()["results"]] == [str(dispute.public_id)]
    assert client.get("/api/v1/revenue/disputes/?state=won").json()["results"] == []

    evidence = client.post(
        f"/api/v1/revenue/disputes/{dispute.public_id}/evidence/",
        {"notes": "Signed delivery."},
        format="json",
    )
    assert evidence.status_code == 200
    assert evidence.json()["state"] == "under_review"
    assert "Signed delivery." in evidence.json()["evidence_notes"]

    url = f"/api/v1/revenue/disputes/{dispute.public_id}/close/"
    closed = client.post(url, {"won": True}, format="json", HTTP_IDEMPOTENCY_KEY="close-1")
    assert closed.status_code == 200
    assert closed.json()["state"] == "won"
    assert client.post(url, {"won": True}, format="json").status_code == 200  # idempotent
    assert client.post(url, {"won": False}, format="json").status_code == 409
    assert balance_of("disputes_held") == 0
    assert_ledger_clean()


def test_non_finance_users_are_refused(dispute, user):
    client = _client(user)
    assert client.get("/api/v1/revenue/disputes/").status_code == 403
    assert (
        client.post(f"/api/v1/revenue/disputes/{dispute.public_id}/close/", {"won": True}).status_code == 403
    )
    evidence = client.post(f"/api/v1/revenue/disputes/{dispute.public_id}/evidence/", {"notes": "x"})
    assert evidence.status_code == 403

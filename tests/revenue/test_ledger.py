"""Ledger core as the money services rely on it: balanced entries only, non-negative accounts, idempotent
keys, and on PostgreSQL the database itself refuses UPDATE and DELETE of postings and entries."""

import pytest
from django.db import DatabaseError, connection, transaction

from revenue.exceptions import InsufficientFunds, UnbalancedEntry
from revenue.models import AccountKind, JournalEntry, Posting
from revenue.services.ledger import Line, account_for, entry_post
from tests.revenue.factories import LineSpec, SellerFactory, create_paid_order


@pytest.mark.django_db
def test_unbalanced_and_overdrawing_entries_are_refused():
    seller = SellerFactory()
    pending = account_for(kind=AccountKind.SELLER_PENDING, currency="USD", seller=seller)
    revenue = account_for(kind=AccountKind.PLATFORM_REVENUE, currency="USD")
    with pytest.raises(UnbalancedEntry):
        entry_post(kind=JournalEntry.Kind.ADJUSTMENT, lines=[Line(pending, 1), Line(revenue, -2)])
    with pytest.raises(InsufficientFunds):
        entry_post(kind=JournalEntry.Kind.ADJUSTMENT, lines=[Line(pending, 1), Line(revenue, -1)])
    assert not JournalEntry.objects.exists()


@pytest.mark.django_db
def test_same_key_posts_once():
    revenue = account_for(kind=AccountKind.PLATFORM_REVENUE, currency="USD")
    clearing = account_for(kind=AccountKind.GATEWAY_CLEARING, currency="USD", gateway="fake")
    first = entry_post(
        kind=JournalEntry.Kind.ADJUSTMENT, lines=[Line(clearing, 5), Line(revenue, -5)], idempotency_key="k"
    )
    again = entry_post(
        kind=JournalEntry.Kind.ADJUSTMENT, lines=[Line(clearing, 5), Line(revenue, -5)], idempotency_key="k"
    )
    assert first.pk == again.pk
    revenue.refresh_from_db()
    assert revenue.balance == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE revenue_posting SET amount = amount + 1 WHERE id = %s",
        "DELETE FROM revenue_posting WHERE id = %s",
    ],
)
def test_postgres_refuses_update_and_delete_of_postings(statement):
    create_paid_order(lines=[LineSpec(SellerFactory(), 1_000)])
    posting = Posting.objects.first()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, [posting.pk])
    posting.refresh_from_db()
    assert Posting.objects.filter(pk=posting.pk, amount=posting.amount).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_refuses_orm_changes_to_entries():
    create_paid_order(lines=[LineSpec(SellerFactory(), 1_000)])
    entry = JournalEntry.objects.first()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        JournalEntry.objects.filter(pk=entry.pk).update(description="edited")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Posting.objects.filter(entry=entry).delete()

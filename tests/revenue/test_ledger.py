"""Ledger core as the money services rely on it: balanced entries only, non-negative accounts, idempotent
keys, and on PostgreSQL the database itself refuses UPDATE and DELETE of postings and entries."""

import pytest
from django.db import DatabaseError, connection, transaction

from revenue.exceptions import InsufficientFunds, UnbalancedEntry
from revenue.models import Account, AccountKind, BalanceIncrease, JournalEntry, Posting
from revenue.services.ledger import Line, account_for, entry_post
from tests.revenue.factories import LineSpec, SellerFactory, balance_of, create_paid_order


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
    assert balance_of(AccountKind.PLATFORM_REVENUE) == 5


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


@pytest.mark.django_db
def test_increases_wait_unfolded_and_a_decrease_folds_them_before_its_check():
    # Given a seller whose pending account received two sales (increases: no lock, no balance update)
    seller = SellerFactory()
    pending = account_for(kind=AccountKind.SELLER_PENDING, currency="USD", seller=seller)
    clearing = account_for(kind=AccountKind.GATEWAY_CLEARING, currency="USD", gateway="fake")
    for key in ("a", "b"):
        entry_post(
            kind=JournalEntry.Kind.ADJUSTMENT,
            lines=[Line(clearing, 700), Line(pending, -700)],
            idempotency_key=key,
        )
    assert Account.objects.get(pk=pending.pk).balance == 0
    assert BalanceIncrease.objects.filter(account=pending).count() == 2
    assert balance_of(AccountKind.SELLER_PENDING, seller=seller) == 1_400

    # When more than either increase but not more than both is taken out, it passes: the increases are
    # folded in under the lock before the check
    entry_post(kind=JournalEntry.Kind.ADJUSTMENT, lines=[Line(pending, 1_000), Line(clearing, -1_000)])
    assert Account.objects.get(pk=pending.pk).balance == 400
    assert not BalanceIncrease.objects.filter(account=pending).exists()

    # ... and taking more than is left is refused, writing nothing
    with pytest.raises(InsufficientFunds):
        entry_post(kind=JournalEntry.Kind.ADJUSTMENT, lines=[Line(pending, 401), Line(clearing, -401)])
    assert balance_of(AccountKind.SELLER_PENDING, seller=seller) == 400
    assert JournalEntry.objects.count() == 3

"""Posting a sale (`sale_post`): one entry per payment, replays post nothing, a fee learnt after the sale is
booked once, and on PostgreSQL the posting call (which bypasses Django's cursor when queries are not logged)
keeps the caller's transaction, Django's checks and Django's exceptions."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.db.transaction import TransactionManagementError

from revenue.gateways.base import ChargeResult
from revenue.models import Account, AccountKind, JournalEntry, Order, Payment, Posting
from revenue.services.ledger import Line, account_for, entry_post_id, forget_accounts
from revenue.services.payments import payment_record
from revenue.services.sales import sale_post
from tests.revenue import factories
from tests.revenue.factories import LineSpec, SellerFactory, assert_ledger_clean, create_paid_order


class Boom(Exception):
    pass


def _post_then_fail(order: Order, payment: Payment) -> None:
    with transaction.atomic():
        sale_post(order=order, payment=payment)
        raise Boom


def _total(kind: str, **filters) -> int:
    return Posting.objects.filter(account__kind=kind, **filters).aggregate(total=Sum("amount"))["total"] or 0


@pytest.fixture
def unposted_sale(monkeypatch):
    """A paid order with its captured payment, as checkout holds them just before it posts the sale."""
    monkeypatch.setattr(factories, "sale_post", lambda **_kwargs: None)

    def make(*, seller=None, fee: int = 0) -> tuple[Order, Payment]:
        return create_paid_order(lines=[LineSpec(seller or SellerFactory(), 2_000)], fee=fee)

    return make


@pytest.mark.django_db
def test_a_sale_is_one_entry_and_a_replay_posts_nothing():
    order, payment = create_paid_order(lines=[LineSpec(SellerFactory(), 2_000)], fee=88)
    entry = JournalEntry.objects.get(idempotency_key=f"sale:{payment.pk}")

    again = sale_post(order=order, payment=payment)

    assert again == entry.pk
    assert JournalEntry.objects.count() == 1
    assert _total(AccountKind.GATEWAY_FEES) == 88
    assert _total(AccountKind.GATEWAY_CLEARING) == payment.amount - 88
    assert_ledger_clean()


@pytest.mark.django_db
def test_a_fee_known_after_the_sale_is_booked_once():
    # Given a sale posted while the payment's fee was not known (a webhook without it)
    order, payment = create_paid_order(lines=[LineSpec(SellerFactory(), 2_000)], fee=0)
    assert _total(AccountKind.GATEWAY_FEES) == 0

    # When the gateway's answer with the fee arrives, and then again
    late = ChargeResult(reference=payment.gateway_reference, state="succeeded", fee_amount=91)
    _, outcome = payment_record(payment=payment, result=late)
    _, again = payment_record(payment=payment, result=late)
    sale_post(order=order, payment=Payment.objects.get(pk=payment.pk))

    # Then the fee moves from clearing to gateway fees once, in an entry keyed fee:<payment id>
    assert outcome == "fee recorded"
    assert again.startswith("unchanged")
    assert _total(AccountKind.GATEWAY_FEES) == 91
    assert _total(AccountKind.GATEWAY_CLEARING) == payment.amount - 91
    fee_entry = JournalEntry.objects.get(idempotency_key=f"fee:{payment.pk}")
    assert fee_entry.kind == JournalEntry.Kind.GATEWAY_FEE
    assert JournalEntry.objects.count() == 2
    assert_ledger_clean()


@pytest.mark.django_db
def test_a_sale_posted_inside_a_transaction_that_fails_leaves_nothing(unposted_sale):
    order, payment = unposted_sale(fee=40)
    before = JournalEntry.objects.count()

    with pytest.raises(Boom):
        _post_then_fail(order, payment)

    assert JournalEntry.objects.count() == before
    assert not JournalEntry.objects.filter(idempotency_key=f"sale:{payment.pk}").exists()
    sale_post(order=order, payment=payment)  # and it posts once the transaction is gone
    assert JournalEntry.objects.filter(idempotency_key=f"sale:{payment.pk}").count() == 1


@pytest.mark.django_db
def test_no_posting_in_a_transaction_marked_for_rollback(unposted_sale):
    order, payment = unposted_sale()

    with transaction.atomic():
        transaction.set_rollback(True)
        with pytest.raises(TransactionManagementError):
            sale_post(order=order, payment=payment)

    assert not JournalEntry.objects.filter(idempotency_key=f"sale:{payment.pk}").exists()


@pytest.mark.django_db(transaction=True)  # a connection can only be closed between transactions
def test_sales_post_again_after_the_connection_was_closed(unposted_sale):
    first_order, first = unposted_sale()
    second_order, second = unposted_sale()
    sale_post(order=first_order, payment=first)

    connection.close()  # Django reconnects; the posting call must not use the old connection's cursor
    sale_post(order=second_order, payment=second)

    keys = [f"sale:{first.pk}", f"sale:{second.pk}"]
    assert JournalEntry.objects.filter(idempotency_key__in=keys).count() == 2


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_sale_is_one_statement(
    unposted_sale, django_assert_num_queries, django_capture_on_commit_callbacks
):
    # Given a seller who sold before (its accounts exist and this process knows them)
    seller = SellerFactory()
    order, payment = unposted_sale(seller=seller, fee=40)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            sale_post(order=order, payment=payment)
        order, payment = unposted_sale(seller=seller, fee=40)
        order = Order.objects.prefetch_related("lines__seller").get(pk=order.pk)

        # When the next sale is posted, Then it is one statement
        with django_assert_num_queries(1):
            sale_post(order=order, payment=payment)
    finally:
        forget_accounts()  # the accounts are rolled back with the test


@pytest.mark.django_db(transaction=True)
def test_database_errors_are_djangos():
    # An account that does not exist: the postings' foreign key refuses it (when the entry commits)
    revenue = account_for(kind=AccountKind.PLATFORM_REVENUE, currency="USD")
    ghost = Account(pk=987_654_321, kind=AccountKind.GATEWAY_CLEARING, currency="USD")

    with pytest.raises(IntegrityError):
        entry_post_id(kind=JournalEntry.Kind.ADJUSTMENT, lines=[Line(ghost, 5), Line(revenue, -5)])

    assert not JournalEntry.objects.exists()
    # and the connection is still usable
    clearing = account_for(kind=AccountKind.GATEWAY_CLEARING, currency="USD", gateway="fake")
    entry_id, created = entry_post_id(
        kind=JournalEntry.Kind.ADJUSTMENT, lines=[Line(clearing, 5), Line(revenue, -5)]
    )
    assert created
    assert JournalEntry.objects.filter(pk=entry_id).exists()

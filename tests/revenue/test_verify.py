"""ledger_verify: clean after normal work; each kind of corruption is reported and the command exits 1."""

import pytest
from django.core.management import call_command
from django.db.models import F

from revenue.models import Account, AccountKind, GatewayEvent, JournalEntry, OrderLine, Payment, Posting
from revenue.services.refunds import refund_create
from revenue.services.verify import ledger_verify
from tests.revenue.factories import LineSpec, SellerFactory, balance_of, create_paid_order

pytestmark = pytest.mark.django_db


def _run_command():
    from io import StringIO

    out = StringIO()
    try:
        call_command("ledger_verify", stdout=out)
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def sale():
    seller = SellerFactory()
    order, payment = create_paid_order(
        lines=[LineSpec(seller, 10_000, tax=1_900, jurisdiction="DE")], fee=320
    )
    refund_create(order=order, amount=1_000)
    return order, payment, seller


def test_clean_ledger_passes_with_a_summary(sale):
    code, output = _run_command()
    assert code == 0
    assert "entries_balanced" in output
    assert "Ledger verified: no violations." in output


def test_tampered_cached_balance_is_reported(sale):
    Account.objects.filter(kind=AccountKind.SELLER_PENDING).update(balance=F("balance") + 1)
    code, output = _run_command()
    assert code == 1
    assert "[cached_balances]" in output


def test_a_running_balance_on_a_summed_account_is_reported(sale):
    Account.objects.filter(kind=AccountKind.PLATFORM_REVENUE).update(balance=5)
    violations = [v for v in ledger_verify().violations if v.check == "cached_balances"]
    assert len(violations) == 1
    assert "keeps no running balance" in str(violations[0])


def test_unbalanced_entry_is_reported(sale):
    entry = JournalEntry.objects.filter(kind=JournalEntry.Kind.SALE).get()
    Posting.objects.create(
        entry=entry, account=Account.objects.get(kind=AccountKind.PLATFORM_REVENUE), amount=-5, currency="USD"
    )
    checks = {v.check for v in ledger_verify().violations}
    assert "entries_balanced" in checks


def test_negative_seller_account_is_reported(sale):
    _, _, seller = sale
    pending = Account.objects.get(kind=AccountKind.SELLER_PENDING, seller=seller)
    entry = JournalEntry.objects.filter(kind=JournalEntry.Kind.SALE).get()
    clearing = Account.objects.get(kind=AccountKind.GATEWAY_CLEARING)
    # a forged, balanced entry that empties pending below zero (bypassing entry_post's check)
    forged = JournalEntry.objects.create(kind=JournalEntry.Kind.ADJUSTMENT, effective_at=entry.effective_at)
    held = balance_of(AccountKind.SELLER_PENDING, seller=seller)
    Posting.objects.create(entry=forged, account=pending, amount=held + 1, currency="USD")
    Posting.objects.create(entry=forged, account=clearing, amount=-(held + 1), currency="USD")
    Account.objects.filter(pk=pending.pk).update(balance=-1)
    checks = {v.check for v in ledger_verify().violations}
    assert "non_negative" in checks
    assert "seller_balances" in checks
    assert "clearing" in checks
    assert "cached_balances" not in checks


def test_unapplied_gateway_event_is_reported(sale):
    GatewayEvent.objects.create(
        gateway="local_test", event_id="evt_1", type="charge.dispute.created", payload={}
    )
    code, output = _run_command()
    assert code == 1
    assert "evt_1" in output


def test_running_totals_that_disagree_with_the_ledger_are_reported(sale):
    order, payment, _ = sale
    OrderLine.objects.filter(order=order).update(refunded_seller=F("refunded_seller") + 1)
    Payment.objects.filter(pk=payment.pk).update(refunded_amount=F("refunded_amount") + 1)
    checks = {v.check for v in ledger_verify().violations}
    assert {"payment_totals", "seller_balances", "clearing"} <= checks

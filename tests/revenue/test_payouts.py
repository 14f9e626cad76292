"""Payout accounts (validated, audited) and payouts: due per interval and minimum, receivable netted off,
available → in transit → paid, failures back to available, reruns never pay twice, currencies never mixed."""

import logging
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from novacron.core.exceptions import ValidationError
from novacron.core.models import AuditLog
from revenue.exceptions import InvalidState
from revenue.models import AccountKind, JournalEntry, Payout, PayoutAccount
from revenue.models.sellers import PayoutInterval
from revenue.services.escrow import escrow_release_due
from revenue.services.fx import rate_set
from revenue.services.payouts import (
    interval_due,
    payout_account_set,
    payout_mark_failed,
    payout_mark_paid,
    payouts_create_due,
)
from revenue.services.refunds import refund_create
from revenue.tasks import create_payouts
from tests.factories import UserFactory
from tests.revenue.factories import (
    LineSpec,
    SellerFactory,
    assert_ledger_clean,
    balance_of,
    create_paid_order,
)

pytestmark = pytest.mark.django_db

K = AccountKind
MONDAY = datetime(2025, 1, 6, 6, 30, tzinfo=UTC)
assert MONDAY.weekday() == 0


def _earned(seller, net, *, currency="USD", when=MONDAY - timedelta(days=20)):
    """A released sale: the seller has 70% of `net` available."""
    order, payment = create_paid_order(lines=[LineSpec(seller, net)], currency=currency, paid_at=when)
    escrow_release_due(now=when + timedelta(days=15))
    return order, payment


def _stripe_account(seller, currency="USD", account_id="acct_1Seller0001"):
    return payout_account_set(
        seller=seller,
        currency=currency,
        method="stripe_connect",
        stripe_account_id=account_id,
        actor=seller.user,
    )


# --- payout accounts -----------------------------------------------------------------------------------------------


def test_stripe_connect_account_is_validated_and_audited():
    seller = SellerFactory()
    with pytest.raises(ValidationError) as excinfo:
        payout_account_set(
            seller=seller,
            currency="USD",
            method="stripe_connect",
            stripe_account_id="cus_123",
            actor=seller.user,
        )
    assert excinfo.value.field == "stripe_account_id"

    account = _stripe_account(seller)
    assert account.is_active
    assert AuditLog.objects.filter(
        action="revenue.payout_account_set", object_id=str(account.public_id)
    ).exists()
    assert _stripe_account(seller).pk == account.pk  # same details: nothing changes


def test_iban_and_bic_are_checked_with_stdnum():
    seller = SellerFactory()
    account = payout_account_set(
        seller=seller,
        currency="EUR",
        method="bank_transfer",
        account_holder="Ada Lovelace",
        iban="de89 3704 0044 0532 0130 00",
        bic="COBADEFFXXX",
        actor=seller.user,
    )
    assert account.iban == "DE89370400440532013000"
    assert account.bank_country == "DE"

    bad = {
        "iban": ("DE89 3704 0044 0532 0130 01", "", "iban"),  # checksum
        "bic": ("DE89 3704 0044 0532 0130 00", "COBA", "bic"),
        "country": ("DE89 3704 0044 0532 0130 00", "BNPAFRPP", "bic"),  # French BIC, German IBAN
    }
    for iban, bic, field in bad.values():
        with pytest.raises(ValidationError) as excinfo:
            payout_account_set(
                seller=seller,
                currency="EUR",
                method="bank_transfer",
                account_holder="Ada",
                iban=iban,
                bic=bic,
                actor=seller.user,
            )
        assert excinfo.value.field == field


def test_us_account_needs_a_valid_routing_number():
    seller = SellerFactory()
    common = {"seller": seller, "currency": "USD", "method": "bank_transfer", "account_holder": "Ada"}
    with pytest.raises(ValidationError) as excinfo:
        payout_account_set(
            **common, account_number="000123456789", routing_number="111000026", bank_country="US", actor=None
        )
    assert excinfo.value.field == "routing_number"
    account = payout_account_set(
        **common, account_number="000123456789", routing_number="111000025", bank_country="us", actor=None
    )
    assert (account.bank_country, account.routing_number) == ("US", "111000025")


def test_changing_the_account_keeps_the_old_one_inactive():
    seller = SellerFactory()
    first = _stripe_account(seller)
    second = _stripe_account(seller, account_id="acct_2Seller0002")
    first.refresh_from_db()
    assert not first.is_active
    assert second.is_active
    assert PayoutAccount.objects.filter(seller=seller, currency="USD", is_active=True).get() == second


# --- payouts -------------------------------------------------------------------------------------------------------


def test_interval_due():
    assert interval_due(PayoutInterval.DAILY, MONDAY.date() + timedelta(days=3))
    assert interval_due(PayoutInterval.WEEKLY, MONDAY.date())
    assert not interval_due(PayoutInterval.WEEKLY, MONDAY.date() + timedelta(days=1))
    assert interval_due(PayoutInterval.MONTHLY, datetime(2025, 2, 1, tzinfo=UTC).date())
    assert not interval_due(PayoutInterval.MONTHLY, datetime(2025, 2, 2, tzinfo=UTC).date())


def test_weekly_payout_on_monday_through_stripe_connect(fake_gateway, run_on_commit):
    # Given a weekly seller with $70 available and a Connect account
    seller = SellerFactory(payout_interval=PayoutInterval.WEEKLY)
    _earned(seller, 10_000)
    _stripe_account(seller)

    # When the payout run happens on Tuesday nothing is due; on Monday the $70 is paid
    assert payouts_create_due(now=MONDAY + timedelta(days=1)) == []
    with run_on_commit():
        (payout,) = payouts_create_due(now=MONDAY)

    # Then the transfer went to the Connect account under the payout's key and the payout is paid
    payout.refresh_from_db()
    assert payout.amount == 7_000
    assert payout.state == Payout.State.PAID
    assert fake_gateway.transfer_calls == [
        {"destination": "acct_1Seller0001", "amount": 7_000, "currency": "USD", "key": payout.idempotency_key}
    ]
    assert payout.idempotency_key.startswith(f"payout:{seller.pk}:USD:")
    assert balance_of(K.SELLER_AVAILABLE, seller=seller) == 0
    assert balance_of(K.SELLER_IN_TRANSIT, seller=seller) == 0
    assert balance_of(K.PAYOUT_CLEARING, gateway="stripe") == -7_000
    assert_ledger_clean()

    # And running again the same day pays nothing more
    assert payouts_create_due(now=MONDAY) == []
    assert len(fake_gateway.transfer_calls) == 1


def test_below_the_minimum_nothing_is_paid(fake_gateway):
    seller = SellerFactory(payout_interval=PayoutInterval.DAILY, payout_minimum_usd=10_000)
    _earned(seller, 10_000)  # 7000 available < 10000
    _stripe_account(seller)
    assert payouts_create_due(now=MONDAY) == []
    _earned(seller, 5_000)  # 10500 available
    (payout,) = payouts_create_due(now=MONDAY)
    assert payout.amount == 10_500


def test_minimum_is_converted_at_the_recorded_rate_and_a_missing_rate_skips(fake_gateway, caplog):
    seller = SellerFactory(payout_interval=PayoutInterval.DAILY, payout_minimum_usd=2_500)
    _earned(seller, 3_000, currency="EUR")  # 2100 EUR cents available
    _stripe_account(seller, currency="EUR")

    with caplog.at_level(logging.WARNING):
        assert payouts_create_due(now=MONDAY) == []
    assert "No exchange rate USD→EUR" in caplog.text

    rate_set(base="EUR", quote="USD", rate=Decimal("1.25"), as_of=MONDAY.date())  # $25 = €20
    (payout,) = payouts_create_due(now=MONDAY)
    assert (payout.amount, payout.currency) == (2_100, "EUR")
    entry = JournalEntry.objects.get(kind=JournalEntry.Kind.PAYOUT)
    assert entry.metadata["minimum"] == 2_000
    assert entry.metadata["minimum_rate"]["inverted"] is True


def test_receivable_is_netted_off_first(fake_gateway):
    # Given a seller owing 1000 (a refund after release took more than available) and then earning 7000
    seller = SellerFactory(payout_interval=PayoutInterval.DAILY)
    order, _ = _earned(seller, 10_000)
    from tests.revenue.factories import drain_available

    drain_available(seller, 6_000)
    refund_create(order=order, amount=4_000)  # seller part 2800: 1000 from available, 1800 receivable
    assert balance_of(K.SELLER_RECEIVABLE, seller=seller) == 1_800
    _earned(seller, 10_000)
    _stripe_account(seller)

    (payout,) = payouts_create_due(now=MONDAY)

    assert payout.amount == 7_000 - 1_800
    assert balance_of(K.SELLER_RECEIVABLE, seller=seller) == 0
    assert balance_of(K.SELLER_AVAILABLE, seller=seller) == 0
    offset = JournalEntry.objects.get(kind=JournalEntry.Kind.RECEIVABLE_OFFSET)
    assert offset.idempotency_key == f"receivable_offset:{payout.idempotency_key}"
    assert_ledger_clean()


def test_failed_transfer_returns_the_money_and_a_later_run_pays_it(fake_gateway, run_on_commit):
    seller = SellerFactory(payout_interval=PayoutInterval.DAILY)
    _earned(seller, 10_000)
    _stripe_account(seller)
    fake_gateway.transfer_outcomes = ["failed"]

    with run_on_commit():
        (failed,) = payouts_create_due(now=MONDAY)
    failed.refresh_from_db()
    assert failed.state == Payout.State.FAILED
    assert balance_of(K.SELLER_AVAILABLE, seller=seller) == 7_000
    assert_ledger_clean()

    with run_on_commit():
        (paid,) = payouts_create_due(now=MONDAY + timedelta(days=1))
    paid.refresh_from_db()
    assert paid.state == Payout.State.PAID
    assert paid.idempotency_key != failed.idempotency_key
    assert balance_of(K.SELLER_AVAILABLE, seller=seller) == 0
    assert_ledger_clean()


def test_transfer_without_answer_is_resent_with_the_same_key_not_paid_twice(fake_gateway, run_on_commit):
    seller = SellerFactory(payout_interval=PayoutInterval.DAILY)
    _earned(seller, 10_000)
    _stripe_account(seller)
    fake_gateway.transfer_outcomes = ["raise"]

    with run_on_commit():
        (payout,) = payouts_create_due(now=MONDAY)
    payout.refresh_from_db()
    assert payout.state == Payout.State.IN_TRANSIT
    assert payout.submitted_at is None
    assert_ledger_clean()

    # When the task runs again: the transfer is re-sent with the same key, and no new payout is created
    assert create_payouts.delay().get() == []
    payout.refresh_from_db()
    assert payout.state == Payout.State.PAID
    assert [call["key"] for call in fake_gateway.transfer_calls] == [payout.idempotency_key] * 2
    assert Payout.objects.count() == 1
    assert_ledger_clean()


def test_bank_transfer_payout_is_marked_paid_by_finance(fake_gateway, run_on_commit):
    seller = SellerFactory(payout_interval=PayoutInterval.MONTHLY)
    _earned(seller, 10_000, when=datetime(2025, 1, 1, tzinfo=UTC))
    payout_account_set(
        seller=seller,
        currency="USD",
        method="bank_transfer",
        account_holder="Ada",
        account_number="000123456789",
        routing_number="111000025",
        bank_country="US",
        actor=seller.user,
    )
    fake_gateway.transfer_outcomes = ["in_transit"]
    with run_on_commit():
        (payout,) = payouts_create_due(now=datetime(2025, 2, 1, 6, tzinfo=UTC))
    payout.refresh_from_db()
    assert payout.state == Payout.State.IN_TRANSIT
    assert fake_gateway.transfer_calls[0]["destination"] == f"bank:{payout.payout_account.public_id}"
    assert balance_of(K.SELLER_IN_TRANSIT, seller=seller) == 7_000

    finance = UserFactory()
    payout_mark_paid(payout=payout, actor=finance)
    payout_mark_paid(payout=payout, actor=finance)  # idempotent
    assert balance_of(K.SELLER_IN_TRANSIT, seller=seller) == 0
    assert balance_of(K.PAYOUT_CLEARING, gateway="bank_transfer") == -7_000
    assert JournalEntry.objects.filter(kind=JournalEntry.Kind.PAYOUT_PAID).count() == 1
    assert AuditLog.objects.filter(action="revenue.payout_mark_paid", actor=finance).exists()
    with pytest.raises(InvalidState):
        payout_mark_failed(payout=payout, message="bounced")
    assert_ledger_clean()


def test_currencies_are_never_mixed_and_paused_sellers_wait(fake_gateway):
    seller = SellerFactory(payout_interval=PayoutInterval.DAILY)
    _earned(seller, 10_000, currency="EUR")
    _stripe_account(seller, currency="USD")  # no EUR account
    assert payouts_create_due(now=MONDAY) == []
    assert balance_of(K.SELLER_AVAILABLE, "EUR", seller=seller) == 7_000

    paused = SellerFactory(payout_interval=PayoutInterval.DAILY, payouts_paused=True)
    _earned(paused, 10_000)
    _stripe_account(paused)
    assert payouts_create_due(now=MONDAY) == []


# --- reversed transfers ----------------------------------------------------------------------------------------


def _reversal(payout, amount_reversed, event_id="evt_tr_rev_1"):
    from types import SimpleNamespace

    from revenue.gateways.base import WebhookEvent
    from revenue.services.webhooks import webhook_apply

    data = {"id": payout.gateway_reference, "object": "transfer", "amount_reversed": amount_reversed}
    event = WebhookEvent(id=event_id, type="transfer.reversed", data=data, raw={"data": {"object": data}})
    return webhook_apply(gateway=SimpleNamespace(name="stripe"), event=event, now=MONDAY + timedelta(days=2))


def test_a_reversed_connect_transfer_returns_the_money_and_a_later_run_pays_it(fake_gateway, run_on_commit):
    # Given a paid $70 Connect payout
    seller = SellerFactory(payout_interval=PayoutInterval.DAILY)
    _earned(seller, 10_000)
    _stripe_account(seller)
    with run_on_commit():
        (payout,) = payouts_create_due(now=MONDAY)
    payout.refresh_from_db()
    assert payout.state == Payout.State.PAID

    # When Stripe reports the transfer fully reversed (delivered twice)
    first = _reversal(payout, 7_000)
    again = _reversal(payout, 7_000)

    # Then the payout failed, the money is available again, once, and the ledger is exact
    payout.refresh_from_db()
    assert payout.state == Payout.State.FAILED
    assert "reversed" in first.outcome
    assert again.pk == first.pk
    assert balance_of(K.SELLER_AVAILABLE, seller=seller) == 7_000
    assert balance_of(K.PAYOUT_CLEARING, gateway="stripe") == 0
    assert_ledger_clean()

    # And the next run pays it again
    with run_on_commit():
        (second,) = payouts_create_due(now=MONDAY + timedelta(days=3))
    assert second.amount == 7_000
    assert_ledger_clean()


def test_partial_reversals_return_only_what_is_new_then_a_full_one_fails_the_payout(
    fake_gateway, run_on_commit
):
    # Given a paid $70 Connect payout
    seller = SellerFactory(payout_interval=PayoutInterval.DAILY)
    _earned(seller, 10_000)
    _stripe_account(seller)
    with run_on_commit():
        (payout,) = payouts_create_due(now=MONDAY)

    # When Stripe reverses $10, then reports a cumulative $25 (each event once, one replayed)
    first = _reversal(Payout.objects.get(pk=payout.pk), 1_000)
    _reversal(Payout.objects.get(pk=payout.pk), 1_000, event_id="evt_tr_rev_1")  # replay
    _reversal(Payout.objects.get(pk=payout.pk), 2_500, event_id="evt_tr_rev_2")
    _reversal(Payout.objects.get(pk=payout.pk), 1_000, event_id="evt_tr_rev_old")  # older, delivered late

    # Then $25 is available again, the payout stays paid for the other $45, and the ledger is exact
    assert "partially reversed" in first.outcome
    payout.refresh_from_db()
    assert (payout.state, payout.reversed_amount) == (Payout.State.PAID, 2_500)
    assert balance_of(K.SELLER_AVAILABLE, seller=seller) == 2_500
    from revenue.selectors.sellers import seller_balances_for

    assert seller_balances_for(seller=seller)[0].paid_to_date == 4_500
    assert_ledger_clean()

    # And a full reversal returns the rest and fails the payout
    _reversal(Payout.objects.get(pk=payout.pk), 7_000, event_id="evt_tr_rev_3")
    payout.refresh_from_db()
    assert payout.state == Payout.State.FAILED
    assert balance_of(K.SELLER_AVAILABLE, seller=seller) == 7_000
    assert balance_of(K.PAYOUT_CLEARING, gateway="stripe") == 0
    assert_ledger_clean()


def test_only_a_paid_payout_can_be_reversed(fake_gateway):
    from revenue.services.payouts import payout_reverse

    seller = SellerFactory(payout_interval=PayoutInterval.DAILY)
    _earned(seller, 10_000)
    _stripe_account(seller)
    (payout,) = payouts_create_due(now=MONDAY)  # its transfer is sent after commit: still in transit
    with pytest.raises(InvalidState):
        payout_reverse(payout=payout, message="x")

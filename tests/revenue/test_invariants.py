"""Property-based: random sequences of sales (several sellers and currencies, platform items too), refunds
(partial and full, gateway succeeding, refusing or timing out), disputes (opened, won, lost), escrow releases
and payouts (paid, failed, in transit) keep every invariant after every step — ledger_verify is clean, the
gateway clearing matches an independent tally of what happened, and nothing is refunded or disputed beyond
what was captured."""

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import TestCase
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from novacron.core.exceptions import ValidationError
from revenue.exceptions import InvalidState
from revenue.models import AccountKind, Dispute, Payment, Payout, Refund
from revenue.models.sellers import PayoutInterval
from revenue.services.disputes import dispute_close, dispute_open
from revenue.services.escrow import escrow_release_due, reserve_release_due
from revenue.services.fx import rate_set
from revenue.services.ledger import forget_accounts
from revenue.services.payouts import (
    payout_account_set,
    payout_mark_failed,
    payout_mark_paid,
    payouts_create_due,
)
from revenue.services.refunds import refund_create, refundable_amount, refunds_submit_pending
from revenue.services.verify import ledger_verify
from tests.revenue.factories import LineSpec, SellerFactory, balance_of, create_paid_order, platform_seller

pytestmark = pytest.mark.django_db

CURRENCIES = ("USD", "EUR", "JPY")
START = datetime(2025, 1, 6, 9, tzinfo=UTC)  # a Monday


def _captured(callbacks=True):
    return TestCase.captureOnCommitCallbacks(execute=callbacks)


class RevenueMachine(RuleBasedStateMachine):
    orders = Bundle("orders")

    def __init__(self, gateway):
        super().__init__()
        self.gateway = gateway
        gateway.refund_outcomes.clear()
        gateway.transfer_outcomes.clear()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.now = START
        self.clearing: dict[str, int] = defaultdict(int)  # independent tally per currency
        self.step = 0

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)
        forget_accounts()  # on_commit callbacks ran inside the rolled-back example

    @initialize()
    def sellers(self):
        for rate in (("EUR", "USD", "1.1"), ("USD", "JPY", "150")):
            rate_set(base=rate[0], quote=rate[1], rate=Decimal(rate[2]), as_of=date(2000, 1, 1))
        self.sellers = [
            SellerFactory(
                payout_interval=PayoutInterval.DAILY,
                escrow_hold_days=0,
                payout_minimum_usd=100,
                reserve_percent=Decimal("10"),  # a rolling reserve of 10% held 7 days
                reserve_days=7,
            ),
            SellerFactory(payout_interval=PayoutInterval.WEEKLY),
            SellerFactory(payout_interval=PayoutInterval.DAILY, escrow_hold_days=5, payout_minimum_usd=5_000),
            platform_seller(),
        ]
        for seller in self.sellers[:3]:
            for currency in CURRENCIES:
                payout_account_set(
                    seller=seller,
                    currency=currency,
                    method="stripe_connect",
                    stripe_account_id=f"acct_{seller.pk:08d}",
                    actor=None,
                )

    # --- sales ------------------------------------------------------------------------------------------------

    @rule(
        target=orders,
        currency=st.sampled_from(CURRENCIES),
        lines=st.lists(
            st.tuples(
                st.integers(0, 3), st.integers(1, 250_000), st.integers(0, 25), st.sampled_from(["DE", "FR"])
            ),
            min_size=1,
            max_size=3,
        ),
        fee=st.integers(0, 300),
    )
    def buy(self, currency, lines, fee):
        specs = [
            LineSpec(self.sellers[index], net, tax=net * tax_pct // 100, jurisdiction=jurisdiction)
            for index, net, tax_pct, jurisdiction in lines
        ]
        total = sum(spec.net + spec.tax for spec in specs)
        fee = min(fee, total)
        order, _ = create_paid_order(
            lines=specs, currency=currency, gateway="fake", fee=fee, paid_at=self.now
        )
        self.clearing[currency] += total - fee
        return order

    # --- refunds ----------------------------------------------------------------------------------------------

    @rule(
        order=orders,
        portion=st.one_of(st.none(), st.integers(1, 100)),
        outcome=st.sampled_from(["succeeded", "succeeded", "failed", "raise", "pending"]),
    )
    def refund(self, order, portion, outcome):
        payment = Payment.objects.get(order=order)
        refundable = refundable_amount(payment=payment, lines=list(order.lines.all()))
        amount = None if portion is None else max(1, payment.amount * portion // 100)
        self.gateway.refund_outcomes[:] = [outcome]
        expect_ok = refundable > 0 and (amount is None or amount <= refundable)
        self.step += 1
        key = f"refund-{self.step}"
        try:
            with _captured():
                refund = refund_create(order=order, amount=amount, now=self.now, idempotency_key=key)
        except (ValidationError, InvalidState):
            assert not expect_ok
            return
        finally:
            self.gateway.refund_outcomes.clear()
        assert expect_ok
        refund.refresh_from_db()
        assert refund.amount == (refundable if amount is None else amount)
        with _captured():
            replayed = refund_create(order=order, amount=amount, now=self.now, idempotency_key=key)
        assert replayed.pk == refund.pk  # a replay changes nothing (the invariants check the ledger)
        if refund.state != Refund.State.FAILED:
            self.clearing[order.currency] -= refund.amount

    @rule()
    def resubmit_refunds(self):
        with _captured():
            refunds_submit_pending(older_than_seconds=0, now=self.now + timedelta(hours=1))

    @rule(data=st.data())
    def settle_a_pending_refund(self, data):
        pending = list(Refund.objects.filter(state=Refund.State.PENDING).order_by("pk"))
        if not pending:
            return
        refund = data.draw(st.sampled_from(pending))
        succeeded = data.draw(st.booleans())
        from revenue.services.refunds import refund_settle

        with _captured():
            refund_settle(refund=refund, succeeded=succeeded, now=self.now)
        if not succeeded:
            self.clearing[refund.currency] += refund.amount

    # --- disputes ---------------------------------------------------------------------------------------------

    @rule(order=orders, portion=st.integers(1, 100))
    def open_dispute(self, order, portion):
        payment = Payment.objects.get(order=order)
        room = payment.amount - payment.disputed_amount
        amount = max(1, payment.amount * portion // 100)
        self.step += 1
        opened = {
            "payment": payment,
            "amount": amount,
            "reason": "fraudulent",
            "gateway_reference": f"dp_{self.step}",
            "now": self.now,
        }
        try:
            dispute = dispute_open(**opened)
        except ValidationError:
            assert amount > room
            return
        assert amount <= room
        assert dispute_open(**opened).pk == dispute.pk  # a webhook replay changes nothing
        self.clearing[order.currency] -= amount

    @precondition(lambda self: Dispute.objects.filter(state=Dispute.State.NEEDS_RESPONSE).exists())
    @rule(won=st.booleans(), data=st.data())
    def close_dispute(self, won, data):
        dispute = data.draw(st.sampled_from(list(Dispute.objects.filter(state=Dispute.State.NEEDS_RESPONSE))))
        dispute_close(dispute=dispute, won=won, now=self.now)
        dispute_close(dispute=dispute, won=won, now=self.now)  # a webhook replay changes nothing
        if won:
            self.clearing[dispute.currency] += dispute.amount

    # --- time, escrow, payouts -----------------------------------------------------------------------------

    @rule(days=st.integers(0, 9), hours=st.integers(0, 23))
    def time_passes(self, days, hours):
        self.now += timedelta(days=days, hours=hours)
        escrow_release_due(now=self.now)
        reserve_release_due(now=self.now)

    @rule(outcome=st.sampled_from(["paid", "paid", "failed", "in_transit", "raise"]))
    def payout_run(self, outcome):
        self.gateway.transfer_default = outcome
        try:
            with _captured():
                payouts_create_due(now=self.now)
            with _captured():
                payouts_create_due(now=self.now)  # a rerun pays nothing twice
        finally:
            self.gateway.transfer_default = "paid"

    @precondition(lambda self: Payout.objects.filter(state=Payout.State.IN_TRANSIT).exists())
    @rule(paid=st.booleans(), data=st.data())
    def finance_marks_payout(self, paid, data):
        payout = data.draw(st.sampled_from(list(Payout.objects.filter(state=Payout.State.IN_TRANSIT))))
        if paid:
            payout_mark_paid(payout=payout, now=self.now)
        else:
            payout_mark_failed(payout=payout, message="bounced", now=self.now)

    # --- invariants -------------------------------------------------------------------------------------------

    @invariant()
    def ledger_is_clean(self):
        report = ledger_verify()
        assert report.ok, "\n".join(str(v) for v in report.violations)

    @invariant()
    def clearing_matches_what_happened(self):
        for currency in CURRENCIES:
            assert (
                balance_of(AccountKind.GATEWAY_CLEARING, currency, gateway="fake") == self.clearing[currency]
            )

    @invariant()
    def never_beyond_captured(self):
        for payment in Payment.objects.all():
            assert 0 <= payment.refunded_amount <= payment.amount
            assert 0 <= payment.disputed_amount <= payment.amount


def test_random_sequences_keep_every_invariant(fake_gateway):
    run_state_machine_as_test(
        lambda: RevenueMachine(fake_gateway),
        settings=settings(
            max_examples=40,
            stateful_step_count=35,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )

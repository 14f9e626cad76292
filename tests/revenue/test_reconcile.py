"""`manage.py reconcile`: gateway records against our payments, refunds and ledger."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from revenue.gateways import registry
from revenue.gateways.base import GatewayRecord
from revenue.gateways.local import LocalTestGateway
from revenue.models import Order, Payment
from revenue.services.checkout import checkout_create
from tests.factories import UserFactory
from tests.revenue.factories import ProductFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("local_gateways")]


def _buy(card="4242424242424242", amount=10_000):
    product = ProductFactory(unit_amount=amount)
    return checkout_create(
        buyer=UserFactory(),
        items=[("revenue.product", str(product.public_id), 1)],
        currency="USD",
        payment_method=card,
    )


def _reconcile(*args):
    out = StringIO()
    try:
        call_command("reconcile", *args, stdout=out)
    except CommandError as error:
        return error.returncode, out.getvalue() + str(error)
    return 0, out.getvalue()


def test_clean_books_reconcile_without_differences():
    _buy()
    _buy(card="4000000000000002")
    _buy(card="4000002760003184")

    code, output = _reconcile()

    assert code == 0, output
    assert "no differences" in output
    assert "local_test: 3 payments" in output


def test_a_planted_ledger_difference_is_found():
    # Given a captured payment whose amount was changed behind the ledger's back
    order = _buy()
    payment = order.payments.get()
    Payment.objects.filter(pk=payment.pk).update(amount=9_000)

    code, output = _reconcile("--gateway", "local_test")

    assert code == 1
    assert "DIFF ledger_sale_amount" in output
    assert f"payment={payment.public_id}" in output
    assert "sale clears 10000, payment is 9000" in output


def test_gateway_side_differences_are_found(monkeypatch):
    # Given a gateway that reports a charge we never heard of, and a different refund and fee for ours
    order = _buy()
    payment = order.payments.get()
    real = LocalTestGateway()

    class Drifted(LocalTestGateway):
        def list_payments(self, *, since=None):
            [ours] = real.list_payments(since=since)
            return [
                GatewayRecord(
                    reference=ours.reference,
                    amount=ours.amount,
                    currency=ours.currency,
                    state="succeeded",
                    refunded_amount=500,
                    created_at=ours.created_at,
                    fee_amount=ours.fee_amount + 1,
                    metadata=ours.metadata,
                ),
                GatewayRecord("lt_pi_stranger", 4_200, "USD", "succeeded", 0, timezone.now()),
            ]

    monkeypatch.setitem(registry._FACTORIES, "local_test", Drifted)

    code, output = _reconcile()

    assert code == 1
    assert "DIFF missing_ours [local_test] ref=lt_pi_stranger" in output
    assert f"DIFF refund_mismatch [local_test] payment={payment.public_id}" in output
    assert "DIFF fee_mismatch" in output


def test_in_flight_payments_are_reported_then_recovered():
    # Given a checkout whose gateway answer was never recorded, 20 minutes ago
    order = _buy(card="4000002760003184")
    payment = order.payments.get()
    Payment.objects.filter(pk=payment.pk).update(
        state=Payment.State.PROCESSING,
        gateway_reference="",
        next_action={},
        created_at=timezone.now() - timedelta(minutes=20),
    )
    Order.objects.filter(pk=order.pk).update(state=Order.State.PENDING)

    before, report = _reconcile()
    after_code, recovered = _reconcile("--recover")

    assert before == 1
    assert "DIFF in_flight" in report
    assert after_code == 0, recovered
    assert f"recovered payment {payment.public_id}: failed" in recovered
    payment.refresh_from_db()
    assert (payment.state, payment.failure_code) == (Payment.State.FAILED, "gateway_no_record")
    assert Order.objects.get().state == Order.State.FAILED


def test_unapplied_webhook_events_are_differences():
    from revenue.models import GatewayEvent

    GatewayEvent.objects.create(
        gateway="local_test", event_id="evt_x", type="charge.refunded", payload={}, outcome="error"
    )

    code, output = _reconcile("--since", timezone.now().date().isoformat())

    assert code == 1
    assert "DIFF event_not_applied" in output


def test_bad_arguments_are_refused():
    with pytest.raises(CommandError):
        call_command("reconcile", "--gateway", "stripe")
    with pytest.raises(CommandError):
        call_command("reconcile", "--since", "yesterday")


def test_the_beat_task_settles_stale_in_flight_payments_and_leaves_young_ones():
    # Given one payment in flight for 20 minutes and one that just started
    from revenue.tasks import recover_payments

    stale, young = _buy().payments.get(), _buy().payments.get()
    Payment.objects.filter(pk=stale.pk).update(
        state=Payment.State.PROCESSING,
        gateway_reference="",
        created_at=timezone.now() - timedelta(minutes=20),
    )
    Payment.objects.filter(pk=young.pk).update(state=Payment.State.PROCESSING, gateway_reference="")

    # When the task runs (twice, as beat may)
    settled = recover_payments.delay().get()
    again = recover_payments.delay().get()

    # Then the stale one is settled once (the local gateway holds the charge: it is recorded), the young one waits
    assert settled == [str(stale.public_id)]
    assert again == []
    assert Payment.objects.get(pk=young.pk).state == Payment.State.PROCESSING

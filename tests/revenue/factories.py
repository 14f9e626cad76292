"""Factories and helpers for revenue tests (shared by the revenue test modules: add, never rename)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import factory
from django.db import transaction
from django.utils import timezone

from revenue.gateways.base import RefundResult, TransferResult
from revenue.models import (
    AccountKind,
    JournalEntry,
    Order,
    OrderLine,
    Payment,
    Payout,
    PayoutAccount,
    Product,
    Seller,
)
from revenue.services.ledger import Line, account_for, entry_post
from revenue.services.sales import sale_post
from revenue.services.sellers import seller_platform
from revenue.share import seller_rate, split_net
from tests.factories import UserFactory


class SellerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seller

    kind = Seller.Kind.DEVELOPER
    display_name = factory.Sequence(lambda n: f"Seller {n}")
    user = factory.SubFactory(UserFactory)


@dataclass(frozen=True)
class LineSpec:
    """One line of a test sale: `net` minor units ex-tax from `seller`, plus `tax` for `jurisdiction`."""

    seller: Seller
    net: int
    tax: int = 0
    jurisdiction: str = ""
    item_type: str = "test.item"
    item_id: str = "1"


def create_paid_order(
    *,
    lines: Sequence[LineSpec],
    currency: str = "USD",
    buyer=None,
    gateway: str = "local_test",
    fee: int = 0,
    paid_at: datetime | None = None,
) -> tuple[Order, Payment]:
    """An order with its lines (split by the seller's tier rate, as checkout does), a succeeded payment and the
    sale posted — the state checkout leaves behind."""
    paid_at = paid_at or timezone.now()
    buyer = buyer or UserFactory()
    subtotal = sum(spec.net for spec in lines)
    tax_total = sum(spec.tax for spec in lines)
    with transaction.atomic():
        order = Order.objects.create(
            buyer=buyer,
            currency=currency,
            subtotal=subtotal,
            tax_total=tax_total,
            total=subtotal + tax_total,
            state=Order.State.PAID,
            gateway=gateway,
            paid_at=paid_at,
        )
        for spec in lines:
            rate = seller_rate(spec.seller)
            seller_part, platform_part = split_net(spec.net, rate)
            OrderLine.objects.create(
                order=order,
                seller=spec.seller,
                item_type=spec.item_type,
                item_id=spec.item_id,
                description=f"{spec.item_type} {spec.item_id}",
                unit_amount=spec.net,
                net_amount=spec.net,
                tax_amount=spec.tax,
                tax_rate=Decimal("0.19") if spec.tax else Decimal(0),
                tax_jurisdiction=spec.jurisdiction if spec.tax else "",
                seller_amount=seller_part,
                platform_amount=platform_part,
                share_rate=rate,
                tier=spec.seller.tier,
            )
        payment = Payment.objects.create(
            order=order,
            gateway=gateway,
            gateway_reference=f"test_{uuid.uuid4().hex}",
            amount=order.total,
            currency=currency,
            state=Payment.State.SUCCEEDED,
            fee_amount=fee,
            captured_at=paid_at,
        )
        sale_post(order=order, payment=payment)
    return order, payment


def platform_seller() -> Seller:
    return seller_platform()


@dataclass
class FakeGateway:
    """A controllable gateway for refunds and transfers. `refund_outcomes` / `transfer_outcomes` are consumed
    one per call ("succeeded"/"paid", "failed", "pending"/"in_transit", or "raise" for a timeout); when empty
    the default outcome applies. Calls are recorded with their idempotency keys."""

    name: str = "fake"
    refund_default: str = "succeeded"
    transfer_default: str = "paid"
    refund_outcomes: list[str] = field(default_factory=list)
    transfer_outcomes: list[str] = field(default_factory=list)
    refund_calls: list[dict] = field(default_factory=list)
    transfer_calls: list[dict] = field(default_factory=list)

    def refund(self, reference: str, *, amount: int, currency: str, idempotency_key: str) -> RefundResult:
        self.refund_calls.append(
            {"reference": reference, "amount": amount, "currency": currency, "key": idempotency_key}
        )
        outcome = self.refund_outcomes.pop(0) if self.refund_outcomes else self.refund_default
        if outcome == "raise":
            raise TimeoutError("gateway timed out")
        return RefundResult(f"fake_re_{idempotency_key}", outcome, "refused" if outcome == "failed" else "")

    def transfer(
        self, *, destination: str, amount: int, currency: str, idempotency_key: str, description: str
    ) -> TransferResult:
        self.transfer_calls.append(
            {"destination": destination, "amount": amount, "currency": currency, "key": idempotency_key}
        )
        outcome = self.transfer_outcomes.pop(0) if self.transfer_outcomes else self.transfer_default
        if outcome == "raise":
            raise TimeoutError("gateway timed out")
        return TransferResult(f"fake_tr_{idempotency_key}", outcome, "refused" if outcome == "failed" else "")


class ProductFactory(factory.django.DjangoModelFactory):
    """A seller's product, sold through checkout as item type "revenue.product"."""

    class Meta:
        model = Product

    seller = factory.SubFactory(SellerFactory)
    name = factory.Sequence(lambda n: f"Support plan {n}")
    unit_amount = 10_000
    currency = "USD"
    is_active = True


def balance_of(
    kind: str,
    currency: str = "USD",
    *,
    seller: Seller | None = None,
    gateway: str = "",
    jurisdiction: str = "",
) -> int:
    """The balance (normal direction) of one ledger account; 0 when it does not exist yet."""
    from revenue.models import Account

    owner_key = f"seller:{seller.pk}" if seller is not None else "platform"
    account = (
        Account.objects.with_balance()
        .filter(kind=kind, currency=currency, owner_key=owner_key, gateway=gateway, jurisdiction=jurisdiction)
        .first()
    )
    return account.current_balance if account is not None else 0


def assert_ledger_clean() -> None:
    """ledger_verify finds nothing (the message lists the violations otherwise)."""
    from revenue.services.verify import ledger_verify

    report = ledger_verify()
    assert report.ok, "\n".join(str(v) for v in report.violations)


def drain_available(seller, amount):
    """Simulate money already paid out (in transit) so available holds less than the seller earned."""
    account = PayoutAccount.objects.create(
        seller=seller,
        currency="USD",
        method=PayoutAccount.Method.STRIPE_CONNECT,
        stripe_account_id="acct_test123",
    )
    payout = Payout.objects.create(
        seller=seller,
        payout_account=account,
        currency="USD",
        amount=amount,
        idempotency_key=f"drain:{seller.pk}",
    )
    entry_post(
        kind=JournalEntry.Kind.PAYOUT,
        lines=[
            Line(account_for(kind=AccountKind.SELLER_AVAILABLE, currency="USD", seller=seller), amount),
            Line(account_for(kind=AccountKind.SELLER_IN_TRANSIT, currency="USD", seller=seller), -amount),
        ],
        idempotency_key=payout.idempotency_key,
    )

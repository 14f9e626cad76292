"""Refunds, full and partial, mirrored at the gateway.

Allocation rule: a refund is split over every leg of the sale that still holds money — for each order line
its seller part, platform part and tax — in proportion to what REMAINS of each leg (leg − refunded − held for
disputes), with the largest-remainder method (`Money.allocate`; ties go to the earlier leg, legs ordered by
line id, then seller, platform, tax). No leg ever gives more than it holds, and refunding all that remains
empties every leg exactly, however many partial refunds came first.

Where each part comes from: the platform part from platform revenue, the tax from tax payable of the line's
jurisdiction, the seller part from pending while the line is in escrow, else from available up to its balance
and the rest into the seller's receivable (see `escrow.SellerPurse`). Gateway clearing is credited with the
whole amount.

Gateway failures — "posted, then reversed if refused": the refund is posted and the running totals claimed
under the payment's row lock first, and the gateway is asked only after that commits (on_commit, key
`refund:<public id>`). So two refunds can never both pass the limit, and money never leaves the gateway
without the ledger knowing. If the gateway refuses, a compensating entry gives every part back to where it is
owed now (pending, or receivable/available if the line was released meanwhile) and the Refund is failed; if
its answer is unknown (timeout, outage) the Refund stays pending and `refund_submit` asks again with the same
key (the gateway de-duplicates), from the `revenue.submit_pending_refunds` task. The opposite order (ask the
gateway, then post) can lose money: a crash between the two leaves a refund the ledger never saw.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from novacron.core.exceptions import Conflict, ValidationError
from novacron.core.money import Money
from novacron.core.services.audit import audit_record
from revenue import gateways, hooks
from revenue.exceptions import InvalidState
from revenue.models import (
    Account,
    AccountKind,
    JournalEntry,
    Order,
    OrderLine,
    Payment,
    Refund,
    Seller,
)
from revenue.services.escrow import SellerAccounts, SellerPurse, merge_lines, seller_accounts
from revenue.services.invoices import credit_note_after_commit
from revenue.services.ledger import Line, account_for, accounts_lock, entry_post

logger = logging.getLogger(__name__)


# --- legs of a sale (shared with disputes) -----------------------------------------------------------------------


@dataclass(frozen=True)
class LegShare:
    """The part of a refund or dispute that falls on one order line's seller, platform and tax legs."""

    line: int
    seller: int = 0
    platform: int = 0
    tax: int = 0

    @property
    def total(self) -> int:
        return self.seller + self.platform + self.tax


def legs_remaining(line: OrderLine) -> tuple[int, int, int]:
    """(seller, platform, tax) still held by the line: neither refunded nor taken by a dispute."""
    return (
        line.seller_amount - line.refunded_seller - line.clawed_seller,
        line.platform_amount - line.refunded_platform - line.disputed_platform,
        line.tax_amount - line.refunded_tax - line.disputed_tax,
    )


def legs_allocate(*, lines: Sequence[OrderLine], amount: int, currency: str) -> list[LegShare]:
    """Split `amount` over what remains of every leg of `lines` (see the module's allocation rule)."""
    lines = sorted(lines, key=lambda line: line.pk)
    weights = [part for line in lines for part in legs_remaining(line)]
    if any(weight < 0 for weight in weights):
        raise InvalidState("An order line holds less than nothing; run ledger_verify.")
    available = sum(weights)
    if amount < 0 or amount > available:
        raise ValidationError(f"Only {available} can be allocated over this sale.", field="amount")
    if amount == 0:
        return []
    parts = [money.amount for money in Money(amount, currency).allocate(weights)]
    shares = [
        LegShare(line=line.pk, seller=parts[3 * i], platform=parts[3 * i + 1], tax=parts[3 * i + 2])
        for i, line in enumerate(lines)
    ]
    return [share for share in shares if share.total]


def shares_from_json(rows: Sequence[dict[str, Any]]) -> list[LegShare]:
    return [
        LegShare(
            line=int(row["line"]),
            seller=int(row["seller"]),
            platform=int(row["platform"]),
            tax=int(row["tax"]),
        )
        for row in rows
    ]


@dataclass
class SaleAccounts:
    """Every ledger account a reversal of (part of) one sale can touch, created before any lock is taken."""

    clearing: Account
    platform_revenue: Account
    tax: dict[str, Account]
    sellers: dict[int, SellerAccounts]
    extra: dict[str, Account]

    def all(self) -> list[Account]:
        accounts = [self.clearing, self.platform_revenue, *self.tax.values(), *self.extra.values()]
        for purse in self.sellers.values():
            accounts.extend(purse.all())
        return accounts


def sale_accounts(
    *, payment: Payment, lines: Sequence[OrderLine], extra: Sequence[AccountKind] = ()
) -> SaleAccounts:
    currency = payment.currency
    tax = {
        line.tax_jurisdiction: account_for(
            kind=AccountKind.TAX_PAYABLE, currency=currency, jurisdiction=line.tax_jurisdiction
        )
        for line in lines
        if line.tax_amount
    }
    sellers = {
        line.seller_id: seller_accounts(seller=line.seller, currency=currency)
        for line in lines
        if line.seller.kind != Seller.Kind.PLATFORM
    }
    return SaleAccounts(
        clearing=account_for(kind=AccountKind.GATEWAY_CLEARING, currency=currency, gateway=payment.gateway),
        platform_revenue=account_for(kind=AccountKind.PLATFORM_REVENUE, currency=currency),
        tax=tax,
        sellers=sellers,
        extra={kind: account_for(kind=kind, currency=currency) for kind in extra},
    )


def captured_payment(order: Order) -> Payment:
    """The order's succeeded payment (an order is captured once)."""
    payments = list(order.payments.filter(state=Payment.State.SUCCEEDED).order_by("pk")[:2])
    if not payments:
        raise InvalidState("This order has no captured payment.", code="not_captured")
    if len(payments) > 1:
        raise InvalidState("This order has more than one captured payment; refund through finance.")
    return payments[0]


def require_posted(payment: Payment) -> None:
    """Refunds and disputes reverse a posted sale; a captured payment whose sale is not in the ledger yet
    (its recording is still in flight) must be settled first."""
    if not JournalEntry.objects.filter(idempotency_key=f"sale:{payment.pk}").exists():
        raise InvalidState(
            "This payment's sale is not posted to the ledger yet; try again shortly.", code="not_posted"
        )


def lock_sale(payment: Payment) -> tuple[Payment, Order, list[OrderLine]]:
    """Lock payment → order → lines (pk order), the first locks of every refund and dispute."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    order = Order.objects.select_for_update().get(pk=payment.order_id)
    lines = list(OrderLine.objects.select_for_update().filter(order_id=order.pk).order_by("pk"))
    sellers = {
        seller.pk: seller for seller in Seller.objects.filter(pk__in={line.seller_id for line in lines})
    }
    for line in lines:
        line.seller = sellers[line.seller_id]
    return payment, order, lines


def reversal_lines(
    *,
    shares: Sequence[LegShare],
    lines: dict[int, OrderLine],
    accounts: SaleAccounts,
    purse: SellerPurse,
    direction: int,
    platform_account: Account | None = None,
) -> list[Line]:
    """Postings that take each share back from its legs (direction=+1: refund or dispute opened) or give it
    back (direction=-1). The platform and tax parts post to `platform_account` and tax payable, unless
    `platform_account` is given (disputes hold both in DISPUTES_HELD)."""
    out: list[Line] = []
    for share in shares:
        line = lines[share.line]
        platform_part = share.platform
        if line.seller.kind == Seller.Kind.PLATFORM:
            platform_part += share.seller  # sale_post booked a platform seller's share as platform revenue
        elif direction > 0:
            out += purse.take(
                accounts.sellers[line.seller_id], share.seller, released=line.released_at is not None
            )
        else:
            out += purse.give(
                accounts.sellers[line.seller_id], share.seller, released=line.released_at is not None
            )
        if platform_account is not None:
            out.append(Line(platform_account, direction * (platform_part + share.tax)))
        else:
            out.append(Line(accounts.platform_revenue, direction * platform_part))
            if share.tax:
                out.append(Line(accounts.tax[line.tax_jurisdiction], direction * share.tax))
    return out


def apply_line_totals(*, shares: Sequence[LegShare], fields: tuple[str, str, str], direction: int) -> None:
    """Add (direction=+1) or remove the shares from the lines' running totals (seller, platform, tax fields)."""
    seller_field, platform_field, tax_field = fields
    for share in shares:
        OrderLine.objects.filter(pk=share.line).update(
            **{
                seller_field: F(seller_field) + direction * share.seller,
                platform_field: F(platform_field) + direction * share.platform,
                tax_field: F(tax_field) + direction * share.tax,
            }
        )


REFUND_FIELDS = ("refunded_seller", "refunded_platform", "refunded_tax")


# --- refunds ----------------------------------------------------------------------------------------------------


def _replay(refund: Refund, *, order: Order, amount: int | None) -> Refund:
    if refund.payment.order_id != order.pk:
        raise Conflict(
            "This idempotency key was used for a refund of another order.", code="idempotency_key_reused"
        )
    if amount is not None and amount != refund.amount:
        raise Conflict(
            "This idempotency key was used for a refund of another amount.", code="idempotency_key_reused"
        )
    if refund.state == Refund.State.PENDING and refund.submitted_at is None:
        return refund_submit(refund=refund)
    return refund


def refundable_amount(*, payment: Payment, lines: Sequence[OrderLine]) -> int:
    """What can still be refunded: captured − refunded − disputed, and never more than the legs hold."""
    legs = sum(sum(legs_remaining(line)) for line in lines)
    return max(0, min(legs, payment.amount - payment.refunded_amount - payment.disputed_amount))


def refund_create(
    *,
    order: Order,
    amount: int | None = None,
    reason: str = "",
    actor: Any = None,
    now: datetime | None = None,
    idempotency_key: str | None = None,
) -> Refund:
    """Refund `amount` minor units of the order (None: all that remains). Idempotent on `idempotency_key`:
    the same key returns the first refund (a different order or amount under it is a Conflict).

    Returns the Refund: succeeded, or pending (the gateway has not answered yet, or the call runs inside an
    outer transaction and the gateway is asked when it commits), or failed (the gateway refused; the posting
    was reversed)."""
    now = now or timezone.now()
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0):
        raise ValidationError("The refund amount is a positive number of minor units.", field="amount")
    if idempotency_key is not None:
        idempotency_key = idempotency_key.strip()
        if not idempotency_key or len(idempotency_key) > 200:
            raise ValidationError("The idempotency key is 1 to 200 characters.", field="idempotency_key")
        existing = Refund.objects.select_related("payment").filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return _replay(existing, order=order, amount=amount)
    payment = captured_payment(order)
    accounts = sale_accounts(payment=payment, lines=list(order.lines.select_related("seller")))
    try:
        with transaction.atomic():
            payment, order, lines = lock_sale(payment)
            if idempotency_key is not None:
                existing = Refund.objects.filter(idempotency_key=idempotency_key).first()
                if existing is not None:
                    raise _Replayed(existing)
            require_posted(payment)
            locked = accounts_lock(accounts.all())
            refundable = refundable_amount(payment=payment, lines=lines)
            value = refundable if amount is None else amount
            if refundable == 0:
                raise InvalidState("Nothing is left to refund on this order.", code="nothing_to_refund")
            if value > refundable:
                raise ValidationError(
                    f"At most {Money(refundable, payment.currency)} can be refunded.", field="amount"
                )
            shares = legs_allocate(lines=lines, amount=value, currency=payment.currency)
            refund = Refund.objects.create(
                payment=payment,
                amount=value,
                currency=payment.currency,
                reason=reason[:255],
                idempotency_key=idempotency_key,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            postings = [
                Line(accounts.clearing, -value),
                *reversal_lines(
                    shares=shares,
                    lines={line.pk: line for line in lines},
                    accounts=accounts,
                    purse=SellerPurse(locked),
                    direction=+1,
                ),
            ]
            refund.entry = entry_post(
                kind=JournalEntry.Kind.REFUND,
                lines=merge_lines(postings),
                description=f"Refund {refund.public_id} of order {order.public_id}",
                reference_type="refund",
                reference_id=str(refund.public_id),
                idempotency_key=f"refund:{refund.public_id}",
                metadata={
                    "order": str(order.public_id),
                    "payment": str(payment.public_id),
                    "shares": [asdict(share) for share in shares],
                    "released": [line.pk for line in lines if line.released_at is not None],
                },
                actor=actor,
                effective_at=now,
            )
            refund.save(update_fields=["entry", "updated_at"])
            apply_line_totals(shares=shares, fields=REFUND_FIELDS, direction=+1)
            Payment.objects.filter(pk=payment.pk).update(refunded_amount=F("refunded_amount") + value)
            Order.objects.filter(pk=order.pk).update(refunded_total=F("refunded_total") + value)
            audit_record(
                actor=actor,
                action="revenue.refund_create",
                obj=refund,
                after={
                    "order": str(order.public_id),
                    "amount": value,
                    "currency": payment.currency,
                    "reason": reason[:255],
                },
            )
            transaction.on_commit(partial(_submit_after_commit, refund.pk))
    except _Replayed as replayed:
        return _replay(replayed.refund, order=order, amount=amount)
    except IntegrityError:
        existing = (
            Refund.objects.select_related("payment").filter(idempotency_key=idempotency_key).first()
            if idempotency_key
            else None
        )
        if existing is None:
            raise
        return _replay(existing, order=order, amount=amount)
    refund.refresh_from_db()
    return refund


class _Replayed(Exception):
    """Control flow: leave the transaction (nothing written) and replay the refund found under the key."""

    def __init__(self, refund: Refund) -> None:
        super().__init__(str(refund.pk))
        self.refund = refund


def _submit_after_commit(refund_id: int) -> None:
    try:
        refund_submit(refund=Refund.objects.get(pk=refund_id))
    except Exception:
        # The refund stays pending; revenue.submit_pending_refunds asks the gateway again with the same key.
        logger.exception("refund %s: submitting to the gateway failed; it stays pending", refund_id)


def refund_submit(*, refund: Refund, now: datetime | None = None) -> Refund:
    """Ask the gateway to refund (again, with the same idempotency key) a pending refund it has not
    accepted yet, and settle it on a definite answer. Unknown outcomes leave it pending. Safe to repeat."""
    refund = Refund.objects.select_related("payment").get(pk=refund.pk)
    if refund.state != Refund.State.PENDING or refund.submitted_at is not None:
        return refund
    payment = refund.payment
    try:
        result = gateways.get_gateway(payment.gateway).refund(
            payment.gateway_reference,
            amount=refund.amount,
            currency=refund.currency,
            idempotency_key=f"refund:{refund.public_id}",
        )
    except Exception:
        logger.warning(
            "refund %s: gateway %s gave no answer; it stays pending",
            refund.public_id,
            payment.gateway,
            exc_info=True,
        )
        return refund
    if result.state == "succeeded":
        return refund_settle(refund=refund, succeeded=True, gateway_reference=result.reference, now=now)
    if result.state == "failed":
        return refund_settle(
            refund=refund,
            succeeded=False,
            gateway_reference=result.reference,
            failure_message=result.failure_message or "Refused by the gateway",
            now=now,
        )
    Refund.objects.filter(pk=refund.pk, state=Refund.State.PENDING).update(
        gateway_reference=result.reference or refund.gateway_reference,
        submitted_at=now or timezone.now(),
        updated_at=timezone.now(),
    )
    refund.refresh_from_db()
    return refund


def refund_settle(
    *,
    refund: Refund,
    succeeded: bool,
    gateway_reference: str = "",
    failure_message: str = "",
    now: datetime | None = None,
) -> Refund:
    """The gateway's final answer for a pending refund (from `refund_submit` or a refund webhook).
    Succeeded: the refund is final and the item types' `on_refunded` hooks run on commit. Refused: the
    posting is compensated (every part back to where it is owed now) and the running totals restored.
    Idempotent: a refund already settled is returned unchanged."""
    now = now or timezone.now()
    refund = Refund.objects.select_related("payment", "entry").get(pk=refund.pk)
    lines = list(refund.payment.order.lines.select_related("seller"))
    accounts = sale_accounts(payment=refund.payment, lines=lines)
    with transaction.atomic():
        payment, order, lines = lock_sale(refund.payment)
        refund = Refund.objects.select_for_update().get(pk=refund.pk)
        if refund.state != Refund.State.PENDING:
            return refund
        refund.gateway_reference = gateway_reference or refund.gateway_reference
        refund.settled_at = now
        refund.submitted_at = refund.submitted_at or now
        shares = shares_from_json(refund.entry.metadata.get("shares", [])) if refund.entry_id else []
        if succeeded:
            refund.state = Refund.State.SUCCEEDED
            refund.save(
                update_fields=["state", "gateway_reference", "settled_at", "submitted_at", "updated_at"]
            )
            by_id = {line.pk: line for line in lines}
            # Billing: the credit note (idempotent per refund; the revenue.sync_invoices sweep retries it).
            transaction.on_commit(partial(credit_note_after_commit, refund.pk), robust=True)
            for share in shares:
                transaction.on_commit(
                    partial(_run_refunded_hook, _sold_line(order, by_id[share.line], share, refund)),
                    robust=True,
                )
            return refund
        locked = accounts_lock(accounts.all())
        postings = [
            Line(accounts.clearing, refund.amount),
            *reversal_lines(
                shares=shares,
                lines={line.pk: line for line in lines},
                accounts=accounts,
                purse=SellerPurse(locked),
                direction=-1,
            ),
        ]
        refund.reversal_entry = entry_post(
            kind=JournalEntry.Kind.REVERSAL,
            lines=merge_lines(postings),
            description=f"Refund {refund.public_id} refused by {payment.gateway}",
            reference_type="refund",
            reference_id=str(refund.public_id),
            idempotency_key=f"refund_failed:{refund.public_id}",
            reverses=refund.entry,
            metadata={"order": str(order.public_id), "reason": failure_message[:200]},
            effective_at=now,
        )
        apply_line_totals(shares=shares, fields=REFUND_FIELDS, direction=-1)
        Payment.objects.filter(pk=payment.pk).update(refunded_amount=F("refunded_amount") - refund.amount)
        Order.objects.filter(pk=order.pk).update(refunded_total=F("refunded_total") - refund.amount)
        refund.state = Refund.State.FAILED
        refund.failure_message = failure_message[:255]
        refund.save(
            update_fields=[
                "state",
                "gateway_reference",
                "settled_at",
                "submitted_at",
                "failure_message",
                "reversal_entry",
                "updated_at",
            ]
        )
        audit_record(
            actor=None,
            action="revenue.refund_failed",
            obj=refund,
            after={"amount": refund.amount, "currency": refund.currency, "message": failure_message[:255]},
        )
    return refund


MANUAL_REFUND_GATEWAYS = ("bank_transfer",)


def refund_manual_settle(
    *, refund: Refund, sent: bool, reference: str = "", message: str = "", actor: Any = None
) -> Refund:
    """Finance's answer for a refund it pays by hand (bank transfers): `sent` with the bank reference once the
    money left, or not sent (e.g. the buyer's account was closed) with the reason, which puts the ledger back."""
    refund = Refund.objects.select_related("payment").get(pk=refund.pk)
    if refund.payment.gateway not in MANUAL_REFUND_GATEWAYS:
        raise InvalidState(f"{refund.payment.gateway} refunds are settled by the gateway, not by hand.")
    if refund.state != Refund.State.PENDING:
        raise InvalidState(f"This refund is already {refund.get_state_display().lower()}.")
    reference, message = reference.strip(), message.strip()
    if sent and not reference:
        raise ValidationError("Enter the bank transfer's reference.", field="reference")
    if not sent and not message:
        raise ValidationError("Say why the refund could not be sent.", field="message")
    now = timezone.now()
    with transaction.atomic():
        settled = refund_settle(
            refund=refund, succeeded=sent, gateway_reference=reference, failure_message=message, now=now
        )
        if settled.settled_at != now:  # someone settled it between our check and our lock
            raise InvalidState(f"This refund is already {settled.get_state_display().lower()}.")
        audit_record(
            actor=actor,
            action="revenue.refund_sent" if sent else "revenue.refund_not_sent",
            obj=settled,
            after={"reference": reference, "message": message, "state": settled.state},
        )
    return settled


def refunds_submit_pending(*, older_than_seconds: int = 60, now: datetime | None = None) -> int:
    """Ask the gateway again for every pending refund it has not accepted (task revenue.submit_pending_refunds).
    Returns how many reached a final state."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=older_than_seconds)
    settled = 0
    for refund in Refund.objects.filter(
        state=Refund.State.PENDING, submitted_at__isnull=True, created_at__lte=cutoff
    ).order_by("pk"):
        if refund_submit(refund=refund).state != Refund.State.PENDING:
            settled += 1
    return settled


def _sold_line(order: Order, line: OrderLine, share: LegShare, refund: Refund) -> hooks.SoldLine:
    fully = (
        line.refunded_seller + line.refunded_platform == line.net_amount
        and line.refunded_tax == line.tax_amount
    )
    return hooks.SoldLine(
        order_id=str(order.public_id),
        order_line_id=line.pk,
        buyer_id=order.buyer_id,
        organization_id=order.organization_id,
        item_type=line.item_type,
        item_id=line.item_id,
        quantity=line.quantity,
        net_amount=share.seller + share.platform,
        currency=order.currency,
        metadata={
            **(line.metadata or {}),
            "refund_id": str(refund.public_id),
            "refunded_tax": share.tax,
            "fully_refunded": fully,
        },
    )


def _run_refunded_hook(sold: hooks.SoldLine) -> None:
    item_type = hooks.item_type(sold.item_type)
    if item_type is not None and item_type.on_refunded is not None:
        item_type.on_refunded(sold)

"""Posting a captured payment to the ledger."""

from revenue.models import AccountKind, JournalEntry, Order, OrderLine, Payment, Seller
from revenue.services.escrow import merge_lines
from revenue.services.ledger import Line, account_for, entry_post


def _lines(order: Order) -> list[OrderLine]:
    """The order's lines with their sellers: the caller's prefetched ones (checkout just wrote them), else read."""
    prefetched = getattr(order, "_prefetched_objects_cache", {}).get("lines")
    if prefetched is not None:
        return list(prefetched)
    return list(order.lines.select_related("seller"))


def sale_post(*, order: Order, payment: Payment) -> JournalEntry:
    """One entry per captured payment (idempotent per payment): gateway clearing is debited with what was
    captured less the gateway's fee, the fee goes to gateway fees, and each line credits the seller's pending
    account (escrow), platform revenue and tax payable for its jurisdiction. It only adds to balances, so it
    cannot be refused and is one statement on PostgreSQL. (Sales posted before 2026-11-26 have the fee as a
    separate entry keyed fee:<payment id>; readers handle both.)"""
    currency = payment.currency
    clearing = account_for(kind=AccountKind.GATEWAY_CLEARING, currency=currency, gateway=payment.gateway)
    lines = [Line(clearing, payment.amount - payment.fee_amount)]
    if payment.fee_amount:
        lines.append(Line(account_for(kind=AccountKind.GATEWAY_FEES, currency=currency), payment.fee_amount))
    shares = []
    for line in _lines(order):
        platform_part = line.platform_amount
        if line.seller.kind == Seller.Kind.PLATFORM:
            platform_part += line.seller_amount
        elif line.seller_amount:
            pending = account_for(kind=AccountKind.SELLER_PENDING, currency=currency, seller=line.seller)
            lines.append(Line(pending, -line.seller_amount))
        lines.append(Line(account_for(kind=AccountKind.PLATFORM_REVENUE, currency=currency), -platform_part))
        if line.tax_amount:
            tax = account_for(
                kind=AccountKind.TAX_PAYABLE, currency=currency, jurisdiction=line.tax_jurisdiction
            )
            lines.append(Line(tax, -line.tax_amount))
        shares.append(
            {"line": line.pk, "seller": line.seller_id, "tier": line.tier, "rate": str(line.share_rate)}
        )
    return entry_post(
        kind=JournalEntry.Kind.SALE,
        lines=merge_lines(lines),  # one posting per account: lines of one seller, platform revenue, tax
        description=f"Sale {order.public_id}",
        reference_type="order",
        reference_id=str(order.public_id),
        idempotency_key=f"sale:{payment.pk}",
        metadata={"payment": str(payment.public_id), "shares": shares, "fee": payment.fee_amount},
        effective_at=payment.captured_at,
    )

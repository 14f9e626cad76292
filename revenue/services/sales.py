"""Posting a captured payment to the ledger."""

from django.db.models import Sum

from revenue.models import Account, AccountKind, JournalEntry, Order, OrderLine, Payment, Posting, Seller
from revenue.services.ledger import Line, account_for, entry_post_id


def _lines(order: Order) -> list[OrderLine]:
    """The order's lines with their sellers: the caller's prefetched ones (checkout just wrote them), else read."""
    prefetched = getattr(order, "_prefetched_objects_cache", {}).get("lines")
    if prefetched is not None:
        return list(prefetched)
    return list(order.lines.select_related("seller"))


def _merged(postings: list[tuple[Account, int]]) -> list[Line]:
    """One line per account (amounts summed, zeros dropped), in account-id order: `escrow.merge_lines` for
    (account, amount) pairs, without a Line per pair."""
    totals: dict[int, int] = {}
    accounts: dict[int, Account] = {}
    for account, amount in postings:
        key = account.id
        totals[key] = totals.get(key, 0) + amount
        accounts[key] = account
    return [Line(accounts[key], totals[key]) for key in sorted(totals) if totals[key]]


def sale_post(*, order: Order, payment: Payment) -> int:
    """One entry per captured payment (idempotent per payment): gateway clearing is debited with what was
    captured less the gateway's fee, the fee goes to gateway fees, and each line credits the seller's pending
    account (escrow), platform revenue and tax payable for its jurisdiction. It only adds to balances, so it
    cannot be refused and is one statement on PostgreSQL. Returns the entry's id (no caller needs the instance,
    so none is built).

    Called again for a payment whose fee became known after its sale was posted (a webhook without the fee,
    then the gateway's answer), it posts the fee the sale entry lacks as an entry keyed fee:<payment id>
    (idempotent too). Sales posted before 2026-11-26 have the fee in such an entry; readers handle both."""
    currency = payment.currency
    reference = str(order.public_id)
    clearing = account_for(kind=AccountKind.GATEWAY_CLEARING, currency=currency, gateway=payment.gateway)
    postings = [(clearing, payment.amount - payment.fee_amount)]
    if payment.fee_amount:
        postings.append((account_for(kind=AccountKind.GATEWAY_FEES, currency=currency), payment.fee_amount))
    revenue = account_for(kind=AccountKind.PLATFORM_REVENUE, currency=currency)
    shares = []
    for line in _lines(order):
        seller = line.seller
        platform_part = line.platform_amount
        if seller.kind == Seller.Kind.PLATFORM:
            platform_part += line.seller_amount
        elif line.seller_amount:
            pending = account_for(kind=AccountKind.SELLER_PENDING, currency=currency, seller=seller)
            postings.append((pending, -line.seller_amount))
        postings.append((revenue, -platform_part))
        if line.tax_amount:
            tax = account_for(
                kind=AccountKind.TAX_PAYABLE, currency=currency, jurisdiction=line.tax_jurisdiction
            )
            postings.append((tax, -line.tax_amount))
        shares.append(
            {"line": line.id, "seller": line.seller_id, "tier": line.tier, "rate": str(line.share_rate)}
        )
    entry_id, created = entry_post_id(
        kind=JournalEntry.Kind.SALE,
        lines=_merged(postings),  # one posting per account: lines of one seller, platform revenue, tax
        description=f"Sale {reference}",
        reference_type="order",
        reference_id=reference,
        idempotency_key=f"sale:{payment.pk}",
        metadata={"payment": str(payment.public_id), "shares": shares, "fee": payment.fee_amount},
        effective_at=payment.captured_at,
    )
    if not created and payment.fee_amount:
        _late_fee_post(order=order, payment=payment, sale_entry_id=entry_id, clearing=clearing)
    return entry_id


def _late_fee_post(*, order: Order, payment: Payment, sale_entry_id: int, clearing: Account) -> None:
    """The part of the payment's fee its sale entry does not book (the fee was not known when it was posted),
    moved from gateway clearing to gateway fees, once (key fee:<payment id>)."""
    booked = (
        Posting.objects.filter(entry_id=sale_entry_id, account__kind=AccountKind.GATEWAY_FEES).aggregate(
            total=Sum("amount")
        )["total"]
        or 0
    )
    missing = payment.fee_amount - booked
    if not missing:
        return
    fees = account_for(kind=AccountKind.GATEWAY_FEES, currency=payment.currency)
    entry_post_id(
        kind=JournalEntry.Kind.GATEWAY_FEE,
        lines=[Line(fees, missing), Line(clearing, -missing)],
        description=f"{payment.gateway} fee for {order.public_id}",
        reference_type="order",
        reference_id=str(order.public_id),
        idempotency_key=f"fee:{payment.pk}",
        metadata={"payment": str(payment.public_id), "fee": payment.fee_amount},
        effective_at=payment.captured_at,
    )

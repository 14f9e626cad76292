"""Platform grants: money the platform gives a seller (community event funding, bounties).

The grant is a platform expense credited straight to the seller's available balance, so revenue's normal
payout schedule pays it out; there is no escrow because nothing was sold and nothing can be charged back.
"""

from typing import Any

from django.db import transaction

from novacron.core.exceptions import ValidationError
from novacron.core.money import CurrencyError, validate_currency
from novacron.core.services.audit import audit_record
from revenue.models import AccountKind, JournalEntry, Seller
from revenue.services.ledger import Line, account_for, entry_post


def grant_pay(
    *, seller: Seller, amount: int, currency: str, reference: str, idempotency_key: str, actor: Any = None
) -> JournalEntry:
    """Credit `amount` minor units to the seller's available balance. The same key returns the first entry."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValidationError("A grant is a positive whole number of minor units.", field="amount")
    try:
        currency = validate_currency(currency)
    except CurrencyError as exc:
        raise ValidationError(str(exc), field="currency") from exc
    if not idempotency_key:
        raise ValidationError("A grant needs an idempotency key.", field="idempotency_key")
    if seller.kind == Seller.Kind.PLATFORM:
        raise ValidationError("The platform cannot grant money to itself.", field="seller_id")
    expense = account_for(kind=AccountKind.PLATFORM_GRANTS, currency=currency)
    available = account_for(kind=AccountKind.SELLER_AVAILABLE, currency=currency, seller=seller)
    key = f"grant:{idempotency_key}"
    with transaction.atomic():
        existing = JournalEntry.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return existing
        entry = entry_post(
            kind=JournalEntry.Kind.GRANT,
            lines=[Line(expense, amount), Line(available, -amount)],
            description=f"Grant: {reference}"[:255],
            reference_type="grant",
            reference_id=reference[:64],
            idempotency_key=key,
            metadata={"reference": reference},
            actor=actor,
        )
        audit_record(
            actor=actor,
            action="revenue.grant_paid",
            obj=entry,
            after={"seller": seller.pk, "amount": amount, "currency": currency, "reference": reference},
        )
        return entry

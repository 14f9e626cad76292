"""What the in-process gateways (local test, bank transfer) report to reconcile: they hold no books of their own,
so their records are our own payments with a gateway reference, refunds summed as the gateway would."""

from collections.abc import Callable
from datetime import datetime

from django.db.models import Q, Sum

from revenue.gateways.base import GatewayRecord


def own_payment_records(
    gateway_name: str, *, since: datetime | None, fee: Callable[[int], int] = lambda amount: 0
) -> list[GatewayRecord]:
    from revenue.models import Payment

    payments = Payment.objects.filter(gateway=gateway_name).exclude(gateway_reference="")
    if since is not None:
        payments = payments.filter(created_at__gte=since)
    payments = payments.annotate(
        gateway_refunded=Sum("refunds__amount", filter=Q(refunds__state="succeeded"))
    ).order_by("created_at", "id")
    return [
        GatewayRecord(
            reference=payment.gateway_reference,
            amount=payment.amount,
            currency=payment.currency,
            state=payment.state,
            refunded_amount=payment.gateway_refunded or 0,
            created_at=payment.created_at,
            fee_amount=fee(payment.amount) if payment.state == "succeeded" else 0,
            metadata={"payment": str(payment.public_id)},
        )
        for payment in payments
    ]

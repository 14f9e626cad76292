"""Services marketplace: paying, delivering and releasing milestones, and time logged on T&M milestones.

Money path. Each milestone is paid through checkout as its own order with one line (item type
"revenue.service_milestone"), so a refund of that order is a refund of that milestone only. The sale posts the
partner's share to seller_pending as for any sale; the item type is registered as released by its owner, so the
time-based escrow release skips it, and this module releases it with `escrow.escrow_release_line` (the same
posting, key release:<line id>) when:
- the buyer accepts the delivered milestone, or
- the auto-accept window (REVENUE_SERVICES_AUTO_ACCEPT_DAYS after delivery) passes (`milestones_auto_accept_due`,
  beat task revenue.services_auto_accept), or
- staff resolve a dispute (services/partner_disputes.py).

Time and materials: a T&M milestone is paid at its estimated hours; the partner logs hours (never beyond the
estimate), the buyer approves or rejects them, and on acceptance the approved hours are billed (hours still
awaiting approval count as approved). What the hours do not use is refunded to the buyer (`refund_create`, gross,
pro rata over the line's legs) before the rest is released.

Lock order: service request → milestone → the revenue core's rows. A second payment of an already funded
milestone (two checkouts racing) is refunded in full when it lands, so money is never taken twice.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from novacron.core.exceptions import NotFound, PermissionDenied
from novacron.core.services.audit import audit_record
from revenue import hooks
from revenue.exceptions import InvalidState, UnknownItem
from revenue.models import (
    Order,
    OrderLine,
    Pricing,
    Refund,
    ServiceMilestone,
    ServiceQuote,
    ServiceRequest,
)
from revenue.services.checkout import checkout_create
from revenue.services.escrow import escrow_release_line
from revenue.services.partner_hours import approved_hours
from revenue.services.partner_quotes import buyer_can_act, buyer_id_can_act, require_buyer, require_partner
from revenue.services.refunds import refund_create

logger = logging.getLogger(__name__)

MILESTONE = "revenue.service_milestone"
IN_FLIGHT = (
    Order.State.PENDING,
    Order.State.REQUIRES_ACTION,
    Order.State.AWAITING_TRANSFER,
    Order.State.PAID,
)
FINAL = (ServiceMilestone.State.RELEASED, ServiceMilestone.State.REFUNDED)


def auto_accept_days() -> int:
    return getattr(settings, "REVENUE_SERVICES_AUTO_ACCEPT_DAYS", 14)


def _milestone(item_id: str) -> ServiceMilestone:
    try:
        public_id = uuid.UUID(str(item_id))
    except ValueError as exc:
        raise UnknownItem(f'No milestone "{item_id}".') from exc
    milestone = (
        ServiceMilestone.objects.select_related("quote__request__listing", "quote__request__partner__seller")
        .filter(public_id=public_id)
        .first()
    )
    if milestone is None:
        raise UnknownItem(f'No milestone "{item_id}".')
    return milestone


def _paid_elsewhere(milestone: ServiceMilestone) -> bool:
    return OrderLine.objects.filter(
        item_type=MILESTONE, item_id=str(milestone.public_id), order__state__in=IN_FLIGHT
    ).exists()


# --- checkout item type ---------------------------------------------------------------------------------------


def resolve_milestone(*, item_id: str, quantity: int, buyer_id: int, currency: str) -> hooks.PricedItem:
    milestone = _milestone(item_id)
    quote = milestone.quote
    request = quote.request
    if not buyer_id_can_act(request=request, user_id=buyer_id):
        raise UnknownItem(f'No milestone "{item_id}".')
    if (
        quote.state != ServiceQuote.State.ACCEPTED
        or milestone.state != ServiceMilestone.State.AWAITING_PAYMENT
    ):
        raise InvalidState("This milestone is not awaiting payment.", code="milestone_not_payable")
    if _paid_elsewhere(milestone):
        raise InvalidState("This milestone is already being paid.", code="milestone_payment_in_flight")
    return hooks.PricedItem(
        seller_id=request.partner.seller_id,
        item_type=MILESTONE,
        item_id=str(milestone.public_id),
        description=f"{request.listing.title} — milestone {milestone.position}: {milestone.title}"[:255],
        unit_amount=milestone.amount,
        currency=quote.currency,
        quantity=quantity,
        metadata={"service_request": str(request.public_id), "milestone": str(milestone.public_id)},
    )


def milestone_on_paid(sold: hooks.SoldLine) -> None:
    """Checkout's on_paid hook: the milestone is funded by this order line (see `milestone_link_paid`)."""
    milestone_link_paid(order_line_id=sold.order_line_id)


def milestone_link_paid(*, order_line_id: int, now: datetime | None = None) -> ServiceMilestone:
    """Mark the milestone funded by a paid order line. Idempotent; a second paid order for a milestone already
    funded by another is refunded in full."""
    now = now or timezone.now()
    line = OrderLine.objects.select_related("order").get(pk=order_line_id)
    milestone = _milestone(line.item_id)
    with transaction.atomic():
        ServiceRequest.objects.select_for_update().get(pk=milestone.quote.request_id)
        milestone = ServiceMilestone.objects.select_for_update().get(pk=milestone.pk)
        if milestone.order_line_id == line.pk:
            return milestone
        if milestone.order_line_id is None and milestone.state == ServiceMilestone.State.AWAITING_PAYMENT:
            milestone.order_line = line
            milestone.state = ServiceMilestone.State.FUNDED
            milestone.funded_at = line.order.paid_at or now
            milestone.save(update_fields=["order_line", "state", "funded_at", "updated_at"])
            audit_record(
                actor=None,
                action="revenue.service_milestone_funded",
                obj=milestone,
                after={"order": str(line.order.public_id), "amount": line.net_amount},
            )
            return milestone
    logger.warning("milestone %s paid twice; refunding order %s", milestone.public_id, line.order.public_id)
    refund_create(
        order=line.order,
        reason="This milestone was already paid (duplicate payment refunded)",
        idempotency_key=f"service-duplicate:{line.pk}",
        now=now,
    )
    return milestone


def milestones_link_paid_due() -> int:
    """Sweep: paid milestone lines whose on_paid hook did not run (crash after the sale was posted)."""
    linked = 0
    lines = OrderLine.objects.filter(
        item_type=MILESTONE, order__state=Order.State.PAID, service_milestone__isnull=True
    ).values_list("pk", "item_id")
    for line_id, item_id in lines:
        if ServiceMilestone.objects.filter(
            public_id=item_id, state=ServiceMilestone.State.AWAITING_PAYMENT
        ).exists():
            milestone_link_paid(order_line_id=line_id)
            linked += 1
    return linked


def register() -> None:
    hooks.register_item_type(
        hooks.ItemType(
            name=MILESTONE,
            resolve=resolve_milestone,
            on_paid=milestone_on_paid,
            on_refunded=milestone_on_refunded,
        )
    )
    hooks.register_owner_released_item_type(MILESTONE)


# --- paying -----------------------------------------------------------------------------------------------------


def milestone_pay(
    *,
    milestone: ServiceMilestone,
    actor: Any,
    payment_method: str,
    gateway: str | None = None,
    billing_country: str = "",
    vat_number: str = "",
    now: datetime | None = None,
) -> Order:
    """Pay one milestone through checkout (for the order's organisation when it has one). Returns the order
    (paid, requires_action, awaiting_transfer, failed or pending: see checkout_create)."""
    request = milestone.quote.request
    require_buyer(request, actor)
    return checkout_create(
        buyer=actor,
        items=[(MILESTONE, str(milestone.public_id), 1)],
        currency=milestone.quote.currency,
        payment_method=payment_method,
        gateway=gateway,
        organization=request.organization_id,
        billing_country=billing_country,
        vat_number=vat_number,
        now=now,
    )


# --- delivering ----------------------------------------------------------------------------------------


def milestone_deliver(
    *, milestone: ServiceMilestone, actor: Any, note: str = "", now: datetime | None = None
) -> ServiceMilestone:
    """The partner marks a funded milestone delivered; the auto-accept window starts."""
    now = now or timezone.now()
    require_partner(milestone.quote.request, actor)
    with transaction.atomic():
        milestone = ServiceMilestone.objects.select_for_update().get(pk=milestone.pk)
        if milestone.state != ServiceMilestone.State.FUNDED:
            raise InvalidState(f"This milestone is {milestone.get_state_display().lower()}.")
        milestone.state = ServiceMilestone.State.DELIVERED
        milestone.delivered_at = now
        milestone.delivery_note = (note or "").strip()
        milestone.auto_accept_at = now + timedelta(days=auto_accept_days())
        milestone.save(
            update_fields=["state", "delivered_at", "delivery_note", "auto_accept_at", "updated_at"]
        )
        audit_record(actor=actor, action="revenue.service_milestone_deliver", obj=milestone)
    return milestone


# --- releasing --------------------------------------------------------------------------------------------------


def settle_milestone(
    *,
    milestone: ServiceMilestone,
    released_by: str,
    refund_amount: int | None,
    reason: str,
    actor: Any,
    now: datetime,
    key: str,
) -> tuple[ServiceMilestone, Refund | None]:
    """Inside the caller's transaction, with the request and milestone locked: refund `refund_amount` gross of
    the milestone's order to the buyer (None: all that remains), release the rest to the partner, close the
    milestone and complete the order when it was the last one."""
    line = OrderLine.objects.select_related("order").get(pk=milestone.order_line_id)
    order = line.order
    refunded, refund = 0, None
    if refund_amount is None or refund_amount > 0:
        refund = refund_create(
            order=order, amount=refund_amount, reason=reason[:255], actor=actor, now=now, idempotency_key=key
        )
        refunded = refund.amount
    escrow_release_line(line=line, now=now)
    whole = Order.objects.filter(pk=order.pk).values_list("refunded_total", "total").get()
    milestone.state = (
        ServiceMilestone.State.REFUNDED if whole[0] >= whole[1] else ServiceMilestone.State.RELEASED
    )
    milestone.released_at = now
    milestone.released_by = released_by
    milestone.refunded_amount += refunded
    milestone.save(update_fields=["state", "released_at", "released_by", "refunded_amount", "updated_at"])
    _request_complete_if_done(milestone, now)
    return milestone, refund


def _request_complete_if_done(milestone: ServiceMilestone, now: datetime) -> None:
    open_left = ServiceMilestone.objects.filter(quote_id=milestone.quote_id).exclude(state__in=FINAL).exists()
    if not open_left:
        ServiceRequest.objects.filter(pk=milestone.quote.request_id).update(
            state=ServiceRequest.State.COMPLETED, completed_at=now, updated_at=now
        )


def milestone_on_refunded(line: hooks.SoldLine) -> None:
    """Checkout's on_refunded for milestones: a refund made outside the services flow (finance's refund page or
    API) still shows on the milestone — its refunded figure is its order's (one order per milestone), and a
    milestone refunded in full before release is closed as refunded. Idempotent."""
    now = timezone.now()
    with transaction.atomic():
        milestone = (
            ServiceMilestone.objects.select_for_update()
            .select_related("quote")
            .filter(order_line_id=line.order_line_id)
            .first()
        )
        if milestone is None:
            return
        refunded, total = (
            Order.objects.filter(pk=milestone.order_line.order_id)
            .values_list("refunded_total", "total")
            .get()
        )
        fields = []
        if milestone.refunded_amount != refunded:
            milestone.refunded_amount = refunded
            fields.append("refunded_amount")
        if refunded >= total and milestone.state not in FINAL:
            milestone.state = ServiceMilestone.State.REFUNDED
            fields.append("state")
        if not fields:
            return
        milestone.save(update_fields=[*fields, "updated_at"])
        audit_record(
            actor=None,
            action="revenue.service_milestone_refunded",
            obj=milestone,
            after={"refunded": refunded, "state": milestone.state},
        )
        _request_complete_if_done(milestone, now)


def _tm_refund(milestone: ServiceMilestone, now: datetime) -> tuple[int, Decimal]:
    """(gross refund for the unused hours, billed hours). Hours awaiting approval are approved now."""
    hours = approved_hours(milestone=milestone, now=now)
    rate = milestone.quote.hourly_rate or 0
    billed_net = min(milestone.amount, int(Decimal(rate) * hours))  # whole minor units, down: buyer's favour
    order = Order.objects.get(pk=OrderLine.objects.get(pk=milestone.order_line_id).order_id)
    # The paid total (net + tax) in the ratio of billed to estimated net; the rest goes back, at most what remains.
    keep = order.total * billed_net // milestone.amount
    return min(order.total - keep, order.total - order.refunded_total), hours


def _release(
    milestone: ServiceMilestone, *, released_by: str, actor: Any, now: datetime, states: tuple[str, ...]
) -> tuple[ServiceMilestone, bool]:
    with transaction.atomic():
        ServiceRequest.objects.select_for_update().get(pk=milestone.quote.request_id)
        milestone = (
            ServiceMilestone.objects.select_related("quote__request")
            .select_for_update(of=("self",))
            .get(pk=milestone.pk)
        )
        if milestone.state in FINAL:
            return milestone, False
        if milestone.state not in states:
            raise InvalidState(f"This milestone is {milestone.get_state_display().lower()}.")
        refund_amount = 0
        if milestone.quote.pricing == Pricing.TIME_AND_MATERIALS:
            refund_amount, milestone.billed_hours = _tm_refund(milestone, now)
            milestone.save(update_fields=["billed_hours"])
        settle_milestone(
            milestone=milestone,
            released_by=released_by,
            refund_amount=refund_amount,
            reason="Hours not used on a time-and-materials milestone",
            actor=actor,
            now=now,
            key=f"service-unused:{milestone.public_id}",
        )
        audit_record(
            actor=actor,
            action="revenue.service_milestone_release",
            obj=milestone,
            after={"released_by": released_by, "refunded": milestone.refunded_amount},
        )
    return milestone, True


def milestone_accept(
    *, milestone: ServiceMilestone, actor: Any, now: datetime | None = None
) -> ServiceMilestone:
    """The buyer accepts a delivered milestone: its funds move to the partner's available balance (T&M: the
    approved hours; the rest is refunded). Accepting again changes nothing."""
    if not buyer_can_act(request=milestone.quote.request, user=actor):
        raise PermissionDenied("Only the buyer can accept this milestone.")
    milestone, _ = _release(
        milestone,
        released_by=ServiceMilestone.ReleasedBy.BUYER,
        actor=actor,
        now=now or timezone.now(),
        states=(ServiceMilestone.State.DELIVERED,),
    )
    return milestone


def milestones_auto_accept_due(*, now: datetime | None = None) -> int:
    """Release every delivered milestone whose auto-accept time has passed (disputed ones are not delivered any
    more). Each milestone is its own transaction; safe to run twice and concurrently. Returns how many."""
    now = now or timezone.now()
    released = 0
    due = ServiceMilestone.objects.filter(
        state=ServiceMilestone.State.DELIVERED, auto_accept_at__lte=now
    ).order_by("pk")
    for milestone in due.select_related("quote__request"):
        try:
            _, done = _release(
                milestone,
                released_by=ServiceMilestone.ReleasedBy.AUTO,
                actor=None,
                now=now,
                states=(ServiceMilestone.State.DELIVERED,),
            )
        except InvalidState:
            continue  # disputed meanwhile
        released += int(done)
    return released


def milestone_get(public_id: Any) -> ServiceMilestone:
    try:
        return ServiceMilestone.objects.select_related("quote__request__partner__seller").get(
            public_id=uuid.UUID(str(public_id))
        )
    except (ValueError, ServiceMilestone.DoesNotExist) as exc:
        raise NotFound("No such milestone.") from exc

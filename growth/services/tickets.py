"""Selling seats without overselling.

Locking (read pretix's quota handling for the idea; this is our own, simpler counter design): every change to
a quota's `used` counter happens inside one transaction that first locks the quota rows of the affected ticket
type with `SELECT ... ORDER BY pk FOR UPDATE`. All writers take the locks in the same order (quotas by pk, then
the voucher, then the hold), so two buyers of types sharing quotas can never deadlock, and the availability check
runs on locked rows — never check first and lock later.

Life of a hold: `hold_create` (active, reserves seats, default 30 min) → revenue checkout prices it through
`resolve` (held items only) → `on_paid` issues its tickets (idempotent) → `on_refunded` voids them and frees the
seats. Unpaid holds expire (`holds_expire`, run by the `growth.sweep` beat task and `manage.py growth_sweep`) and
free their seats, which are then offered to the type's waitlist in order.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from growth import notifications
from growth.exceptions import PermissionDenied, SoldOut, ValidationError
from growth.models import RSVP, Event, Quota, Ticket, TicketHold, TicketType, TicketWaitlistEntry, Voucher
from growth.models.tickets import seats_left
from novacron.core.services.audit import audit_record

ITEM_TYPE = "growth.ticket"


def hold_minutes() -> int:
    return int(getattr(settings, "GROWTH_CART_HOLD_MINUTES", 30))


_TypeQuota = TicketType.quotas.through


def lock_quotas(ticket_type_id: int) -> list[Quota]:
    """Lock the type's quotas in pk order (the global lock order). Must run inside a transaction."""
    return list(Quota.objects.filter(ticket_types__id=ticket_type_id).order_by("pk").select_for_update())


def _lock_sharing(ticket_type_id: int) -> tuple[list[Quota], dict[int, list[Quota]]]:
    """For a release: lock, in one pk-ordered statement, the quotas of the type AND of every type sharing a quota
    with it (the seats freed may be offered to their waitlists). Returns the type's quotas and, per sharing
    type, its locked quotas. Locking them all up front keeps the global order (no lock taken later)."""
    own = _TypeQuota.objects.filter(tickettype_id=ticket_type_id).values("quota_id")
    sharing = sorted(set(_TypeQuota.objects.filter(quota_id__in=own).values_list("tickettype_id", flat=True)))
    pairs = list(
        _TypeQuota.objects.filter(tickettype_id__in=sharing).values_list("tickettype_id", "quota_id")
    )
    locked = {
        q.pk: q
        for q in Quota.objects.filter(pk__in={quota for _, quota in pairs}).order_by("pk").select_for_update()
    }
    by_type: dict[int, list[Quota]] = {}
    for type_id, quota_id in sorted(pairs):
        by_type.setdefault(type_id, []).append(locked[quota_id])
    return by_type.get(ticket_type_id, []), by_type


def _take(quotas: list[Quota], quantity: int) -> bool:
    """With the quotas locked: reserve `quantity` seats in each, or nothing if one lacks them."""
    if seats_left(quotas) < quantity:
        return False
    Quota.objects.filter(pk__in=[q.pk for q in quotas]).update(used=F("used") + quantity)
    for q in quotas:  # keep the locked objects current for the next check in this transaction
        q.used += quantity
    return True


def _give_back(quotas: list[Quota], quantity: int) -> None:
    Quota.objects.filter(pk__in=[q.pk for q in quotas]).update(used=F("used") - quantity)
    for q in quotas:
        q.used -= quantity


def _price(ticket_type: TicketType, voucher: Voucher | None) -> int:
    if voucher is None:
        return ticket_type.price
    if voucher.kind == Voucher.Kind.PERCENT:
        off = (ticket_type.price * min(voucher.value, 100) + 50) // 100  # half up to the minor unit
    else:
        off = voucher.value
    return max(ticket_type.price - off, 0)


def _voucher(event: Event, ticket_type: TicketType, code: str, now: datetime) -> Voucher:
    voucher = Voucher.objects.select_for_update().filter(event=event, code__iexact=code.strip()).first()
    if voucher is None:
        raise ValidationError("This code is not valid for this event.", field="voucher")
    if voucher.valid_until and voucher.valid_until < now:
        raise ValidationError("This code has expired.", field="voucher")
    if voucher.uses >= voucher.max_uses:
        raise ValidationError("This code has been used up.", field="voucher")
    if voucher.ticket_types.exists() and not voucher.ticket_types.filter(pk=ticket_type.pk).exists():
        raise ValidationError("This code does not apply to this ticket type.", field="voucher")
    return voucher


def _sellable(ticket_type: TicketType, now: datetime) -> None:
    event = ticket_type.event
    if not ticket_type.is_active or not event.is_ticketed:
        raise ValidationError("This ticket type is not on sale.", field="ticket_type")
    if event.state != Event.State.PUBLISHED or event.ends_at <= now:
        raise ValidationError("This event is not selling tickets.", field="ticket_type")


def hold_create(
    *,
    buyer: Any,
    ticket_type: TicketType,
    quantity: int = 1,
    voucher_code: str = "",
    now: datetime | None = None,
) -> TicketHold:
    """Reserve `quantity` seats of `ticket_type` for the buyer for GROWTH_CART_HOLD_MINUTES (default 30).
    Raises SoldOut (409) when any of the type's quotas lacks the seats, ValidationError for bad input."""
    now = now or timezone.now()
    ticket_type = TicketType.objects.select_related("event").get(pk=ticket_type.pk)
    if (
        isinstance(quantity, bool)
        or not isinstance(quantity, int)
        or not 1 <= quantity <= ticket_type.max_per_order
    ):
        raise ValidationError(f"Choose from 1 to {ticket_type.max_per_order} tickets.", field="quantity")
    _sellable(ticket_type, now)
    with transaction.atomic():
        quotas = lock_quotas(ticket_type.pk)
        if not _take(quotas, quantity):
            raise SoldOut(
                f"{ticket_type.name} is sold out. Join the waitlist to get the next free seat.",
                field="ticket_type",
            )
        voucher = (
            _voucher(ticket_type.event, ticket_type, voucher_code, now) if voucher_code.strip() else None
        )
        if voucher is not None:
            Voucher.objects.filter(pk=voucher.pk).update(uses=F("uses") + 1)
        return TicketHold.objects.create(
            event=ticket_type.event,
            ticket_type=ticket_type,
            buyer=buyer,
            quantity=quantity,
            voucher=voucher,
            unit_amount=_price(ticket_type, voucher),
            currency=ticket_type.currency,
            expires_at=now + timedelta(minutes=hold_minutes()),
        )


def _end_hold(hold: TicketHold, state: str, now: datetime) -> None:
    """Inside a transaction with the quotas locked: free the seats and the voucher use, offer the seats on."""
    quotas, sharing = _lock_sharing(hold.ticket_type_id)
    hold = TicketHold.objects.select_for_update().get(pk=hold.pk)
    if hold.state != TicketHold.State.ACTIVE:
        return
    _give_back(quotas, hold.quantity)
    if hold.voucher_id:
        Voucher.objects.filter(pk=hold.voucher_id, uses__gt=0).update(uses=F("uses") - 1)
    hold.state = state
    hold.save(update_fields=["state"])
    TicketWaitlistEntry.objects.filter(hold=hold, state=TicketWaitlistEntry.State.OFFERED).update(
        state=TicketWaitlistEntry.State.EXPIRED
    )
    waitlist_offer_next(locked=sharing, now=now)


def hold_release(*, hold: TicketHold, actor: Any, now: datetime | None = None) -> TicketHold:
    """The buyer empties the cart: the seats go back at once."""
    if actor.pk != hold.buyer_id:
        raise PermissionDenied("This is not your cart.")
    with transaction.atomic():
        _end_hold(hold, TicketHold.State.RELEASED, now or timezone.now())
    hold.refresh_from_db()
    return hold


def holds_expire(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Expire unpaid holds (cart holds and waitlist offers) whose time is up; returns how many expired."""
    now = now or timezone.now()
    due = list(
        TicketHold.objects.filter(state=TicketHold.State.ACTIVE, expires_at__lte=now)
        .order_by("expires_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    expired = 0
    for pk in due:
        with transaction.atomic():
            hold = TicketHold.objects.get(pk=pk)
            _end_hold(hold, TicketHold.State.EXPIRED, now)
            expired += 1
    return expired


# --- waitlist --------------------------------------------------------------------------------------------------


def waitlist_join(*, user: Any, ticket_type: TicketType, quantity: int = 1) -> TicketWaitlistEntry:
    if not 1 <= quantity <= ticket_type.max_per_order:
        raise ValidationError(f"Choose from 1 to {ticket_type.max_per_order} tickets.", field="quantity")
    with transaction.atomic():
        existing = TicketWaitlistEntry.objects.filter(
            ticket_type=ticket_type, user=user, state__in=["waiting", "offered"]
        ).first()
        if existing:
            return existing
        entry = TicketWaitlistEntry.objects.create(ticket_type=ticket_type, user=user, quantity=quantity)
        # Seats may be free right now (nobody bought since the buyer saw "sold out").
        waitlist_offer_next(locked={ticket_type.pk: lock_quotas(ticket_type.pk)}, now=timezone.now())
    entry.refresh_from_db()
    return entry


def waitlist_leave(*, user: Any, entry: TicketWaitlistEntry) -> None:
    if entry.user_id != user.pk:
        raise PermissionDenied("This is not your waitlist entry.")
    with transaction.atomic():
        if entry.hold_id and entry.state == TicketWaitlistEntry.State.OFFERED:
            _end_hold(entry.hold, TicketHold.State.RELEASED, timezone.now())
        TicketWaitlistEntry.objects.filter(pk=entry.pk, state__in=["waiting", "offered"]).update(
            state=TicketWaitlistEntry.State.CANCELLED
        )


def waitlist_offer_next(*, locked: dict[int, list[Quota]], now: datetime) -> int:
    """With the quotas of the types in `locked` (type id → its locked quotas) held by the caller: give the first
    waiting entries (oldest first across the types) an offer hold while seats last. Returns the offers made."""
    offered = 0
    entries = (
        TicketWaitlistEntry.objects.select_related("ticket_type__event", "user")
        .filter(ticket_type_id__in=list(locked), state=TicketWaitlistEntry.State.WAITING)
        .order_by("created_at", "pk")
    )
    for entry in entries:
        ticket_type = entry.ticket_type
        if not ticket_type.is_active or not _take(locked[ticket_type.pk], entry.quantity):
            continue
        expires_at = now + timedelta(hours=ticket_type.event.offer_hours)
        hold = TicketHold.objects.create(
            event=ticket_type.event,
            ticket_type=ticket_type,
            buyer=entry.user,
            quantity=entry.quantity,
            unit_amount=ticket_type.price,
            currency=ticket_type.currency,
            expires_at=expires_at,
        )
        entry.state = TicketWaitlistEntry.State.OFFERED
        entry.hold = hold
        entry.offered_at = now
        entry.save(update_fields=["state", "hold", "offered_at"])
        notifications.waitlist_offer(entry.user, ticket_type.event, ticket_type, expires_at)
        offered += 1
    return offered


# --- revenue item type ------------------------------------------------------------------------------------------


def _seller_id(event: Event) -> int:
    from revenue import facade as revenue

    if event.chapter_id is None or event.created_by_id is None:
        return revenue.platform_seller_id()
    organiser = event.created_by
    return revenue.seller_for_user(organiser.pk, organiser.display_name or organiser.email, kind="organiser")


def resolve(*, item_id: str, quantity: int, buyer_id: int, currency: str) -> Any:
    """revenue's resolver: prices an active, unexpired hold of this buyer (never anything else)."""
    from revenue import facade as revenue

    hold = (
        TicketHold.objects.select_related("event__created_by", "ticket_type")
        .filter(public_id=item_id, buyer_id=buyer_id)
        .first()
    )
    if hold is None:
        raise revenue.UnknownItem("No such ticket reservation in your cart.")
    if hold.state != TicketHold.State.ACTIVE or hold.expires_at <= timezone.now():
        raise ValidationError("This reservation has expired; reserve the tickets again.", code="hold_expired")
    return revenue.PricedItem(
        seller_id=_seller_id(hold.event),
        item_type=ITEM_TYPE,
        item_id=str(hold.public_id),
        description=f"{hold.event.title} — {hold.ticket_type.name}",
        unit_amount=hold.unit_amount,
        currency=hold.currency,
        quantity=hold.quantity,
        metadata={"event": str(hold.event.public_id), "ticket_type": str(hold.ticket_type.public_id)},
    )


def on_paid(line: Any) -> None:
    """Issue the hold's tickets once (idempotent: a retried hook finds them issued). A hold that expired
    while the payment was in flight takes its seats again if there are any; otherwise the order is refunded."""
    hold = TicketHold.objects.filter(public_id=line.item_id).first()
    if hold is None:
        return
    refund_needed = False
    with transaction.atomic():
        quotas = lock_quotas(hold.ticket_type_id)
        hold = TicketHold.objects.select_for_update().get(pk=hold.pk)
        if hold.state == TicketHold.State.PAID:
            return
        if hold.state != TicketHold.State.ACTIVE and not _take(quotas, hold.quantity):
            refund_needed = True
        else:
            hold.state = TicketHold.State.PAID
            hold.order_id = line.order_id
            hold.save(update_fields=["state", "order_id"])
            TicketWaitlistEntry.objects.filter(hold=hold).update(state=TicketWaitlistEntry.State.CONVERTED)
            _issue(hold)
    if refund_needed:
        from revenue import facade as revenue

        revenue.refund(
            order_id=line.order_id,
            amount=line.net_amount,
            reason="Tickets sold out while the payment was processed",
            idempotency_key=f"growth-hold-refund:{hold.public_id}",
        )


def _issue(hold: TicketHold) -> None:
    buyer = get_user_model().objects.get(pk=hold.buyer_id)
    name = buyer.display_name or buyer.email
    for position in range(1, hold.quantity + 1):
        Ticket.objects.get_or_create(
            hold=hold,
            position=position,
            defaults={
                "event_id": hold.event_id,
                "ticket_type_id": hold.ticket_type_id,
                "holder": buyer,
                "attendee_name": name,
                "order_id": hold.order_id,
            },
        )
    RSVP.objects.update_or_create(
        event_id=hold.event_id, user=buyer, defaults={"state": RSVP.State.GOING, "cancelled_at": None}
    )
    audit_record(actor=buyer, action="growth.tickets_issued", obj=hold, after={"quantity": hold.quantity})
    notifications.tickets_issued(buyer, hold.event, hold.quantity)


def on_refunded(line: Any) -> None:
    """A fully refunded line voids its tickets and frees the seats (partial refunds keep the tickets)."""
    if not (line.metadata or {}).get("fully_refunded", True):
        return
    hold = TicketHold.objects.filter(public_id=line.item_id).first()
    if hold is None:
        return
    with transaction.atomic():
        quotas, sharing = _lock_sharing(hold.ticket_type_id)
        hold = TicketHold.objects.select_for_update().get(pk=hold.pk)
        if hold.state != TicketHold.State.PAID:
            return
        _give_back(quotas, hold.quantity)
        hold.state = TicketHold.State.REFUNDED
        hold.save(update_fields=["state"])
        hold.tickets.update(state=Ticket.State.VOID)
        if not Ticket.objects.filter(event_id=hold.event_id, holder_id=hold.buyer_id, state="valid").exists():
            RSVP.objects.filter(event_id=hold.event_id, user_id=hold.buyer_id).update(
                state=RSVP.State.CANCELLED, cancelled_at=timezone.now()
            )
        audit_record(actor=None, action="growth.tickets_voided", obj=hold, after={"order": line.order_id})
        waitlist_offer_next(locked=sharing, now=timezone.now())


def register_item_type() -> None:
    from revenue import facade as revenue

    revenue.register_item_type(
        revenue.ItemType(name=ITEM_TYPE, resolve=resolve, on_paid=on_paid, on_refunded=on_refunded)
    )


# --- checkout --------------------------------------------------------------------------------------------------


def holds_checkout(
    *, buyer: Any, holds: list[TicketHold], payment_method: str, billing_country: str = ""
) -> Any:
    """Pay for the buyer's active holds (one currency) through revenue; returns revenue's OrderSummary."""
    from revenue import facade as revenue

    holds = [h for h in holds if h.state == TicketHold.State.ACTIVE]
    if not holds:
        raise ValidationError("Your cart is empty or has expired.", field="holds")
    currencies = {h.currency for h in holds}
    if len(currencies) != 1:
        raise ValidationError("Pay for tickets in one currency at a time.", field="holds")
    return revenue.checkout(
        buyer_id=buyer.pk,
        items=[(ITEM_TYPE, str(h.public_id), h.quantity) for h in holds],
        currency=currencies.pop(),
        payment_method=payment_method,
        billing_country=billing_country,
    )


def ticket_set_lead_consent(*, ticket: Ticket, actor: Any, consent: bool) -> Ticket:
    if ticket.holder_id != actor.pk:
        raise PermissionDenied("Only the ticket holder can change this.")
    ticket.lead_consent = consent
    ticket.save(update_fields=["lead_consent"])
    return ticket


def ticket_assign(*, ticket: Ticket, actor: Any, attendee_name: str) -> Ticket:
    if ticket.holder_id != actor.pk:
        raise PermissionDenied("Only the ticket holder can change this.")
    name = attendee_name.strip()
    if not name:
        raise ValidationError("Enter the attendee's name.", field="attendee_name")
    ticket.attendee_name = name[:120]
    ticket.save(update_fields=["attendee_name"])
    return ticket

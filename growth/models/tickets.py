"""Tickets: types with prices, quotas shared between types, vouchers, cart holds, issued tickets, check-ins and
the waitlist of sold-out types.

Capacity invariant: for every quota, `used` = Σ quantity of its types' holds in state active or paid (each issued
ticket belongs to a paid hold) and `used <= size`. Only `growth.services.tickets` changes `used`, always with the
quota rows locked in pk order (see that module)."""

import secrets
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.db import models

from growth.models.events import Event


def _ticket_secret() -> str:
    return secrets.token_urlsafe(18)


class Quota(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="quotas")
    name = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    used = models.PositiveIntegerField(default=0, help_text="Seats held or sold (maintained under lock)")

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(used__lte=models.F("size")), name="growth_quota_size")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.used}/{self.size})"

    @property
    def available(self) -> int:
        return max(self.size - self.used, 0)


def seats_left(quotas: Iterable[Quota]) -> int:
    """The seats a ticket type can still sell: it takes a seat in every one of its quotas, so the smallest
    availability among them (none without a quota). Selling checks this on locked quota rows."""
    return min((quota.available for quota in quotas), default=0)


class TicketType(models.Model):
    class Kind(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        VIRTUAL = "virtual", "Virtual"
        WORKSHOP = "workshop", "Workshop add-on"
        STUDENT = "student", "Student"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="ticket_types")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.IN_PERSON)
    description = models.CharField(max_length=300, blank=True)
    price = models.PositiveIntegerField(help_text="Minor units")
    currency = models.CharField(max_length=3, default="USD")
    quotas = models.ManyToManyField(Quota, related_name="ticket_types")
    max_per_order = models.PositiveSmallIntegerField(default=10)
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.event}: {self.name}"


class Voucher(models.Model):
    class Kind(models.TextChoices):
        PERCENT = "percent", "Percent off"
        AMOUNT = "amount", "Amount off (minor units)"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="vouchers")
    code = models.CharField(max_length=40)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.PositiveIntegerField(help_text="Percent (1–100) or minor units")
    ticket_types = models.ManyToManyField(TicketType, blank=True, help_text="Empty: every type")
    max_uses = models.PositiveIntegerField(default=1)
    uses = models.PositiveIntegerField(default=0)
    valid_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "code"], name="growth_voucher_unique"),
            models.CheckConstraint(
                condition=models.Q(uses__lte=models.F("max_uses")), name="growth_voucher_uses"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class TicketHold(models.Model):
    """A cart hold: seats reserved in every quota of the type until `expires_at`. It is the item revenue sells
    ("growth.ticket", item id = public_id); paying it issues `quantity` tickets."""

    class State(models.TextChoices):
        ACTIVE = "active", "Held"
        PAID = "paid", "Paid"
        EXPIRED = "expired", "Expired"
        RELEASED = "released", "Released"
        REFUNDED = "refunded", "Refunded"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="holds")
    ticket_type = models.ForeignKey(TicketType, on_delete=models.PROTECT, related_name="holds")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveSmallIntegerField()
    voucher = models.ForeignKey(Voucher, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    unit_amount = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    state = models.CharField(max_length=20, choices=State.choices, default=State.ACTIVE)
    expires_at = models.DateTimeField()
    order_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["state", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.ticket_type.name} ({self.state})"


class Ticket(models.Model):
    class State(models.TextChoices):
        VALID = "valid", "Valid"
        VOID = "void", "Void (refunded)"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    hold = models.ForeignKey(TicketHold, on_delete=models.PROTECT, related_name="tickets")
    position = models.PositiveSmallIntegerField()
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="tickets")
    ticket_type = models.ForeignKey(TicketType, on_delete=models.PROTECT, related_name="tickets")
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    attendee_name = models.CharField(max_length=120)
    secret = models.CharField(
        max_length=40, unique=True, default=_ticket_secret, help_text="Encoded in the QR"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.VALID)
    order_id = models.CharField(max_length=64, blank=True)
    lead_consent = models.BooleanField(
        default=False, help_text="Sponsors may capture this attendee as a lead"
    )
    checked_in_at = models.DateTimeField(null=True, blank=True)
    issued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["hold", "position"], name="growth_ticket_once")]

    def __str__(self) -> str:
        return f"{self.ticket_type.name} — {self.attendee_name}"


class CheckIn(models.Model):
    """Every scan, including repeated ones (`duplicate`), so staff see when and where a ticket was used."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="checkins")
    scanned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    gate = models.CharField(max_length=60, blank=True)
    duplicate = models.BooleanField(default=False)
    scanned_at = models.DateTimeField()

    class Meta:
        ordering = ["-scanned_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.ticket_id} at {self.scanned_at:%Y-%m-%d %H:%M}"


class TicketWaitlistEntry(models.Model):
    """A buyer waiting for a sold-out type. When seats free up, the first waiting entry gets an offer: a hold
    in its name that lasts the event's `offer_hours`; unpaid, it expires and the next entry is offered."""

    class State(models.TextChoices):
        WAITING = "waiting", "Waiting"
        OFFERED = "offered", "Offered"
        CONVERTED = "converted", "Bought"
        EXPIRED = "expired", "Offer expired"
        CANCELLED = "cancelled", "Cancelled"

    ticket_type = models.ForeignKey(TicketType, on_delete=models.CASCADE, related_name="waitlist")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveSmallIntegerField(default=1)
    state = models.CharField(max_length=20, choices=State.choices, default=State.WAITING)
    hold = models.OneToOneField(
        TicketHold, on_delete=models.SET_NULL, null=True, blank=True, related_name="waitlist_entry"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    offered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket_type", "user"],
                condition=models.Q(state__in=["waiting", "offered"]),
                name="growth_waitlist_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} waits for {self.ticket_type_id} ({self.state})"

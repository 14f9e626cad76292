"""Services marketplace: certified partners, their service listings, quote requests, quotes made of milestones,
time logged on time-and-materials milestones, milestone disputes and the buyers' ratings.

Money: every milestone is paid through checkout as its own order (item type "revenue.service_milestone", one
order line); the seller's share stays in escrow (seller_pending) until the buyer accepts the delivered milestone,
the auto-accept window passes, or staff resolve a dispute (see revenue/services/partner_milestones.py).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from novacron.core.models import PublicModel


class ServiceCategory(models.TextChoices):
    CONSULTING = "consulting", "Consulting"
    DEVELOPMENT = "development", "Development"
    TRAINING = "training", "Training"
    SUPPORT = "support", "Support"
    INTEGRATION = "integration", "Integration"
    MIGRATION = "migration", "Migration"
    OPTIMISATION = "optimisation", "Optimisation"
    SECURITY = "security", "Security"
    COMPLIANCE = "compliance", "Compliance"
    ARCHITECTURE = "architecture", "Architecture"


class Pricing(models.TextChoices):
    FIXED = "fixed", "Fixed price"
    TIME_AND_MATERIALS = "time_and_materials", "Time and materials"


class Partner(PublicModel):
    """A service partner: a seller of kind "partner" (a user or an organisation) with a contact person, whose
    qualification (certification, through `hooks.partner_qualified`) is checked when a listing is published."""

    class Status(models.TextChoices):
        APPLIED = "applied", "Applied"
        APPROVED = "approved", "Approved"
        SUSPENDED = "suspended", "Suspended"

    seller = models.OneToOneField("revenue.Seller", on_delete=models.PROTECT, related_name="partner")
    contact = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    display_name = models.CharField(max_length=200)
    headline = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    country = models.CharField(max_length=2, db_index=True, help_text="ISO 3166 two-letter code")
    website = models.URLField(blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.APPLIED, db_index=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rating_count = models.PositiveIntegerField(default=0)
    rating_total = models.PositiveIntegerField(default=0)
    rating_average = models.DecimalField(max_digits=3, decimal_places=2, default=Decimal("0"))

    class Meta:
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.display_name


class ServiceListing(PublicModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="listings")
    title = models.CharField(max_length=200)
    category = models.CharField(max_length=20, choices=ServiceCategory.choices, db_index=True)
    description = models.TextField()
    pricing = models.CharField(max_length=20, choices=Pricing.choices)
    currency = models.CharField(max_length=3)
    fixed_amount = models.BigIntegerField(null=True, blank=True, help_text="Fixed price, minor units")
    hourly_rate = models.BigIntegerField(null=True, blank=True, help_text="T&M hourly rate, minor units")
    estimated_hours = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="listing_price_matches_pricing",
                condition=models.Q(pricing="fixed", fixed_amount__gt=0)
                | models.Q(pricing="time_and_materials", hourly_rate__gt=0),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ServiceRequest(PublicModel):
    """A buyer's request for a quote; once a quote is accepted it is the service order its milestones run in."""

    class State(models.TextChoices):
        REQUESTED = "requested", "Quote requested"
        QUOTED = "quoted", "Quoted"
        ACTIVE = "active", "In progress"
        COMPLETED = "completed", "Completed"
        DECLINED = "declined", "Declined by the partner"
        WITHDRAWN = "withdrawn", "Withdrawn by the buyer"

    listing = models.ForeignKey(ServiceListing, on_delete=models.PROTECT, related_name="requests")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="requests")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        "accounts.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    message = models.TextField(help_text="What the buyer needs")
    state = models.CharField(max_length=12, choices=State.choices, default=State.REQUESTED, db_index=True)
    decline_reason = models.CharField(max_length=255, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Request {self.public_id}"


class ServiceQuote(PublicModel):
    class State(models.TextChoices):
        SENT = "sent", "Sent"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        SUPERSEDED = "superseded", "Superseded"

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="quotes")
    pricing = models.CharField(max_length=20, choices=Pricing.choices)
    currency = models.CharField(max_length=3)
    hourly_rate = models.BigIntegerField(null=True, blank=True)
    total_amount = models.BigIntegerField(help_text="Sum of the milestones (T&M: at the estimated hours)")
    notes = models.TextField(blank=True)
    valid_until = models.DateField(null=True, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.SENT, db_index=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request"],
                condition=models.Q(state="accepted"),
                name="one_accepted_quote_per_request",
            ),
            models.CheckConstraint(condition=models.Q(total_amount__gt=0), name="quote_total_positive"),
        ]

    def __str__(self) -> str:
        return f"Quote {self.public_id}"


class ServiceMilestone(PublicModel):
    class State(models.TextChoices):
        AWAITING_PAYMENT = "awaiting_payment", "Awaiting payment"
        FUNDED = "funded", "Funded, in progress"
        DELIVERED = "delivered", "Delivered"
        DISPUTED = "disputed", "Disputed"
        RELEASED = "released", "Released to the partner"
        REFUNDED = "refunded", "Refunded to the buyer"

    class ReleasedBy(models.TextChoices):
        BUYER = "buyer", "Accepted by the buyer"
        AUTO = "auto", "Auto-accepted"
        STAFF = "staff", "Dispute resolved by staff"

    quote = models.ForeignKey(ServiceQuote, on_delete=models.CASCADE, related_name="milestones")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    amount = models.BigIntegerField(help_text="Net price in minor units (T&M: hourly rate × estimated hours)")
    estimated_hours = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    due_date = models.DateField()
    state = models.CharField(
        max_length=20, choices=State.choices, default=State.AWAITING_PAYMENT, db_index=True
    )
    order_line = models.OneToOneField(
        "revenue.OrderLine", null=True, blank=True, on_delete=models.PROTECT, related_name="service_milestone"
    )
    funded_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivery_note = models.TextField(blank=True)
    auto_accept_at = models.DateTimeField(null=True, blank=True, db_index=True)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.CharField(max_length=10, choices=ReleasedBy.choices, blank=True)
    billed_hours = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    refunded_amount = models.BigIntegerField(default=0, help_text="Gross refunded to the buyer")

    class Meta:
        ordering = ["quote", "position"]
        constraints = [
            models.UniqueConstraint(fields=["quote", "position"], name="milestone_position_uniq"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="milestone_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class ServiceTimeEntry(models.Model):
    """Hours a partner logged on a time-and-materials milestone; the buyer approves or rejects them."""

    class State(models.TextChoices):
        LOGGED = "logged", "Awaiting approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    milestone = models.ForeignKey(ServiceMilestone, on_delete=models.CASCADE, related_name="time_entries")
    work_date = models.DateField()
    hours = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(Decimal("24"))],
    )
    description = models.CharField(max_length=255)
    state = models.CharField(max_length=10, choices=State.choices, default=State.LOGGED, db_index=True)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["work_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gt=0, hours__lte=24), name="time_entry_hours_within_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hours} h on {self.work_date}"


class ServiceDispute(PublicModel):
    class State(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    class Outcome(models.TextChoices):
        RELEASE = "release", "Released to the partner"
        REFUND = "refund", "Refunded to the buyer"
        SPLIT = "split", "Split"

    milestone = models.OneToOneField(ServiceMilestone, on_delete=models.PROTECT, related_name="dispute")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN, db_index=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    refund_amount = models.BigIntegerField(default=0, help_text="Gross refunded to the buyer")
    resolution_notes = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    refund = models.ForeignKey(
        "revenue.Refund", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(refund_amount__gte=0), name="service_dispute_refund_nonneg"
            )
        ]

    def __str__(self) -> str:
        return f"Dispute {self.public_id}"


class PartnerRating(models.Model):
    """One rating per completed service order, by its buyer."""

    request = models.OneToOneField(ServiceRequest, on_delete=models.PROTECT, related_name="rating")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="ratings")
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="rating_score_1_to_5")
        ]

    def __str__(self) -> str:
        return f"{self.score}/5 for {self.partner}"

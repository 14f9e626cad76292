"""Serializers of the services marketplace API (/api/v1/revenue/services/). Input and output kept apart; money in
minor units next to its currency, hours as decimal strings."""

from __future__ import annotations

from rest_framework import serializers

from revenue.models import (
    Partner,
    PartnerRating,
    Pricing,
    ServiceCategory,
    ServiceDispute,
    ServiceListing,
    ServiceMilestone,
    ServiceQuote,
    ServiceRequest,
    ServiceTimeEntry,
)

# --- output -------------------------------------------------------------------------------------------------------


class ServicePartnerOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Partner
        fields = [
            "id", "display_name", "headline", "description", "country", "website", "status",
            "rating_count", "rating_average",
        ]  # fmt: skip
        read_only_fields = fields


class ServiceListingOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    partner = ServicePartnerOutput(read_only=True)

    class Meta:
        model = ServiceListing
        fields = [
            "id", "partner", "title", "category", "description", "pricing", "currency", "fixed_amount",
            "hourly_rate", "estimated_hours", "status", "published_at",
        ]  # fmt: skip
        read_only_fields = fields


class ServiceRatingOutput(serializers.ModelSerializer):
    order = serializers.UUIDField(source="request.public_id", read_only=True)

    class Meta:
        model = PartnerRating
        fields = ["order", "score", "comment", "created_at"]
        read_only_fields = fields


class ServiceTimeEntryOutput(serializers.ModelSerializer):
    class Meta:
        model = ServiceTimeEntry
        fields = ["id", "work_date", "hours", "description", "state", "created_at", "decided_at"]
        read_only_fields = fields


class ServiceDisputeOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    milestone = serializers.UUIDField(source="milestone.public_id", read_only=True)
    refund = serializers.UUIDField(source="refund.public_id", read_only=True, allow_null=True)
    outcome = serializers.CharField(
        read_only=True, help_text='"release", "refund" or "split"; empty while open'
    )

    class Meta:
        model = ServiceDispute
        fields = [
            "id", "milestone", "reason", "state", "outcome", "refund_amount", "refund", "resolution_notes",
            "created_at", "resolved_at",
        ]  # fmt: skip
        read_only_fields = fields


class ServiceMilestoneOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    order = serializers.SerializerMethodField()
    time_entries = ServiceTimeEntryOutput(many=True, read_only=True)
    dispute = serializers.SerializerMethodField()

    class Meta:
        model = ServiceMilestone
        fields = [
            "id", "position", "title", "amount", "estimated_hours", "due_date", "state", "order", "funded_at",
            "delivered_at", "delivery_note", "auto_accept_at", "released_at", "released_by", "billed_hours",
            "refunded_amount", "time_entries", "dispute",
        ]  # fmt: skip
        read_only_fields = fields

    def get_order(self, milestone: ServiceMilestone) -> str | None:
        return str(milestone.order_line.order.public_id) if milestone.order_line_id else None

    def get_dispute(self, milestone: ServiceMilestone) -> dict | None:
        dispute = getattr(milestone, "dispute", None)
        return ServiceDisputeOutput(dispute).data if dispute is not None else None


class ServiceQuoteOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    milestones = ServiceMilestoneOutput(many=True, read_only=True)

    class Meta:
        model = ServiceQuote
        fields = [
            "id", "pricing", "currency", "hourly_rate", "total_amount", "notes", "valid_until", "state",
            "accepted_at", "created_at", "milestones",
        ]  # fmt: skip
        read_only_fields = fields


class ServiceRequestOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    listing = serializers.UUIDField(source="listing.public_id", read_only=True)
    listing_title = serializers.CharField(source="listing.title", read_only=True)
    partner = serializers.UUIDField(source="partner.public_id", read_only=True)
    partner_name = serializers.CharField(source="partner.display_name", read_only=True)
    organization = serializers.CharField(source="organization.slug", read_only=True, allow_null=True)
    quotes = ServiceQuoteOutput(many=True, read_only=True)

    class Meta:
        model = ServiceRequest
        fields = [
            "id", "listing", "listing_title", "partner", "partner_name", "organization", "message", "state",
            "decline_reason", "created_at", "completed_at", "quotes",
        ]  # fmt: skip
        read_only_fields = fields


# --- input --------------------------------------------------------------------------------------------------------


class ServiceListingQuery(serializers.Serializer):
    category = serializers.ChoiceField(choices=ServiceCategory.choices, required=False)
    country = serializers.CharField(min_length=2, max_length=2, required=False)
    q = serializers.CharField(max_length=100, required=False)


class ServicePartnerApplyInput(serializers.Serializer):
    display_name = serializers.CharField(max_length=200)
    country = serializers.CharField(min_length=2, max_length=2)
    headline = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    description = serializers.CharField(required=False, default="", allow_blank=True)
    website = serializers.URLField(required=False, default="", allow_blank=True)
    organization = serializers.IntegerField(required=False, allow_null=True, default=None)


class ServiceListingInput(serializers.Serializer):
    partner = serializers.UUIDField(required=False, allow_null=True, default=None)
    title = serializers.CharField(max_length=200)
    category = serializers.ChoiceField(choices=ServiceCategory.choices)
    description = serializers.CharField()
    pricing = serializers.ChoiceField(choices=Pricing.choices)
    currency = serializers.CharField(min_length=3, max_length=3)
    fixed_amount = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    hourly_rate = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    estimated_hours = serializers.DecimalField(
        max_digits=7, decimal_places=2, required=False, allow_null=True, default=None
    )


class ServiceRequestInput(serializers.Serializer):
    message = serializers.CharField(max_length=5000)
    organization = serializers.IntegerField(required=False, allow_null=True, default=None)


class ServiceMilestoneInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    due_date = serializers.DateField()
    amount = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    estimated_hours = serializers.DecimalField(
        max_digits=7, decimal_places=2, required=False, allow_null=True, default=None
    )


class ServiceQuoteInput(serializers.Serializer):
    milestones = ServiceMilestoneInput(many=True, allow_empty=False)
    notes = serializers.CharField(required=False, default="", allow_blank=True)
    valid_until = serializers.DateField(required=False, allow_null=True, default=None)
    hourly_rate = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)


class ServiceCloseInput(serializers.Serializer):
    reason = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)


class ServicePayInput(serializers.Serializer):
    payment_method = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    gateway = serializers.CharField(max_length=30, required=False, default="", allow_blank=True)
    billing_country = serializers.CharField(max_length=2, required=False, default="", allow_blank=True)
    vat_number = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)


class ServiceDeliverInput(serializers.Serializer):
    note = serializers.CharField(required=False, default="", allow_blank=True)


class ServiceTimeEntryInput(serializers.Serializer):
    work_date = serializers.DateField()
    hours = serializers.DecimalField(max_digits=5, decimal_places=2)
    description = serializers.CharField(max_length=255)


class ServiceTimeEntryDecisionInput(serializers.Serializer):
    approve = serializers.BooleanField()


class ServiceDisputeOpenInput(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


class ServiceDisputeResolveInput(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=ServiceDispute.Outcome.choices)
    notes = serializers.CharField(max_length=5000)
    refund_amount = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, default=None, help_text="Split only: gross minor units"
    )


class ServiceRatingInput(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, default="", allow_blank=True, max_length=2000)


class ServiceDisputeQuery(serializers.Serializer):
    state = serializers.ChoiceField(choices=ServiceDispute.State.choices, required=False)

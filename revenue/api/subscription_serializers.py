"""Serializers of the subscription endpoints (plans, subscriptions, dunning queue, recovery metrics)."""

from __future__ import annotations

from datetime import datetime

from rest_framework import serializers

from revenue.models import DunningAttempt, Plan, Subscription, SubscriptionCharge
from revenue.services.subscriptions import retention_offers
from revenue.services.subscriptions_common import active_until


class PlanOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    seller = serializers.UUIDField(source="seller.public_id", read_only=True)
    seller_name = serializers.CharField(source="seller.display_name", read_only=True)
    interval = serializers.CharField(read_only=True, help_text="month or year")

    class Meta:
        model = Plan
        fields = [
            "id",
            "key",
            "seller",
            "seller_name",
            "name",
            "description",
            "interval",
            "unit_amount",
            "currency",
            "trial_days",
            "max_seats",
            "is_active",
        ]


class PlanInput(serializers.Serializer):
    slug = serializers.SlugField(max_length=60, help_text='The plan key becomes "revenue.plan:<slug>"')
    seller = serializers.UUIDField(required=False, help_text="A seller you manage (default: your own)")
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    interval = serializers.ChoiceField(choices=Plan.Interval.choices, default=Plan.Interval.MONTH)
    unit_amount = serializers.IntegerField(min_value=0, help_text="Per seat per period, minor units")
    currency = serializers.CharField(max_length=3)
    trial_days = serializers.IntegerField(min_value=0, max_value=365, default=0)
    max_seats = serializers.IntegerField(min_value=1, max_value=100_000, default=1000)


class PlanPatchInput(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    unit_amount = serializers.IntegerField(min_value=0, required=False)
    trial_days = serializers.IntegerField(min_value=0, max_value=365, required=False)
    max_seats = serializers.IntegerField(min_value=1, max_value=100_000, required=False)
    is_active = serializers.BooleanField(required=False)


class ChargeOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    kind = serializers.CharField(read_only=True, help_text="initial, renewal or proration")
    state = serializers.CharField(read_only=True, help_text="open, paid, uncollectible or void")
    order = serializers.UUIDField(source="order.public_id", read_only=True, allow_null=True, default=None)

    class Meta:
        model = SubscriptionCharge
        fields = [
            "id",
            "kind",
            "state",
            "description",
            "period_start",
            "period_end",
            "seats",
            "unit_amount",
            "discount_amount",
            "amount",
            "currency",
            "attempts",
            "next_retry_at",
            "last_failure_code",
            "paid_at",
            "recovered",
            "order",
        ]


class OfferOutput(serializers.Serializer):
    kind = serializers.CharField(help_text="discount or pause")
    percent_off = serializers.DecimalField(max_digits=5, decimal_places=2)
    periods = serializers.IntegerField()


class SubscriptionOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    plan = PlanOutput(read_only=True)
    state = serializers.CharField(
        read_only=True, help_text="incomplete, trialing, active, past_due, paused, canceled"
    )
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    pending_plan = serializers.CharField(
        source="pending_plan.key", read_only=True, allow_null=True, default=None
    )
    active_until = serializers.SerializerMethodField()
    retention_offers = serializers.SerializerMethodField()
    charges = serializers.SerializerMethodField()

    class Meta:
        model = Subscription
        fields = [
            "id",
            "plan",
            "state",
            "organization",
            "seats",
            "payment_method_label",
            "current_period_start",
            "current_period_end",
            "trial_end",
            "cancel_at_period_end",
            "pending_plan",
            "pending_seats",
            "discount_percent",
            "discount_periods_left",
            "pause_periods",
            "resume_at",
            "past_due_since",
            "canceled_at",
            "ended_at",
            "end_reason",
            "active_until",
            "retention_offers",
            "charges",
        ]

    def get_active_until(self, obj: Subscription) -> datetime | None:
        until = active_until(obj)
        return serializers.DateTimeField().to_representation(until) if until else None

    def get_retention_offers(self, obj: Subscription) -> list[dict]:
        if obj.state == Subscription.State.CANCELED:
            return []
        return OfferOutput(retention_offers(obj), many=True).data

    def get_charges(self, obj: Subscription) -> list[dict]:
        return ChargeOutput(obj.charges.select_related("order")[:12], many=True).data


class SubscriptionStartInput(serializers.Serializer):
    plan = serializers.UUIDField(help_text="The plan's id")
    seats = serializers.IntegerField(min_value=1, default=1)
    payment_method = serializers.CharField(
        max_length=100, help_text="local_test: a test card or pm_card_* id; stripe: a PaymentMethod id"
    )
    organization = serializers.SlugField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Subscribe for this organisation (owner, admin, billing)",
    )
    billing_country = serializers.CharField(max_length=2, required=False, allow_blank=True, default="")


class SubscriptionChangeInput(serializers.Serializer):
    plan = serializers.UUIDField(required=False, help_text="Another plan of the same seller and currency")
    seats = serializers.IntegerField(min_value=1, required=False)

    def validate(self, attrs: dict) -> dict:
        if "plan" not in attrs and "seats" not in attrs:
            raise serializers.ValidationError({"seats": ["Give a plan, seats, or both."]})
        return attrs


class SubscriptionCancelInput(serializers.Serializer):
    at_period_end = serializers.BooleanField(default=True, help_text="False: end now, refund unused time")
    accept_offer = serializers.ChoiceField(
        choices=["", "discount", "pause"],
        default="",
        allow_blank=True,
        help_text="Keep the subscription with this retention offer instead",
    )
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class PaymentMethodInput(serializers.Serializer):
    payment_method = serializers.CharField(max_length=100)


class AttemptOutput(serializers.ModelSerializer):
    outcome = serializers.CharField(read_only=True)
    refund = serializers.UUIDField(
        source="refund.public_id",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="The automatic refund when the period was paid twice",
    )

    class Meta:
        model = DunningAttempt
        fields = [
            "number",
            "attempted_at",
            "outcome",
            "failure_code",
            "failure_message",
            "reminder_sent_at",
            "refund",
        ]


class DunningRowOutput(ChargeOutput):
    subscription = serializers.UUIDField(source="subscription.public_id", read_only=True)
    subscriber = serializers.EmailField(source="subscription.buyer.email", read_only=True)
    plan = serializers.CharField(source="subscription.plan.name", read_only=True)
    first_failed_at = serializers.DateTimeField(read_only=True)

    class Meta(ChargeOutput.Meta):
        fields = [*ChargeOutput.Meta.fields, "subscription", "subscriber", "plan", "first_failed_at"]


class MetricsQuery(serializers.Serializer):
    start = serializers.DateField(required=False, help_text="Default: 30 days ago")
    end = serializers.DateField(required=False, help_text="Exclusive; default tomorrow")


class RecoveredOutput(serializers.Serializer):
    currency = serializers.CharField()
    amount = serializers.IntegerField()
    charges = serializers.IntegerField()


class MetricsOutput(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    recovered = RecoveredOutput(many=True)
    failed_renewals = serializers.IntegerField()
    recovered_renewals = serializers.IntegerField()
    recovery_rate = serializers.FloatField(allow_null=True)
    involuntary_churn = serializers.IntegerField()
    involuntary_churn_rate = serializers.FloatField(allow_null=True)
    voluntary_churn = serializers.IntegerField()
    live_at_start = serializers.IntegerField()

"""Serializers of the money operations endpoints: refunds, disputes, payout accounts, payout outcomes.
Input and output kept apart; bank account numbers are shown masked."""

from __future__ import annotations

from rest_framework import serializers

from revenue.models import Dispute, Payout, PayoutAccount, Refund


class RefundInput(serializers.Serializer):
    amount = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        default=None,
        help_text="Minor units (e.g. cents). Omit to refund everything that remains.",
    )
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class RefundOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    order = serializers.UUIDField(source="payment.order.public_id", read_only=True)
    payment = serializers.UUIDField(source="payment.public_id", read_only=True)

    class Meta:
        model = Refund
        fields = [
            "id",
            "order",
            "payment",
            "amount",
            "currency",
            "state",
            "reason",
            "gateway_reference",
            "failure_message",
            "created_at",
            "settled_at",
        ]
        read_only_fields = fields


class DisputeOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    order = serializers.UUIDField(source="payment.order.public_id", read_only=True)
    payment = serializers.UUIDField(source="payment.public_id", read_only=True)
    gateway = serializers.CharField(source="payment.gateway", read_only=True)

    class Meta:
        model = Dispute
        fields = [
            "id",
            "order",
            "payment",
            "gateway",
            "gateway_reference",
            "amount",
            "currency",
            "reason",
            "state",
            "evidence_due_by",
            "evidence_notes",
            "evidence_submitted_at",
            "created_at",
            "closed_at",
        ]
        read_only_fields = fields


class DisputeQuery(serializers.Serializer):
    state = serializers.ChoiceField(choices=Dispute.State.choices, required=False)


class DisputeEvidenceInput(serializers.Serializer):
    notes = serializers.CharField(
        max_length=20_000, help_text="Evidence notes; appended, timestamped and signed."
    )


class DisputeCloseInput(serializers.Serializer):
    won = serializers.BooleanField(help_text="true: won (everything reversed); false: lost (platform loss).")


class PayoutAccountQuery(serializers.Serializer):
    seller = serializers.UUIDField(required=False)
    currency = serializers.CharField(min_length=3, max_length=3, required=False)


class PayoutAccountInput(serializers.Serializer):
    seller = serializers.UUIDField(required=False, help_text="Which of your sellers (default: your own).")
    currency = serializers.CharField(
        min_length=3, max_length=3, help_text="ISO 4217; one account per currency."
    )
    method = serializers.ChoiceField(choices=PayoutAccount.Method.choices)
    stripe_account_id = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    account_holder = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    iban = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    bic = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    account_number = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    routing_number = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    bank_country = serializers.CharField(max_length=2, required=False, allow_blank=True, default="")


class PayoutAccountOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    seller = serializers.UUIDField(source="seller.public_id", read_only=True)
    iban = serializers.SerializerMethodField()
    account_number = serializers.SerializerMethodField()

    class Meta:
        model = PayoutAccount
        fields = [
            "id",
            "seller",
            "currency",
            "method",
            "stripe_account_id",
            "account_holder",
            "iban",
            "bic",
            "account_number",
            "routing_number",
            "bank_country",
            "is_active",
            "created_at",
        ]
        read_only_fields = fields

    def get_iban(self, obj: PayoutAccount) -> str:
        return f"{obj.iban[:4]}…{obj.iban[-4:]}" if obj.iban else ""

    def get_account_number(self, obj: PayoutAccount) -> str:
        return f"…{obj.account_number[-4:]}" if obj.account_number else ""


class RefundSettleInput(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=[("sent", "sent"), ("not_sent", "not_sent")],
        help_text="sent: the money left the bank; not_sent: it could not be sent (the ledger is put back).",
    )
    reference = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="The bank transfer's reference (for sent).",
    )
    message = serializers.CharField(
        max_length=255,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why it could not be sent (for not_sent).",
    )


class PayoutFailedInput(serializers.Serializer):
    message = serializers.CharField(
        max_length=255, help_text="Why the transfer failed (shown to the seller)."
    )


class PayoutOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    seller = serializers.UUIDField(source="seller.public_id", read_only=True)

    class Meta:
        model = Payout
        fields = [
            "id",
            "seller",
            "currency",
            "amount",
            "state",
            "gateway",
            "gateway_reference",
            "failure_message",
            "scheduled_for",
            "created_at",
            "paid_at",
            "failed_at",
        ]
        read_only_fields = fields

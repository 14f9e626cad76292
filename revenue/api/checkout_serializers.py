"""Serializers of the checkout, product, bank-transfer and webhook endpoints (input and output kept apart)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from revenue.models import Order, OrderLine, Payment, Product


# --- checkout -----------------------------------------------------------------------------------------------
class CheckoutItemInput(serializers.Serializer):
    type = serializers.CharField(
        max_length=60, help_text='Item type, e.g. "revenue.product" or "marketplace.app".'
    )
    id = serializers.CharField(max_length=64, help_text="The item's id as its app publishes it.")
    quantity = serializers.IntegerField(min_value=1, max_value=10_000, default=1)


class CheckoutInput(serializers.Serializer):
    items = CheckoutItemInput(many=True, allow_empty=False, max_length=100)
    currency = serializers.CharField(min_length=3, max_length=3, help_text="ISO 4217 code, e.g. EUR.")
    payment_method = serializers.CharField(
        max_length=100,
        allow_blank=True,
        default="",
        help_text="local_test: a test card number or pm_card_* id; stripe: a PaymentMethod id (pm_...); "
        "bank_transfer: empty.",
    )
    gateway = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    organization = serializers.SlugField(
        max_length=100,
        required=False,
        allow_null=True,
        default=None,
        help_text="Buy for this organisation (slug).",
    )
    billing_country = serializers.CharField(max_length=2, required=False, allow_blank=True, default="")
    vat_number = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    coupon = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default="", help_text="A coupon code (optional)."
    )


class OrderLineOutput(serializers.ModelSerializer):
    class Meta:
        model = OrderLine
        fields = [
            "id",
            "item_type",
            "item_id",
            "description",
            "quantity",
            "unit_amount",
            "net_amount",
            "tax_amount",
            "tax_rate",
            "tax_jurisdiction",
        ]


class PaymentOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "gateway",
            "state",
            "amount",
            "currency",
            "gateway_reference",
            "failure_code",
            "failure_message",
            "next_action",
            "captured_at",
        ]


class OrderOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    lines = OrderLineOutput(many=True, read_only=True)
    payment = serializers.SerializerMethodField()
    next_action = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = [
            "id",
            "state",
            "currency",
            "subtotal",
            "tax_total",
            "total",
            "refunded_total",
            "gateway",
            "organization",
            "lines",
            "payment",
            "next_action",
            "created_at",
            "paid_at",
        ]

    def _payment(self, order: Order) -> Payment | None:
        payments = sorted(order.payments.all(), key=lambda p: (p.created_at, p.pk))
        return payments[-1] if payments else None

    def get_payment(self, order: Order) -> dict[str, Any] | None:
        payment = self._payment(order)
        return PaymentOutput(payment).data if payment else None

    def get_next_action(self, order: Order) -> dict[str, Any] | None:
        """What the buyer must do next: 3-D Secure (then POST .../confirm/) or a bank transfer; else null."""
        payment = self._payment(order)
        if payment is None or not payment.next_action:
            return None
        action = dict(payment.next_action)
        if order.state == Order.State.REQUIRES_ACTION:
            action["confirm_url"] = f"/api/v1/revenue/checkouts/{order.public_id}/confirm/"
        return action


# --- bank transfers ----------------------------------------------------------------------------------------
class BankTransferReceivedInput(serializers.Serializer):
    amount = serializers.IntegerField(min_value=1, help_text="What arrived, in minor units.")
    reference = serializers.CharField(max_length=60, help_text="The payment reference the buyer quoted.")


# --- products --------------------------------------------------------------------------------------------------
class VolumeTierIO(serializers.Serializer):
    min_quantity = serializers.IntegerField(
        min_value=2, help_text="From this quantity (1 pays the list price)."
    )
    unit_amount = serializers.IntegerField(
        min_value=0, help_text="Price per unit in minor units, before tax."
    )


VOLUME_TIERS_HELP = (
    'Volume prices, mode "volume": every unit is priced at the tier the quantity reaches. Each tier is cheaper '
    "than the list price and the tier below it; [] removes them."
)


class ProductInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    unit_amount = serializers.IntegerField(min_value=0, help_text="Price before tax, in minor units.")
    currency = serializers.CharField(min_length=3, max_length=3)
    seller = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Seller public id; default: your developer seller.",
    )
    volume_tiers = VolumeTierIO(many=True, required=False, default=list, help_text=VOLUME_TIERS_HELP)


class ProductPatchInput(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    unit_amount = serializers.IntegerField(min_value=0, required=False)
    currency = serializers.CharField(min_length=3, max_length=3, required=False)
    volume_tiers = VolumeTierIO(many=True, required=False, help_text=VOLUME_TIERS_HELP)
    is_active = serializers.BooleanField(required=False)


class ProductOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    seller = serializers.UUIDField(source="seller.public_id", read_only=True)
    seller_name = serializers.CharField(source="seller.display_name", read_only=True)
    item_type = serializers.SerializerMethodField()
    volume_tiers = VolumeTierIO(many=True, read_only=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "name",
            "description",
            "unit_amount",
            "currency",
            "volume_tiers",
            "is_active",
            "seller",
            "seller_name",
            "item_type",
            "created_at",
            "updated_at",
        ]

    def get_item_type(self, product: Product) -> str:
        """Use this with the product's id as a checkout item."""
        return "revenue.product"


# --- webhooks ---------------------------------------------------------------------------------------------------
class WebhookOutput(serializers.Serializer):
    received = serializers.BooleanField()
    event = serializers.CharField()
    processed = serializers.BooleanField()
    outcome = serializers.CharField()

"""Response and query shapes of the revenue read API (balances, statements, tier, payouts, purchases, ledger).

Money is always an integer number of minor units next to its ISO 4217 currency (`amount: 1999, currency:
"EUR"` is €19.99); amounts of different currencies are never added up.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from revenue.models import AccountKind, Dispute, JournalEntry, Order, Payment, Payout, Refund, Seller, Tier


def _enum(component_name: str, values: list[str], description: str):
    return extend_schema_field(
        {"type": "string", "enum": list(values), "description": description}, component_name=component_name
    )


def _choice_field(component: str, choices: list[tuple[str, str]], description: str) -> type:
    @_enum(component, [value for value, _ in choices], description)
    class Field(serializers.ChoiceField):
        def __init__(self, **kwargs):
            super().__init__(choices=choices, **kwargs)

    Field.__name__ = f"{component}Field"
    return Field


OrderStateField = _choice_field("RevenueOrderState", Order.State.choices, "Where an order stands.")
PaymentStateField = _choice_field("RevenuePaymentState", Payment.State.choices, "A payment attempt's state.")
RefundStateField = _choice_field("RevenueRefundState", Refund.State.choices, "A refund's state.")
DisputeStateField = _choice_field("RevenueDisputeState", Dispute.State.choices, "A dispute's state.")
PayoutStateField = _choice_field("RevenuePayoutState", Payout.State.choices, "A payout's state.")
TierField = _choice_field("RevenueTier", Tier.choices, "A seller tier.")
SellerKindField = _choice_field("RevenueSellerKind", Seller.Kind.choices, "Who the seller is.")
AccountKindField = _choice_field("RevenueAccountKind", AccountKind.choices, "A ledger account's kind.")
EntryKindField = _choice_field("RevenueEntryKind", JournalEntry.Kind.choices, "A journal entry's kind.")


class RevenueErrorSerializer(serializers.Serializer):
    """The project's error body (see novacron.core.api.errors)."""

    class _Detail(serializers.Serializer):
        code = serializers.CharField(help_text="Stable, machine-readable, e.g. not_a_seller.")
        message = serializers.CharField()
        fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))

        class Meta:
            ref_name = "RevenueErrorDetail"

    error = _Detail()
    request_id = serializers.CharField()

    class Meta:
        ref_name = "RevenueError"


class SellerRefSerializer(serializers.Serializer):
    public_id = serializers.UUIDField()
    display_name = serializers.CharField()
    kind = SellerKindField()
    tier = TierField()

    class Meta:
        ref_name = "RevenueSellerRef"


# --- balances ------------------------------------------------------------------------------------------------


class BalanceSerializer(serializers.Serializer):
    currency = serializers.CharField(help_text="ISO 4217.")
    pending = serializers.IntegerField(help_text="In escrow (minor units).")
    available = serializers.IntegerField(help_text="Available for payout.")
    reserve = serializers.IntegerField()
    receivable = serializers.IntegerField(help_text="Owed to the platform (netted off later payouts).")
    in_transit = serializers.IntegerField(help_text="Payouts on their way.")
    paid_to_date = serializers.IntegerField(help_text="Sum of paid payouts.")
    net = serializers.IntegerField(help_text="pending + available + reserve + in_transit − receivable.")

    class Meta:
        ref_name = "RevenueBalance"


class SellerBalancesSerializer(serializers.Serializer):
    seller = SellerRefSerializer()
    balances = BalanceSerializer(many=True)

    class Meta:
        ref_name = "RevenueSellerBalances"


class BalancesResponseSerializer(serializers.Serializer):
    sellers = SellerBalancesSerializer(
        many=True, help_text="Yours and your organisations' (owner, admin, billing)."
    )

    class Meta:
        ref_name = "RevenueBalances"


# --- statement -----------------------------------------------------------------------------------------------


class StatementQuerySerializer(serializers.Serializer):
    seller = serializers.UUIDField(required=False, help_text="Seller public id; default: your own.")
    from_ = serializers.DateField(
        required=False, help_text="First day (your time zone); default 90 days ago."
    )
    to = serializers.DateField(required=False, help_text="Last day, inclusive; default today.")
    currency = serializers.CharField(required=False, min_length=3, max_length=3)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields

    def validate_currency(self, value: str) -> str:
        return value.upper()

    def validate(self, attrs):
        start, end = attrs.get("from"), attrs.get("to")
        if start and end and end < start:
            raise serializers.ValidationError({"to": ["The end date is before the start date."]})
        if start and end and (end - start).days > 366 * 3:
            raise serializers.ValidationError({"to": ["Ask for at most three years at a time."]})
        return attrs


class StatementRowSerializer(serializers.Serializer):
    effective_at = serializers.DateTimeField()
    entry_id = serializers.UUIDField()
    kind = EntryKindField()
    description = serializers.CharField()
    reference_type = serializers.CharField()
    reference_id = serializers.CharField()
    currency = serializers.CharField()
    amount = serializers.IntegerField(help_text="Change of your net position (minor units).")
    running_balance = serializers.IntegerField(help_text="Net position after this entry.")
    changes = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Change per balance (pending, available, reserve, receivable, in_transit).",
    )

    class Meta:
        ref_name = "RevenueStatementRow"


class StatementSerializer(serializers.Serializer):
    seller = SellerRefSerializer()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField(help_text="Exclusive.")
    currency = serializers.CharField(allow_null=True)
    opening = serializers.DictField(child=serializers.IntegerField(), help_text="Net position per currency.")
    closing = serializers.DictField(child=serializers.IntegerField())
    rows = StatementRowSerializer(many=True)

    class Meta:
        ref_name = "RevenueStatement"


# --- tier ----------------------------------------------------------------------------------------------------


class TierQuerySerializer(serializers.Serializer):
    seller = serializers.UUIDField(required=False, help_text="Seller public id; default: your own.")


class TierProgressSerializer(serializers.Serializer):
    seller = SellerRefSerializer()
    tier = TierField()
    developer_rate = serializers.DecimalField(max_digits=6, decimal_places=4)
    trailing_revenue_usd = serializers.IntegerField(help_text="Trailing-12-month net revenue, US cents.")
    next_tier = TierField(allow_null=True)
    next_threshold_usd = serializers.IntegerField(allow_null=True, help_text="US cents.")
    distance_usd = serializers.IntegerField(allow_null=True, help_text="US cents still to earn.")
    progress_percent = serializers.IntegerField(min_value=0, max_value=100)
    benefits = serializers.DictField()
    next_benefits = serializers.DictField(allow_null=True)
    currencies_without_rate = serializers.ListField(child=serializers.CharField())

    class Meta:
        ref_name = "RevenueTierProgress"


# --- payouts -------------------------------------------------------------------------------------------------


class PayoutSerializer(serializers.Serializer):
    public_id = serializers.UUIDField()
    seller = serializers.UUIDField(source="seller.public_id")
    currency = serializers.CharField()
    amount = serializers.IntegerField()
    state = PayoutStateField()
    method = serializers.CharField(source="payout_account.method")
    scheduled_for = serializers.DateField(allow_null=True, help_text="The payout run (day) that created it.")
    created_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField(allow_null=True)
    failure_message = serializers.CharField()

    class Meta:
        ref_name = "RevenuePayout"


# --- orders --------------------------------------------------------------------------------------------------


class PurchaseLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    seller = serializers.CharField(source="seller.display_name")
    item_type = serializers.CharField()
    item_id = serializers.CharField()
    description = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_amount = serializers.IntegerField()
    net_amount = serializers.IntegerField()
    tax_amount = serializers.IntegerField()
    tax_rate = serializers.DecimalField(max_digits=7, decimal_places=4)
    tax_jurisdiction = serializers.CharField()

    class Meta:
        ref_name = "RevenuePurchaseLine"


class PurchaseRefundSerializer(serializers.Serializer):
    public_id = serializers.UUIDField()
    amount = serializers.IntegerField()
    currency = serializers.CharField()
    state = RefundStateField()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "RevenuePurchaseRefund"


class PurchasePaymentSerializer(serializers.Serializer):
    public_id = serializers.UUIDField()
    gateway = serializers.CharField()
    state = PaymentStateField()
    amount = serializers.IntegerField()
    currency = serializers.CharField()
    captured_at = serializers.DateTimeField(allow_null=True)
    failure_message = serializers.CharField()
    next_action = serializers.DictField(help_text="What the buyer must do next (3-D Secure, bank transfer).")
    refunds = PurchaseRefundSerializer(many=True)

    class Meta:
        ref_name = "RevenuePurchasePayment"


class PurchaseSerializer(serializers.Serializer):
    public_id = serializers.UUIDField()
    state = OrderStateField()
    currency = serializers.CharField()
    subtotal = serializers.IntegerField(help_text="Net, ex-tax.")
    tax_total = serializers.IntegerField()
    total = serializers.IntegerField()
    refunded_total = serializers.IntegerField()
    gateway = serializers.CharField()
    organization = serializers.UUIDField(source="organization.public_id", allow_null=True, default=None)
    created_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField(allow_null=True)
    lines = PurchaseLineSerializer(many=True, source="lines.all")
    payments = PurchasePaymentSerializer(many=True, source="payments.all")

    class Meta:
        ref_name = "RevenuePurchase"


# --- ledger (finance) ----------------------------------------------------------------------------------------


class LedgerAccountQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AccountKind.choices, required=False)
    currency = serializers.CharField(required=False, min_length=3, max_length=3)
    owner = serializers.CharField(
        required=False, help_text="\"platform\", a seller's public id, or part of a seller's name."
    )
    nonzero = serializers.BooleanField(required=False, default=False, help_text="Only non-zero balances.")


class LedgerAccountSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = AccountKindField()
    currency = serializers.CharField()
    owner_key = serializers.CharField()
    seller = SellerRefSerializer(allow_null=True)
    gateway = serializers.CharField()
    jurisdiction = serializers.CharField()
    balance = serializers.IntegerField(
        source="current_balance", help_text="In the account's normal direction (minor units)."
    )
    debit_normal = serializers.BooleanField(source="is_debit_normal")
    posting_count = serializers.IntegerField()

    class Meta:
        ref_name = "RevenueLedgerAccount"


class LedgerPostingSerializer(serializers.Serializer):
    account = serializers.IntegerField(source="account_id")
    account_kind = AccountKindField(source="account.kind")
    owner_key = serializers.CharField(source="account.owner_key")
    amount = serializers.IntegerField(help_text="Debit positive, credit negative (minor units).")
    currency = serializers.CharField()

    class Meta:
        ref_name = "RevenueLedgerPosting"


class LedgerEntrySerializer(serializers.Serializer):
    public_id = serializers.UUIDField()
    kind = EntryKindField()
    description = serializers.CharField()
    reference_type = serializers.CharField()
    reference_id = serializers.CharField()
    effective_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()
    metadata = serializers.DictField()
    reverses = serializers.UUIDField(source="reverses.public_id", allow_null=True, default=None)
    reversed_by = serializers.SerializerMethodField()
    postings = LedgerPostingSerializer(many=True, source="postings.all")

    class Meta:
        ref_name = "RevenueLedgerEntry"

    def get_reversed_by(self, entry) -> list[str]:
        return [str(r.public_id) for r in entry.reversals.all()]

"""Exchange rates under /api/v1/revenue/fx-rates/."""

from rest_framework import serializers

from novacron.core.money import CurrencyError, validate_currency
from revenue.models import ExchangeRate


def _currency(value: str) -> str:
    try:
        return validate_currency(value)
    except CurrencyError as exc:
        raise serializers.ValidationError(str(exc)) from exc


class CurrencyField(serializers.CharField):
    """An ISO 4217 code the platform supports, upper-cased."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_length", 3)
        kwargs.setdefault("max_length", 3)
        super().__init__(**kwargs)
        self.validators.append(_currency)

    def to_internal_value(self, data):
        return super().to_internal_value(data).upper()


class FxRateOutput(serializers.ModelSerializer):
    rate = serializers.DecimalField(max_digits=20, decimal_places=10, coerce_to_string=True)
    entered_by = serializers.EmailField(source="entered_by.email", default=None, read_only=True)

    class Meta:
        model = ExchangeRate
        fields = ["base", "quote", "rate", "as_of", "source", "entered_by", "recorded_at"]


class FxRateQuery(serializers.Serializer):
    base = serializers.CharField(required=False, min_length=3, max_length=3)
    quote = serializers.CharField(required=False, min_length=3, max_length=3)
    currency = serializers.CharField(
        required=False, min_length=3, max_length=3, help_text="Rates with this currency on either side."
    )
    source = serializers.CharField(required=False, max_length=40)


class FxRateInput(serializers.Serializer):
    base = serializers.CharField(min_length=3, max_length=3, help_text="ISO 4217 code: 1 base = rate quote.")
    quote = serializers.CharField(min_length=3, max_length=3)
    rate = serializers.DecimalField(
        max_digits=20, decimal_places=10, help_text='A decimal string, e.g. "1.0850".'
    )
    as_of = serializers.DateField(
        required=False, default=None, help_text="Valid from this day (default today)."
    )


class FxLookupQuery(serializers.Serializer):
    base = CurrencyField()
    quote = CurrencyField()
    on = serializers.DateField(required=False, default=None, help_text="Default today (UTC).")


class FxLookupOutput(serializers.Serializer):
    base = serializers.CharField()
    quote = serializers.CharField()
    rate = serializers.CharField(help_text="Decimal string")
    as_of = serializers.DateField(allow_null=True)
    source = serializers.CharField()
    inverted = serializers.BooleanField()
    via = serializers.CharField(required=False, help_text="Pivot currency of a cross rate")
    legs = serializers.ListField(child=serializers.DictField(), required=False)

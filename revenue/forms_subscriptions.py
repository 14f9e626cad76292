"""Portal forms of subscriptions: subscribe, change plan or seats, payment method, cancel, metrics window."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from revenue.models import Plan, Subscription

CARD_HELP = _(
    "Test cards: 4242 4242 4242 4242 succeeds · 4000 0000 0000 0341 is stored but its charges fail (to see "
    "dunning) · 4000 0000 0000 0002 is declined."
)


class PlanChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Plan) -> str:
        from novacron.core.money import Money

        trial = f", {obj.trial_days}-day trial" if obj.trial_days else ""
        return f"{obj.name} — {Money(obj.unit_amount, obj.currency)} per seat, {obj.get_interval_display().lower()}{trial}"


class SubscribeForm(forms.Form):
    plan = PlanChoiceField(queryset=Plan.objects.none(), empty_label=None)
    seats = forms.IntegerField(min_value=1, max_value=100_000, initial=1)
    organization = forms.ChoiceField(required=False, label=_("Subscribe for"))
    card_number = forms.CharField(max_length=40, label=_("Card"), help_text=CARD_HELP)
    billing_country = forms.CharField(max_length=2, required=False, help_text=_("Two letters, e.g. DE"))

    def __init__(self, *args: Any, plans: Any, organizations: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans
        self.fields["organization"].choices = [("", _("Myself")), *organizations]


class ChangeForm(forms.Form):
    plan = PlanChoiceField(queryset=Plan.objects.none(), empty_label=None)
    seats = forms.IntegerField(min_value=1, max_value=100_000)

    def __init__(self, *args: Any, subscription: Subscription, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"plan": subscription.plan_id, "seats": subscription.seats})
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = Plan.objects.filter(
            seller_id=subscription.plan.seller_id, currency=subscription.plan.currency, is_active=True
        ).order_by("name", "interval")


class PaymentMethodForm(forms.Form):
    card_number = forms.CharField(max_length=40, label=_("New card"), help_text=CARD_HELP)


class CancelForm(forms.Form):
    WHEN = [
        ("period_end", _("At the end of the current period (keep access until then)")),
        ("now", _("Now (the unused part of the period is refunded)")),
    ]
    when = forms.ChoiceField(choices=WHEN, widget=forms.RadioSelect, initial="period_end")
    reason = forms.CharField(max_length=200, required=False, label=_("Why are you leaving? (optional)"))
    accept_offer = forms.ChoiceField(
        choices=[("", ""), ("discount", "discount"), ("pause", "pause")],
        required=False,
        widget=forms.HiddenInput,
    )


class MetricsForm(forms.Form):
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text=_("Exclusive")
    )

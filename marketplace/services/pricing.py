"""Plans and their prices.

Rules (docs/marketplace/publisher-guide.md#pricing):
- Once an app has been published, a plan's price may change at most once every 30 days.
- Customers who held the plan before a change keep the old price for 90 days after the change (if the new
  price is lower they get the lower one). That is a read: marketplace.selectors.pricing applies it for the app
  page, the API and the checkout resolver.
"""

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from marketplace.exceptions import Conflict, ValidationError
from marketplace.models import App, Plan, PriceChange
from marketplace.services.facets import app_refresh_facet_bits
from marketplace.services.permissions import require_app_owner
from marketplace.services.subscriptions import revenue_plan_sync
from novacron.core.money import CurrencyError, validate_currency
from novacron.core.services.audit import audit_record

PRICE_CHANGE_INTERVAL = timedelta(days=30)
MAX_TRIAL_DAYS = 90
M = Plan.Model


def _validate(values: dict[str, Any]) -> dict[str, Any]:
    model = values.get("model")
    if model not in M.values:
        raise ValidationError("Choose a pricing model.", field="model")
    try:
        values["currency"] = validate_currency(values.get("currency") or "USD")
    except CurrencyError as exc:
        raise ValidationError(str(exc), field="currency") from exc
    for field in ("amount", "unit_amount", "monthly_cap", "trial_days"):
        value = values.get(field) or 0
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValidationError("Enter a whole, non-negative number (minor units).", field=field)
        values[field] = value
    interval = values.get("interval") or ""
    if model in (M.SUBSCRIPTION, M.PER_SEAT):
        if interval not in (Plan.Interval.MONTH, Plan.Interval.YEAR):
            raise ValidationError("Choose monthly or annual billing.", field="interval")
    else:
        interval = ""
    values["interval"] = interval
    if model == M.FREE:
        if values["amount"] or values["trial_days"]:
            raise ValidationError("A free plan has no price and no trial.", field="amount")
    elif model == M.USAGE:
        if values["unit_amount"] <= 0:
            raise ValidationError("Set the price per unit.", field="unit_amount")
        if values["monthly_cap"] <= 0:
            raise ValidationError(
                "Set the monthly cap (the most a customer pays in a month).", field="monthly_cap"
            )
        values["amount"] = 0
    elif values["amount"] <= 0:
        raise ValidationError("Set a price above zero, or use the free model.", field="amount")
    if values["trial_days"] > MAX_TRIAL_DAYS:
        raise ValidationError(f"Trials last at most {MAX_TRIAL_DAYS} days.", field="trial_days")
    if not str(values.get("name") or "").strip():
        raise ValidationError("Name the plan (e.g. Team, Enterprise).", field="name")
    return values


def plan_create(*, app: App, user: Any, **values: Any) -> Plan:
    require_app_owner(user, app)
    allowed = {"name", "model", "interval", "amount", "unit_amount", "monthly_cap", "currency", "trial_days"}
    unknown = set(values) - allowed
    if unknown:
        raise ValidationError(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    values = _validate(values)
    with transaction.atomic():
        App.objects.select_for_update().get(pk=app.pk)
        plan = Plan.objects.create(app=app, position=app.plans.count(), **values)
        app_refresh_facet_bits(app.pk)
        audit_record(actor=user, action="marketplace.plan.create", obj=plan, after=values)
    return plan


def _next_change_allowed(plan: Plan) -> datetime | None:
    """When the price may change again (None: now). The rule starts once the app has been published."""
    published_at = plan.app.published_at
    if published_at is None:
        return None
    last = plan.price_changes.filter(changed_at__gte=published_at).first()
    return last.changed_at + PRICE_CHANGE_INTERVAL if last else None


def plan_change_price(
    *, plan: Plan, user: Any, amount: int, unit_amount: int | None = None, now: Any = None
) -> Plan:
    """Change the price (per unit for usage plans). Refused within 30 days of the previous change."""
    require_app_owner(user, plan.app)
    now = now or timezone.now()
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise ValidationError("Enter a whole, non-negative number (minor units).", field="amount")
    with transaction.atomic():
        plan = Plan.objects.select_for_update().select_related("app").get(pk=plan.pk)
        field = "unit_amount" if plan.model == M.USAGE else "amount"
        new = unit_amount if plan.model == M.USAGE and unit_amount is not None else amount
        if plan.model == M.FREE:
            raise ValidationError("A free plan has no price; add a paid plan instead.", field="amount")
        if new <= 0:
            raise ValidationError("Set a price above zero.", field="amount")
        old = getattr(plan, field)
        if new == old:
            raise ValidationError("That is the current price.", field="amount")
        allowed_at = _next_change_allowed(plan)
        if allowed_at is not None and now < allowed_at:
            raise Conflict(
                f"A price may change at most once every 30 days; the next change is possible on "
                f"{allowed_at:%Y-%m-%d}.",
                field="amount",
                code="price_change_too_soon",
            )
        PriceChange.objects.create(plan=plan, old_amount=old, new_amount=new, changed_at=now, changed_by=user)
        setattr(plan, field, new)
        plan.save(update_fields=[field, "updated_at"])
        revenue_plan_sync(
            plan, create=False
        )  # subscribers renew at the new price (kept 90 days after a rise)
        audit_record(
            actor=user,
            action="marketplace.plan.change_price",
            obj=plan,
            before={field: old},
            after={field: new},
        )
    return plan

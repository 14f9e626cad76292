"""Plans: a recurring price per seat (monthly or annual, optional trial) of one seller, keyed "<app>.plan:<id>"."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from novacron.core.exceptions import PermissionDenied
from novacron.core.money import SUPPORTED_CURRENCIES
from novacron.core.services.audit import audit_record
from revenue.exceptions import InvalidState, ValidationError
from revenue.models import Plan, Seller
from revenue.services.subscriptions_common import LIVE_STATES

PLAN_FIELDS = (
    "name",
    "description",
    "interval",
    "unit_amount",
    "currency",
    "trial_days",
    "max_seats",
    "is_active",
)


def plan_upsert(
    *,
    key: str,
    seller: Seller,
    values: dict[str, Any],
    actor: Any = None,
    keep_price_days: int = 0,
    create_only: bool = False,
) -> Plan:
    """Create or update the plan called `key` ("<app>.plan:<id>"). Price changes apply from each subscriber's
    next renewal; with `keep_price_days`, a rise spares current subscribers for that many days (periods starting
    before then keep the old price; one already keeping an earlier price keeps that). A plan with subscribers
    keeps its currency and interval. `create_only` (the API's create) refuses a key that exists already,
    checked under the same lock as the write."""
    if isinstance(keep_price_days, bool) or not isinstance(keep_price_days, int) or keep_price_days < 0:
        raise ValidationError("Enter a whole number of days, 0 or more.", field="keep_price_days")
    key = (key or "").strip()
    if not key or len(key) > 100 or ":" not in key:
        raise ValidationError('A plan key looks like "<app>.plan:<id>".', field="key")
    unknown = set(values) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown plan fields: {', '.join(sorted(unknown))}.", field="values")
    clean = dict(values)
    if "currency" in clean:
        clean["currency"] = str(clean["currency"]).strip().upper()
        if clean["currency"] not in SUPPORTED_CURRENCIES:
            raise ValidationError(f'"{values["currency"]}" is not a supported currency.', field="currency")
    if "interval" in clean and clean["interval"] not in Plan.Interval.values:
        raise ValidationError("The interval is month or year.", field="interval")
    for name in ("unit_amount", "trial_days", "max_seats"):
        value = clean.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise ValidationError("Enter a whole number, 0 or more.", field=name)
    if clean.get("max_seats") == 0:
        raise ValidationError("A plan allows at least one seat.", field="max_seats")
    if "name" in clean and not str(clean["name"]).strip():
        raise ValidationError("Give the plan a name.", field="name")
    with transaction.atomic():
        plan = Plan.objects.select_for_update().filter(key=key).first()
        before = None
        if plan is None:
            missing = {"name", "unit_amount", "currency"} - set(clean)
            if missing:
                raise ValidationError(
                    f"A new plan needs {', '.join(sorted(missing))}.", field=sorted(missing)[0]
                )
            plan = Plan(key=key, seller=seller)
        elif create_only:
            raise ValidationError("A plan with this slug exists already.", field="slug")
        else:
            if plan.seller_id != seller.pk:
                raise PermissionDenied("This plan belongs to another seller.", field="key")
            before = {f: getattr(plan, f) for f in PLAN_FIELDS}
            used = plan.subscriptions.exists()
            for frozen in ("currency", "interval"):
                if used and frozen in clean and clean[frozen] != getattr(plan, frozen):
                    raise InvalidState(
                        f"The {frozen} of a plan with subscribers cannot change.", field=frozen
                    )
        for name, value in clean.items():
            setattr(plan, name, value)
        if before is None:
            _create(plan, create_only=create_only)
        else:
            plan.save()
        if before and keep_price_days and plan.unit_amount > before["unit_amount"]:
            now = timezone.now()
            plan.subscriptions.filter(state__in=LIVE_STATES).filter(
                Q(kept_until__isnull=True) | Q(kept_until__lte=now)
            ).update(
                kept_unit_amount=before["unit_amount"],
                kept_until=now + timedelta(days=keep_price_days),
                updated_at=now,
            )
        audit_record(
            actor=actor,
            action="revenue.plan.update" if before else "revenue.plan.create",
            obj=plan,
            before=before,
            after={f: getattr(plan, f) for f in PLAN_FIELDS},
        )
    return plan


def _create(plan: Plan, *, create_only: bool) -> None:
    # No row to lock yet: a concurrent create of the same key loses on the unique key, refused like the check.
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:
        if create_only and Plan.objects.filter(key=plan.key).exists():
            raise ValidationError("A plan with this slug exists already.", field="slug") from None
        raise

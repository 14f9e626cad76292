"""Subscriptions in the Django admin (imported by revenue/admin.py). Read-mostly: plans, subscriptions, charges,
dunning attempts and retention offers are records; what staff may do is offered as actions that call the services
(so the audit row, the checkout and the listeners run as they do for buyers)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from novacron.core.money import Money
from revenue.admin import FinanceActionsMixin, ReadOnlyAdminMixin, ReadOnlyInline, _run_each
from revenue.models import DunningAttempt, Plan, RetentionOffer, Subscription, SubscriptionCharge
from revenue.services.dunning import charge_retry_now, dunning_run
from revenue.services.subscriptions import plan_upsert, subscription_cancel
from revenue.services.subscriptions_billing import subscription_renew


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "key", "seller", "interval", "price", "trial_days", "is_active"]
    list_filter = ["interval", "is_active", "currency"]
    search_fields = ["name", "key", "seller__display_name"]
    actions = ["deactivate", "activate"]

    @admin.display(description="Price per seat")
    def price(self, obj: Plan) -> str:
        return str(Money(obj.unit_amount, obj.currency))

    def _set_active(self, request: HttpRequest, queryset: QuerySet, active: bool) -> None:
        _run_each(
            self,
            request,
            queryset,
            lambda plan: plan_upsert(
                key=plan.key, seller=plan.seller, values={"is_active": active}, actor=request.user
            ),
            "updated",
        )

    @admin.action(description="Stop offering the selected plans (subscribers keep them)")
    def deactivate(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_active(request, queryset, False)

    @admin.action(description="Offer the selected plans again")
    def activate(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_active(request, queryset, True)


class ChargeInline(ReadOnlyInline):
    model = SubscriptionCharge
    fields = ["description", "kind", "state", "amount", "currency", "attempts", "next_retry_at", "recovered"]


class RetentionOfferInline(ReadOnlyInline):
    model = RetentionOffer
    fields = ["created_at", "kind", "percent_off", "periods", "outcome", "reason"]
    readonly_fields = ["created_at"]


@admin.register(Subscription)
class SubscriptionAdmin(FinanceActionsMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["public_id", "plan", "buyer", "organization", "seats", "state", "current_period_end"]
    list_filter = ["state", "end_reason", "cancel_at_period_end"]
    search_fields = ["public_id", "buyer__email", "plan__name", "plan__key"]
    list_select_related = ["plan", "buyer", "organization"]
    inlines = [ChargeInline, RetentionOfferInline]
    actions = ["renew_due", "retry_overdue", "cancel_at_period_end", "run_dunning_now"]

    @admin.action(description="Renew now if the period has ended")
    def renew_due(self, request: HttpRequest, queryset: QuerySet) -> None:
        _run_each(
            self, request, queryset, lambda s: subscription_renew(subscription=s), "checked for renewal"
        )

    @admin.action(description="Retry the overdue payment now (past due)")
    def retry_overdue(self, request: HttpRequest, queryset: QuerySet) -> None:
        _run_each(
            self, request, queryset, lambda s: charge_retry_now(subscription=s, actor=request.user), "retried"
        )

    @admin.action(description="Cancel at the period end")
    def cancel_at_period_end(self, request: HttpRequest, queryset: QuerySet) -> None:
        _run_each(
            self,
            request,
            queryset,
            lambda s: subscription_cancel(subscription=s, actor=request.user, reason="staff"),
            "scheduled to cancel",
        )

    @admin.action(description="Run the dunning job now (all subscriptions)")
    def run_dunning_now(self, request: HttpRequest, queryset: QuerySet) -> None:
        result = dunning_run()
        self.message_user(request, f"Dunning: {result}")


class DunningAttemptInline(ReadOnlyInline):
    model = DunningAttempt
    fields = ["number", "attempted_at", "outcome", "failure_code", "order", "reminder_sent_at"]


@admin.register(SubscriptionCharge)
class SubscriptionChargeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "description",
        "kind",
        "state",
        "amount_display",
        "attempts",
        "next_retry_at",
        "recovered",
    ]
    list_filter = ["state", "kind", "recovered"]
    search_fields = ["public_id", "key", "subscription__public_id", "subscription__buyer__email"]
    list_select_related = ["subscription"]
    inlines = [DunningAttemptInline]

    @admin.display(description="Amount (net)")
    def amount_display(self, obj: SubscriptionCharge) -> str:
        return str(Money(obj.amount, obj.currency))


@admin.register(DunningAttempt)
class DunningAttemptAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["charge", "number", "attempted_at", "outcome", "failure_code", "reminder_sent_at"]
    list_filter = ["outcome", "failure_code"]
    list_select_related = ["charge"]


@admin.register(RetentionOffer)
class RetentionOfferAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["subscription", "kind", "percent_off", "periods", "outcome", "created_at"]
    list_filter = ["kind", "outcome"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("subscription__plan")

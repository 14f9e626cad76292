"""Revenue staff tools in the Django admin.

The ledger (accounts, journal entries, postings) is read-only for everyone, superusers included: balances only
change through `revenue.services.ledger.entry_post`. Orders, payments, refunds, disputes, payouts, payout
accounts and gateway events are read-only records too; what staff may do to them is offered as admin actions,
each calling the service that owns the change (so the ledger entry and the audit row are written with it).
Exchange rates, products and seller settings are editable.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from novacron.core.exceptions import DomainError
from novacron.core.money import CurrencyError, Money, validate_currency
from revenue.models import (
    Account,
    Dispute,
    ExchangeRate,
    GatewayEvent,
    JournalEntry,
    Order,
    OrderLine,
    Payment,
    Payout,
    PayoutAccount,
    Posting,
    Product,
    Refund,
    Seller,
    SellerTierChange,
)
from revenue.services.disputes import dispute_close, dispute_submit_evidence
from revenue.services.escrow import escrow_release_due
from revenue.services.payouts import payout_mark_failed, payout_mark_paid, payouts_create_due
from revenue.services.refunds import refund_manual_settle
from revenue.services.tiers import tiers_recompute
from revenue.volume_pricing import (
    VolumeTierError,
    volume_tiers_clean,
    volume_tiers_format,
    volume_tiers_parse,
)


def _money(amount: int | None, currency: str) -> str:
    if amount is None:
        return "—"
    try:
        return Money(amount, currency).format()
    except (TypeError, ValueError):
        return f"{amount} {currency}"


class ReadOnlyAdminMixin:
    """No add, change or delete — for anyone, superusers included. Viewing follows the view permission."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True


def _run_each(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet, call: Any, done: str
) -> None:
    """Call a service per selected object; report successes and domain errors (each call is atomic)."""
    ok = 0
    for obj in queryset:
        try:
            call(obj)
        except DomainError as exc:
            modeladmin.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
        else:
            ok += 1
    if ok:
        modeladmin.message_user(request, f"{done}: {ok}.", messages.SUCCESS)


class FinanceActionsMixin:
    """Admin actions that move money need the finance permission, not only admin access."""

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)  # type: ignore[misc]
        if not request.user.has_perm("accounts.manage_finance"):
            return {}
        return actions


# --- ledger (read-only) --------------------------------------------------------------------------------------


@admin.register(Account)
class AccountAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "kind",
        "currency",
        "owner_key",
        "seller",
        "gateway",
        "jurisdiction",
        "balance_display",
    )
    list_filter = ("kind", "currency", "gateway")
    search_fields = ("owner_key", "seller__display_name", "jurisdiction")
    list_select_related = ("seller",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Account]:
        return super().get_queryset(request).with_balance()

    @admin.display(description="Balance (normal direction)", ordering="current_balance")
    def balance_display(self, obj: Account) -> str:
        return _money(obj.current_balance, obj.currency)


class PostingInline(ReadOnlyInline):
    model = Posting
    fields = ("account", "amount", "currency")
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Posting]:
        return super().get_queryset(request).select_related("account", "account__seller")


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("effective_at", "kind", "description", "reference_type", "reference_id", "public_id")
    list_filter = ("kind",)
    search_fields = ("public_id", "reference_id", "description", "idempotency_key")
    date_hierarchy = "effective_at"
    inlines = [PostingInline]
    readonly_fields = (
        "public_id",
        "kind",
        "description",
        "reference_type",
        "reference_id",
        "idempotency_key",
        "reverses",
        "metadata",
        "effective_at",
        "created_at",
        "created_by",
    )


@admin.register(Posting)
class PostingAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "entry", "account", "amount", "currency")
    list_filter = ("currency", "account__kind")
    search_fields = ("entry__public_id", "entry__reference_id")
    list_select_related = ("entry", "account", "account__seller")


# --- orders, payments, refunds, disputes ---------------------------------------------------------------------


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    show_change_link = False
    fields = (
        "seller",
        "item_type",
        "item_id",
        "description",
        "quantity",
        "unit_amount",
        "net_amount",
        "tax_amount",
        "tax_jurisdiction",
        "seller_amount",
        "platform_amount",
        "share_rate",
        "tier",
        "refunded_seller",
        "refunded_platform",
        "refunded_tax",
        "clawed_seller",
        "released_amount",
        "released_at",
    )
    readonly_fields = fields


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = (
        "public_id",
        "gateway",
        "gateway_reference",
        "state",
        "amount",
        "fee_amount",
        "refunded_amount",
        "disputed_amount",
        "captured_at",
        "failure_message",
    )
    readonly_fields = fields


@admin.action(description="Release escrow now (every sale past its hold, not only the selection)")
def release_escrow_now(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    """Release every sale whose hold has passed (the same as the daily beat task; not only the selection)."""
    released = escrow_release_due()
    modeladmin.message_user(request, f"Escrow released for {released} order line(s).", messages.SUCCESS)


@admin.register(Order)
class OrderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("public_id", "created_at", "buyer", "organization", "state", "total_display", "refunded")
    list_filter = ("state", "gateway", "currency")
    search_fields = ("public_id", "buyer__email", "organization__name")
    date_hierarchy = "created_at"
    list_select_related = ("buyer", "organization")
    inlines = [OrderLineInline, PaymentInline]
    actions = [release_escrow_now]
    readonly_fields = (
        "public_id",
        "buyer",
        "organization",
        "state",
        "gateway",
        "currency",
        "subtotal",
        "tax_total",
        "total",
        "total_display",
        "refunded_total",
        "refunds",
        "tax_evidence",
        "paid_at",
        "created_at",
        "updated_at",
    )

    @admin.display(description="Total", ordering="total")
    def total_display(self, obj: Order) -> str:
        return _money(obj.total, obj.currency)

    @admin.display(description="Refunded", ordering="refunded_total")
    def refunded(self, obj: Order) -> str:
        return _money(obj.refunded_total, obj.currency) if obj.refunded_total else "—"

    @admin.display(description="Refunds")
    def refunds(self, obj: Order) -> str:
        rows = Refund.objects.filter(payment__order=obj).order_by("created_at")
        if not rows:
            return "—"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} · {} · {} · {}</li>",
                (
                    (r.created_at.strftime("%Y-%m-%d %H:%M"), _money(r.amount, r.currency), r.state, r.reason)
                    for r in rows
                ),
            ),
        )

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        if not request.user.has_perm("accounts.manage_finance"):
            actions.pop("release_escrow_now", None)
        return actions


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = (
        "public_id",
        "created_at",
        "amount",
        "currency",
        "state",
        "reason",
        "gateway_reference",
        "entry",
    )
    readonly_fields = fields


class DisputeInline(ReadOnlyInline):
    model = Dispute
    fields = ("public_id", "state", "amount", "currency", "reason", "evidence_due_by", "closed_at")
    readonly_fields = fields


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "public_id",
        "created_at",
        "order",
        "gateway",
        "state",
        "amount_display",
        "refunded_amount",
    )
    list_filter = ("state", "gateway")
    search_fields = ("public_id", "gateway_reference", "order__public_id")
    list_select_related = ("order",)
    inlines = [RefundInline, DisputeInline]

    @admin.display(description="Amount", ordering="amount")
    def amount_display(self, obj: Payment) -> str:
        return _money(obj.amount, obj.currency)


@admin.action(description="Record bank refund as sent (reference: admin)")
def mark_refunds_sent(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    _run_each(
        modeladmin,
        request,
        queryset,
        lambda r: refund_manual_settle(
            refund=r, sent=True, reference=f"admin:{request.user.pk}", actor=request.user
        ),
        "Refunds recorded as sent",
    )


@admin.register(Refund)
class RefundAdmin(FinanceActionsMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("public_id", "created_at", "payment", "amount_display", "state", "reason")
    list_filter = ("state", "payment__gateway")
    actions = [mark_refunds_sent]
    search_fields = ("public_id", "payment__order__public_id", "gateway_reference")
    list_select_related = ("payment",)

    @admin.display(description="Amount", ordering="amount")
    def amount_display(self, obj: Refund) -> str:
        return _money(obj.amount, obj.currency)


@admin.action(description="Close as won (dispute reversed)")
def close_disputes_won(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    _run_each(
        modeladmin,
        request,
        queryset,
        lambda d: dispute_close(dispute=d, won=True, actor=request.user),
        "Disputes closed as won",
    )


@admin.action(description="Close as lost (platform loss, seller receivable)")
def close_disputes_lost(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    _run_each(
        modeladmin,
        request,
        queryset,
        lambda d: dispute_close(dispute=d, won=False, actor=request.user),
        "Disputes closed as lost",
    )


@admin.action(description="Submit the evidence notes to the gateway")
def submit_dispute_evidence(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    _run_each(
        modeladmin,
        request,
        queryset,
        lambda d: dispute_submit_evidence(dispute=d, actor=request.user),
        "Evidence submitted",
    )


@admin.register(Dispute)
class DisputeAdmin(FinanceActionsMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "public_id",
        "created_at",
        "state",
        "amount_display",
        "reason",
        "evidence_due_by",
        "evidence_submitted_at",
    )
    list_filter = ("state",)
    search_fields = ("public_id", "gateway_reference", "payment__order__public_id")
    actions = [submit_dispute_evidence, close_disputes_won, close_disputes_lost]

    @admin.display(description="Amount", ordering="amount")
    def amount_display(self, obj: Dispute) -> str:
        return _money(obj.amount, obj.currency)


# --- payouts -------------------------------------------------------------------------------------------------


@admin.action(description="Mark paid")
def mark_payouts_paid(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    _run_each(
        modeladmin,
        request,
        queryset,
        lambda p: payout_mark_paid(payout=p, actor=request.user),
        "Payouts marked paid",
    )


@admin.action(description="Mark failed (money back to available)")
def mark_payouts_failed(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    message = f"Marked failed in the admin by {request.user}"
    _run_each(
        modeladmin,
        request,
        queryset,
        lambda p: payout_mark_failed(payout=p, message=message, actor=request.user),
        "Payouts marked failed",
    )


@admin.action(description="Create due payouts now (all sellers)")
def create_due_payouts(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    created = payouts_create_due()
    modeladmin.message_user(request, f"{len(created)} due payout(s) created.", messages.SUCCESS)


@admin.register(Payout)
class PayoutAdmin(FinanceActionsMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "public_id",
        "created_at",
        "seller",
        "amount_display",
        "state",
        "paid_at",
        "reversed_amount",
        "failure_message",
    )
    list_filter = ("state", "currency")
    search_fields = ("public_id", "seller__display_name", "gateway_reference", "idempotency_key")
    list_select_related = ("seller",)
    actions = [mark_payouts_paid, mark_payouts_failed, create_due_payouts]

    @admin.display(description="Amount", ordering="amount")
    def amount_display(self, obj: Payout) -> str:
        return _money(obj.amount, obj.currency)


@admin.register(PayoutAccount)
class PayoutAccountAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: sellers set their payout accounts in the portal (payout_account_set audits the change)."""

    list_display = ("seller", "currency", "method", "is_active", "created_at")
    list_filter = ("method", "currency", "is_active")
    search_fields = ("seller__display_name", "stripe_account_id", "account_holder")
    list_select_related = ("seller",)


# --- sellers, tiers, rates, products, gateway events ---------------------------------------------------------


class SellerTierChangeInline(ReadOnlyInline):
    model = SellerTierChange
    fields = ("computed_at", "previous_tier", "tier", "trailing_revenue_usd", "developer_rate", "computation")
    readonly_fields = fields
    show_change_link = False


@admin.action(description="Recompute tiers now (all sellers)")
def recompute_tiers(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    changed = tiers_recompute()
    modeladmin.message_user(request, f"Tiers recomputed; {changed} seller(s) changed tier.", messages.SUCCESS)


@admin.register(Seller)
class SellerAdmin(FinanceActionsMixin, admin.ModelAdmin):
    list_display = (
        "display_name",
        "kind",
        "tier",
        "user",
        "organization",
        "payout_interval",
        "payouts_paused",
    )
    list_filter = ("kind", "tier", "payout_interval", "payouts_paused")
    search_fields = ("display_name", "user__email", "organization__name", "public_id")
    list_select_related = ("user", "organization")
    readonly_fields = ("public_id", "kind", "user", "organization", "tier", "created_at", "updated_at")
    fields = (
        "public_id",
        "kind",
        "display_name",
        "user",
        "organization",
        "tier",
        "escrow_hold_days",
        "reserve_percent",
        "reserve_days",
        "payout_interval",
        "payout_minimum_usd",
        "payouts_paused",
        "created_at",
        "updated_at",
    )
    inlines = [SellerTierChangeInline]
    actions = [recompute_tiers]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # sellers are created on first sale through the facade

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SellerTierChange)
class SellerTierChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "computed_at",
        "seller",
        "previous_tier",
        "tier",
        "trailing_revenue_usd",
        "developer_rate",
    )
    list_filter = ("tier",)
    search_fields = ("seller__display_name",)
    list_select_related = ("seller",)


@admin.register(ExchangeRate)
class ExchangeRateAdmin(FinanceActionsMixin, admin.ModelAdmin):
    """Saving goes through `rate_enter` (finance only, source manual, audited); the action fetches the day's rates
    from REVENUE_FX_PROVIDER like `manage.py fx_update`."""

    list_display = ("as_of", "base", "quote", "rate", "source", "entered_by")
    list_filter = ("base", "quote", "source")
    date_hierarchy = "as_of"
    fields = ("base", "quote", "rate", "as_of", "source", "entered_by", "recorded_at")
    readonly_fields = ("source", "entered_by", "recorded_at")
    actions = ["update_from_provider"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and request.user.has_perm("accounts.manage_finance")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and request.user.has_perm(
            "accounts.manage_finance"
        )

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)

        class Checked(form):  # type: ignore[misc, valid-type]
            def clean(self) -> dict:
                cleaned = super().clean()
                for name in ("base", "quote"):
                    if name in self.fields and cleaned.get(name):
                        try:
                            cleaned[name] = validate_currency(cleaned[name])
                        except CurrencyError as exc:
                            self.add_error(name, str(exc))
                return cleaned

        return Checked

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # A pair and day are the row's identity: correct the rate, or enter a new day.
        return (*self.readonly_fields, "base", "quote", "as_of") if obj else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: ExchangeRate, form: Any, change: bool) -> None:
        from revenue.services.fx import rate_enter

        try:
            saved = rate_enter(
                actor=request.user, base=obj.base, quote=obj.quote, rate=obj.rate, as_of=obj.as_of
            )
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        obj.pk, obj.source, obj.entered_by = saved.pk, saved.source, saved.entered_by

    @admin.action(
        description="Fetch today's rates from the configured provider (all pairs, not only the selection)"
    )
    def update_from_provider(self, request: HttpRequest, queryset: QuerySet) -> None:
        from revenue.fx_providers import ProviderError
        from revenue.services.fx import rates_update

        try:
            result = rates_update()
        except ProviderError as exc:
            self.message_user(request, f"Rates not updated: {exc}", messages.ERROR)
        else:
            self.message_user(request, result.summary(), messages.SUCCESS)


class ProductAdminForm(forms.ModelForm):
    """Volume tiers as "quantity:unit price" pairs in minor units ("10:1800, 50:1500"), checked like the API."""

    volume_tiers = forms.CharField(
        required=False,
        help_text='Volume prices, e.g. "10:1800, 50:1500": from 10 units 1800 minor units each, from 50 1500 each '
        "(every unit at the tier the quantity reaches). Empty: one price.",
    )

    class Meta:
        model = Product
        fields = ["seller", "name", "description", "unit_amount", "currency", "volume_tiers", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["volume_tiers"] = volume_tiers_format(self.instance.volume_tiers or [])

    def clean(self) -> dict:
        cleaned = super().clean()
        try:
            tiers = volume_tiers_parse(cleaned.get("volume_tiers") or "")
            cleaned["volume_tiers"] = [
                t.as_dict()
                for t in volume_tiers_clean(tiers, list_unit_amount=cleaned.get("unit_amount") or 0)
            ]
        except VolumeTierError as exc:
            self.add_error("volume_tiers", str(exc))
        return cleaned


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    form = ProductAdminForm
    list_display = ("name", "seller", "price", "has_volume_tiers", "is_active")
    list_filter = ("is_active", "currency")
    search_fields = ("name", "seller__display_name")
    list_select_related = ("seller",)
    readonly_fields = ("public_id", "created_at", "updated_at")

    @admin.display(description="Volume tiers", boolean=True)
    def has_volume_tiers(self, obj: Product) -> bool:
        return bool(obj.volume_tiers)

    @admin.display(description="Price", ordering="unit_amount")
    def price(self, obj: Product) -> str:
        return _money(obj.unit_amount, obj.currency)


@admin.register(GatewayEvent)
class GatewayEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("received_at", "gateway", "type", "event_id", "processed_at", "outcome")
    list_filter = ("gateway", "type")
    search_fields = ("event_id", "outcome")


# --- billing: tax rates, billing profiles, VAT checks, invoices and credit notes ---------------------------------

from revenue.models import BillingProfile, Invoice, InvoiceLine, TaxRate, VatNumberCheck  # noqa: E402
from revenue.services.invoices import invoice_finalise, invoice_void  # noqa: E402
from revenue.services.tax import tax_rate_set  # noqa: E402


@admin.register(TaxRate)
class TaxRateAdmin(admin.ModelAdmin):
    """Rates are history: a change is a new row from its date (added through `tax_rate_set`, audited)."""

    list_display = ("jurisdiction", "kind", "rate", "valid_from", "note")
    list_filter = ("kind", "country")
    search_fields = ("jurisdiction", "note")
    fields = ("jurisdiction", "kind", "rate", "valid_from", "note")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: TaxRate, form: Any, change: bool) -> None:
        created = tax_rate_set(
            jurisdiction=obj.jurisdiction,
            rate=obj.rate,
            valid_from=obj.valid_from,
            kind=obj.kind,
            note=obj.note,
            actor=request.user,
        )
        obj.pk = created.pk
        obj.country = created.country


@admin.register(BillingProfile)
class BillingProfileAdmin(admin.ModelAdmin):
    list_display = ("__str__", "user", "organization", "country", "region", "vat_number")
    search_fields = ("legal_name", "vat_number", "user__email", "organization__name")
    list_filter = ("country",)
    raw_id_fields = ("user", "organization")


@admin.register(VatNumberCheck)
class VatNumberCheckAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("vat_number", "state", "name", "checked_at", "attempts", "last_error")
    list_filter = ("state", "country")
    search_fields = ("vat_number", "name")


class InvoiceLineInline(ReadOnlyInline):
    model = InvoiceLine
    fields = (
        "description",
        "quantity",
        "unit_amount",
        "net_amount",
        "tax_rate",
        "tax_amount",
        "tax_jurisdiction",
    )
    show_change_link = False


@admin.register(Invoice)
class InvoiceAdmin(FinanceActionsMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "__str__",
        "kind",
        "state",
        "hold",
        "issued_at",
        "buyer",
        "total_display",
        "reverse_charge",
    )
    list_filter = ("kind", "state", "hold", "reverse_charge", "currency")
    search_fields = ("number", "buyer__email", "customer__name", "customer__vat_number")
    date_hierarchy = "created_at"
    list_select_related = ("buyer",)
    inlines = [InvoiceLineInline]
    actions = ["finalise_selected", "void_selected"]

    @admin.display(description="Total", ordering="total")
    def total_display(self, obj: Invoice) -> str:
        return _money(obj.total, obj.currency)

    @admin.action(description="Finalise selected drafts (numbers them)")
    def finalise_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        _run_each(
            self,
            request,
            queryset,
            lambda obj: invoice_finalise(invoice=obj, actor=request.user),
            "Finalised",
        )

    @admin.action(description="Void selected finalised, unpaid invoices")
    def void_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        _run_each(
            self,
            request,
            queryset,
            lambda obj: invoice_void(invoice=obj, actor=request.user, reason="Voided in the admin"),
            "Voided",
        )


from revenue.models import Coupon, CouponRedemption  # noqa: E402
from revenue.services.coupons import coupon_deactivate  # noqa: E402


class CouponRedemptionInline(ReadOnlyInline):
    model = CouponRedemption
    fields = ("created_at", "order", "buyer", "discount", "currency")
    readonly_fields = fields
    show_change_link = False


@admin.register(Coupon)
class CouponAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only here (create through the API or the finance portal, which validate and audit); end with the action."""

    list_display = ("code", "kind", "percent_off", "amount_off", "currency", "max_redemptions", "is_active")
    list_filter = ("kind", "is_active", "duration")
    search_fields = ("code", "name")
    inlines = [CouponRedemptionInline]
    actions = ["deactivate_selected"]

    @admin.action(description="End selected coupons")
    def deactivate_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        _run_each(
            self, request, queryset, lambda obj: coupon_deactivate(coupon=obj, actor=request.user), "Ended"
        )


# Admin of the subscriptions and the services marketplace live in their own modules (imported to register).
from revenue import (  # noqa: E402
    admin_partner_services,  # noqa: F401
    admin_subscriptions,  # noqa: F401
)

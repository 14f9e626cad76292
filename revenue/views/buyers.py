"""Portal pages for buyers: the area landing, purchases, receipts (3-D Secure, bank transfer) and the test
"buy" page."""

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from novacron.accounts import facade as accounts_facade
from novacron.core.exceptions import DomainError
from novacron.core.money import Money
from novacron.core.once import submit_once
from novacron.core.portal import area_page
from revenue import selectors
from revenue.forms import (
    BuyForm,
    add_domain_error,
)
from revenue.models import Order
from revenue.request_evidence import ip_country_from_request
from revenue.services.checkout import checkout_confirm, checkout_create
from revenue.services.tax import billing_profile_for
from revenue.views.common import (
    can_refund,
    can_view_order,
    is_finance,
    line_money,
    order_money,
    order_or_404,
    page_of,
    refund_rows,
    refundable_amount,
)

PRODUCT_ITEM_TYPE = "revenue.product"
BANK_FIELDS = (
    ("account_holder", "Account holder"),
    ("bank_name", "Bank"),
    ("iban", "IBAN"),
    ("bic", "BIC"),
    ("instructions", "Instructions"),
)


# --- landing -------------------------------------------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    """Anonymous visitors read the area's documentation; signed-in users get their way in."""
    if not request.user.is_authenticated:
        return area_page(request, area="revenue")
    sellers = selectors.sellers_for_user(user_id=request.user.pk)
    return render(
        request,
        "revenue/index.html",
        {
            "sellers": sellers,
            "is_finance": is_finance(request.user),
            "recent_orders": selectors.recent_orders_for_buyer(buyer_id=request.user.pk, limit=5),
        },
    )


# --- buyers --------------------------------------------------------------------------------------------------


@login_required
def purchases(request: HttpRequest) -> HttpResponse:
    page = page_of(request, selectors.orders_for_buyer(buyer_id=request.user.pk))
    rows = [
        {
            "order": order,
            "total": Money(order.total, order.currency),
            "refunded": Money(order.refunded_total, order.currency),
        }
        for order in page.object_list
    ]
    return render(request, "revenue/purchases.html", {"page": page, "rows": rows})


@login_required
def receipt(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    order = order_or_404(public_id)
    if not can_view_order(request.user, order):
        raise Http404  # do not reveal that someone else's order exists
    payment = selectors.order_latest_payment(order)
    return render(
        request,
        "revenue/receipt.html",
        {
            "order": order,
            "money": order_money(order),
            "lines": [(line, line_money(line, order.currency)) for line in order.lines.all()],
            "payments": list(order.payments.all()),
            "payment": payment,
            "refunds": refund_rows(order),
            "is_buyer": order.buyer_id == request.user.pk,
            "can_refund": refundable_amount(order) > 0 and can_refund(request.user, order),
            "bank_details": _bank_instructions(order, payment),
        },
    )


def _bank_instructions(order: Order, payment: Any) -> list[tuple[str, str]]:
    """What a buyer needs for a bank transfer: the amount, the payment reference and the bank account the
    bank-transfer gateway put in the payment's next_action."""
    if order.state != Order.State.AWAITING_TRANSFER:
        return []
    given = (payment.next_action or {}) if payment is not None else {}
    instructions = given.get("bank_transfer") if isinstance(given.get("bank_transfer"), dict) else {}
    reference = instructions.get("reference") or (payment.gateway_reference if payment is not None else "")
    details: list[tuple[str, str]] = [
        ("Amount", str(Money(order.total, order.currency))),
        ("Payment reference", reference or str(order.public_id)),
    ]
    for key, label in BANK_FIELDS:
        if instructions.get(key):
            details.append((label, str(instructions[key])))
    return details


@login_required
@require_POST
def receipt_confirm(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Complete the 3-D Secure step of a card payment (the local test gateway's stand-in for the bank page)."""
    order = order_or_404(public_id)
    if order.buyer_id != request.user.pk:
        raise Http404
    try:
        order = checkout_confirm(order=order, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if order.state == Order.State.PAID:
            messages.success(request, "Payment confirmed. Thank you!")
        else:
            messages.warning(request, f"The payment is {order.get_state_display().lower()}.")
    return redirect("revenue:receipt", public_id=order.public_id)


@login_required
def buy(request: HttpRequest) -> HttpResponse:
    products = selectors.active_products()
    organizations = [
        o
        for o in accounts_facade.organizations_for_user(request.user.pk)
        if o.role in selectors.SELLER_ORG_ROLES
    ]
    # The country defaults to the buyer's billing details (/revenue/billing/), else their account's country.
    profile = billing_profile_for(buyer_id=request.user.pk, organization_id=None)
    form = BuyForm(
        request.POST or None,
        products=products,
        organizations=organizations,
        initial={
            "billing_country": (profile.country if profile else "") or getattr(request.user, "country", "")
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        product = data["product"]
        bank = data["payment"] == BuyForm.PAYMENT_BANK

        def place_order() -> str:
            order = checkout_create(
                buyer=request.user,
                items=[(PRODUCT_ITEM_TYPE, str(product.public_id), data["quantity"])],
                currency=product.currency,
                payment_method="" if bank else data["card_number"],
                gateway="bank_transfer" if bank else None,
                organization=data["organization"],
                billing_country=data["billing_country"] or getattr(request.user, "country", ""),
                ip_country=ip_country_from_request(request),
                vat_number=data["vat_number"],
                coupon=data["coupon"],
            )
            return str(order.public_id)

        try:
            order_id, replayed = submit_once(
                user_id=request.user.pk,
                scope="revenue.buy",
                token=data["submission_token"],
                action=place_order,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            if not replayed:  # a repeated submission just shows the order the first one placed
                _announce_order(request, order_or_404(order_id))
            return redirect("revenue:receipt", public_id=order_id)
    return render(request, "revenue/buy.html", {"form": form, "has_products": products.exists()})


def _announce_order(request: HttpRequest, order: Order) -> None:
    state = order.state
    if state == Order.State.PAID:
        messages.success(request, "Payment succeeded. Your receipt is below.")
    elif state == Order.State.REQUIRES_ACTION:
        messages.warning(request, "Your bank asks you to confirm this payment (3-D Secure).")
    elif state == Order.State.AWAITING_TRANSFER:
        messages.info(request, "Order placed. Pay by bank transfer with the details below.")
    elif state == Order.State.FAILED:
        messages.error(request, "The payment was declined. Nothing was charged.")

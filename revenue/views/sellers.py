"""Portal pages for sellers: earnings (balances, tier, sales, payouts, payout accounts), the CSV statement and
refunds of their own sales."""

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from novacron.core.exceptions import DomainError
from novacron.core.money import Money
from revenue import selectors
from revenue.forms import (
    PayoutAccountForm,
    RefundForm,
    StatementForm,
    add_domain_error,
)
from revenue.models import Seller
from revenue.services.payouts import payout_account_set
from revenue.services.products import seller_can_manage
from revenue.services.refunds import refund_create
from revenue.views.common import (
    can_refund,
    can_view_order,
    line_money,
    order_money,
    order_or_404,
    refund_rows,
    refundable_amount,
)

BENEFIT_LABELS = {
    "marketing_credits_usd": lambda v: f"${v:,} in marketing credits" if v else None,
    "custom_feature_slots": lambda v: f"{v} custom feature slot{'s' if v != 1 else ''}" if v else None,
    "dedicated_manager": lambda v: "A dedicated partner manager" if v else None,
    "featured_listings": lambda v: "Featured listings in the marketplace" if v else None,
}


def benefit_lines(benefits: dict[str, Any] | None) -> list[str]:
    """Tier benefits as sentences for people (unknown keys are shown as they are)."""
    lines = []
    for key, value in (benefits or {}).items():
        label = BENEFIT_LABELS.get(key)
        text = label(value) if label else (f"{key.replace('_', ' ')}: {value}" if value else None)
        if text:
            lines.append(text)
    return lines


def _selected_seller(request: HttpRequest, sellers: list[Seller]) -> Seller | None:
    wanted = request.GET.get("seller") or request.POST.get("seller")
    if wanted:
        for seller in sellers:
            if str(seller.public_id) == wanted:
                return seller
        raise Http404
    own = [seller for seller in sellers if seller.user_id == request.user.pk]
    return (own or sellers or [None])[0]


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) in the current (the user's) timezone."""
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


@login_required
def earnings(request: HttpRequest) -> HttpResponse:
    sellers = selectors.sellers_for_user(user_id=request.user.pk)
    seller = _selected_seller(request, sellers)
    if seller is None:
        return render(request, "revenue/earnings_none.html", status=200)
    return _render_earnings(request, sellers, seller)


def _render_earnings(
    request: HttpRequest,
    sellers: list[Seller],
    seller: Seller,
    *,
    payout_form: PayoutAccountForm | None = None,
    statement_form: StatementForm | None = None,
    status: int = 200,
) -> HttpResponse:
    tier = selectors.tier_progress(seller=seller)
    now = timezone.now()
    recent = selectors.earnings_statement(seller=seller, start=now - timedelta(days=30), end=now)
    return render(
        request,
        "revenue/earnings.html",
        {
            "sellers": sellers,
            "seller": seller,
            "balances": selectors.seller_balances_for(seller=seller),
            "tier": tier,
            "benefits": benefit_lines(tier.benefits),
            "next_benefits": benefit_lines(tier.next_benefits),
            "payouts": [
                (p, Money(p.amount, p.currency)) for p in selectors.payouts_for_seller(seller=seller)[:20]
            ],
            "payout_accounts": selectors.payout_accounts_for_seller(seller=seller),
            "payout_form": payout_form or PayoutAccountForm(prefix="payout"),
            "statement_form": statement_form or StatementForm(initial=StatementForm.initial_period()),
            "recent_rows": list(reversed(recent.rows))[:20],
            "sales": [
                (
                    line,
                    Money(line.net_amount, line.order.currency),
                    Money(line.seller_amount, line.order.currency),
                )
                for line in selectors.sales_for_seller(seller=seller)
            ],
        },
        status=status,
    )


@login_required
@require_POST
def payout_account(request: HttpRequest) -> HttpResponse:
    sellers = selectors.sellers_for_user(user_id=request.user.pk)
    seller = _selected_seller(request, sellers)
    if seller is None or not seller_can_manage(seller=seller, user=request.user):
        raise PermissionDenied  # billing contacts see earnings but may not redirect payouts
    form = PayoutAccountForm(request.POST, prefix="payout")
    if form.is_valid():
        data = form.cleaned_data
        try:
            payout_account_set(seller=seller, actor=request.user, **data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Payout account for {data['currency']} saved.")
            return redirect(f"{reverse('revenue:earnings')}?seller={seller.public_id}#payout-accounts")
    return _render_earnings(request, sellers, seller, payout_form=form, status=400)


def statement_csv_response(statement: selectors.Statement, filename: str) -> StreamingHttpResponse:
    """A streamed CSV of an earnings statement (amounts in major units, times in the current timezone)."""
    response = StreamingHttpResponse(
        selectors.statement_csv_lines(statement), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def statement_csv(request: HttpRequest) -> HttpResponse:
    sellers = selectors.sellers_for_user(user_id=request.user.pk)
    seller = _selected_seller(request, sellers)
    if seller is None:
        raise PermissionDenied
    form = StatementForm(request.GET)
    if not form.is_valid():
        return _render_earnings(request, sellers, seller, statement_form=form, status=400)
    data = form.cleaned_data
    start, end = period_bounds(data["start"], data["end"])
    statement = selectors.earnings_statement(
        seller=seller, start=start, end=end, currency=data["currency"] or None
    )
    filename = f"statement-{data['start']:%Y%m%d}-{data['end']:%Y%m%d}{'-' + data['currency'] if data['currency'] else ''}.csv"
    return statement_csv_response(statement, filename)


@login_required
def order_refund(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    order = order_or_404(public_id)
    if not can_refund(request.user, order):
        raise PermissionDenied
    form = RefundForm(request.POST or None, currency=order.currency)
    refundable = refundable_amount(order)
    if request.method == "POST" and form.is_valid():
        try:
            refund = refund_create(
                order=order,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
                idempotency_key=f"portal-refund:{request.user.pk}:{form.cleaned_data['token']}",
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Refunded {Money(refund.amount, refund.currency)}.")
            if can_view_order(request.user, order):
                return redirect("revenue:receipt", public_id=order.public_id)
            return redirect("revenue:earnings")
    return render(
        request,
        "revenue/refund.html",
        {
            "order": order,
            "money": order_money(order),
            "lines": [(line, line_money(line, order.currency)) for line in order.lines.all()],
            "refunds": refund_rows(order),
            "refundable": Money(refundable, order.currency),
            "form": form,
        },
        status=400 if form.errors else 200,
    )

"""Portal pages of subscriptions: the buyer's subscriptions (subscribe, change plan or seats, payment method,
cancel with a retention offer, resume), a seller's subscribers, and finance's dunning queue with the recovery
metrics. Thin: forms parse, services act, domain errors become form errors."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from novacron.accounts import facade as accounts
from novacron.core.exceptions import DomainError
from novacron.core.money import Money
from revenue.forms import add_domain_error
from revenue.forms_subscriptions import CancelForm, ChangeForm, MetricsForm, PaymentMethodForm, SubscribeForm
from revenue.models import Subscription
from revenue.selectors.sellers import seller_organization_ids, sellers_for_user
from revenue.selectors.subscriptions import (
    dunning_queue,
    metrics_window,
    plans_active,
    recovery_metrics,
    subscribers_for_seller,
    subscriptions_for_buyer,
    subscriptions_visible_to,
)
from revenue.services.dunning import charge_retry_now
from revenue.services.subscriptions import (
    retention_offers,
    subscription_cancel,
    subscription_change,
    subscription_payment_method_set,
    subscription_resume,
    subscription_start,
)
from revenue.services.subscriptions_common import active_until, period_price, seat_price
from revenue.views.common import finance_required, page_of


def _row(subscription: Subscription) -> dict:
    plan = subscription.plan
    discount = subscription.discount_percent if subscription.discount_periods_left else 0
    unit = seat_price(subscription, plan, subscription.current_period_end)
    price = period_price(plan=plan, unit_amount=unit, seats=subscription.seats, discount_percent=discount)
    return {
        "subscription": subscription,
        "price": Money(price.amount, plan.currency),
        "until": active_until(subscription),
    }


def _organizations(user_id: int) -> list[tuple[str, str]]:
    return [
        (str(o.id), o.name)
        for o in accounts.organizations_for_user(user_id)
        if o.role in ("owner", "admin", "billing")
    ]


def _get(request: HttpRequest, public_id: uuid.UUID) -> Subscription:
    subscription = subscriptions_visible_to(request.user).filter(public_id=public_id).first()
    if subscription is None:
        raise Http404
    return subscription


@login_required
def subscriptions(request: HttpRequest) -> HttpResponse:
    """My subscriptions, and a form to subscribe to a plan."""
    form = SubscribeForm(
        request.POST or None, plans=plans_active(), organizations=_organizations(request.user.pk)
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                subscription = subscription_start(
                    buyer=request.user,
                    plan=data["plan"],
                    seats=data["seats"],
                    payment_method=data["card_number"],
                    organization_id=int(data["organization"]) if data["organization"] else None,
                    billing_country=data["billing_country"],
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                if subscription.state == Subscription.State.CANCELED:
                    form.add_error("card_number", "The first payment was declined; nothing was started.")
                else:
                    messages.success(request, f"You are subscribed to {subscription.plan.name}.")
                    return redirect("revenue:subscription", public_id=subscription.public_id)
        status = 400
    rows = subscriptions_for_buyer(
        user_id=request.user.pk, organization_ids=seller_organization_ids(user_id=request.user.pk)
    )
    page = page_of(request, rows)
    return render(
        request,
        "revenue/subscriptions/list.html",
        {"form": form, "page": page, "rows": [_row(s) for s in page.object_list]},
        status=status,
    )


@login_required
def subscription_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """One subscription: status, next renewal, charges; change plan or seats (POST)."""
    subscription = _get(request, public_id)
    form = ChangeForm(request.POST or None, subscription=subscription)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                subscription_change(
                    subscription=subscription,
                    actor=request.user,
                    plan=form.cleaned_data["plan"],
                    seats=form.cleaned_data["seats"],
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, "Your subscription was updated.")
                return redirect("revenue:subscription", public_id=public_id)
        status = 400
    return _detail(request, subscription, form=form, status=status)


def _detail(
    request: HttpRequest, subscription: Subscription, *, status: int = 200, **forms: object
) -> HttpResponse:
    charges = subscription.charges.select_related("order").prefetch_related("dunning_attempts__order")[:24]
    context = {
        **_row(subscription),
        "form": forms.get("form") or ChangeForm(subscription=subscription),
        "card_form": forms.get("card_form") or PaymentMethodForm(),
        "charges": [(c, Money(c.amount, c.currency)) for c in charges],
        "live": subscription.state != Subscription.State.CANCELED,
        "changeable": subscription.state in (Subscription.State.ACTIVE, Subscription.State.TRIALING),
        "resumable": subscription.cancel_at_period_end
        or subscription.state == Subscription.State.PAUSED
        or subscription.pause_periods,
    }
    return render(request, "revenue/subscriptions/detail.html", context, status=status)


@login_required
@require_POST
def subscription_payment_method(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    subscription = _get(request, public_id)
    form = PaymentMethodForm(request.POST)
    if form.is_valid():
        try:
            subscription = subscription_payment_method_set(
                subscription=subscription, actor=request.user, payment_method=form.cleaned_data["card_number"]
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            if subscription.state == Subscription.State.PAST_DUE:
                messages.warning(request, "The card was saved, but the overdue payment failed again.")
            else:
                messages.success(request, "Your payment method was updated.")
            return redirect("revenue:subscription", public_id=public_id)
    return _detail(request, subscription, card_form=form, status=400)


@login_required
def subscription_cancel_page(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Cancel, after seeing the retention offers (taking one keeps the subscription; the choice is recorded)."""
    subscription = _get(request, public_id)
    form = CancelForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                subscription_cancel(
                    subscription=subscription,
                    actor=request.user,
                    at_period_end=data["when"] == "period_end",
                    accept_offer=data["accept_offer"],
                    reason=data["reason"],
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                done = {
                    "discount": "Thank you for staying: your discount applies from the next renewal.",
                    "pause": "Your subscription will pause at the end of the current period.",
                }
                messages.success(request, done.get(data["accept_offer"], "Your subscription was canceled."))
                return redirect("revenue:subscription", public_id=public_id)
        status = 400
    offers = retention_offers(subscription) if subscription.state != Subscription.State.CANCELED else []
    return render(
        request,
        "revenue/subscriptions/cancel.html",
        {**_row(subscription), "form": form, "offers": offers},
        status=status,
    )


@login_required
@require_POST
def subscription_resume_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    subscription = _get(request, public_id)
    try:
        subscription_resume(subscription=subscription, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Your subscription continues.")
    return redirect("revenue:subscription", public_id=public_id)


@login_required
def subscribers(request: HttpRequest) -> HttpResponse:
    """Sellers: who subscribes to their plans."""
    sellers = sellers_for_user(user_id=request.user.pk)
    page = page_of(request, subscribers_for_seller(seller_ids=[s.pk for s in sellers]))
    return render(
        request,
        "revenue/subscriptions/subscribers.html",
        {"page": page, "rows": [_row(s) for s in page.object_list], "has_seller": bool(sellers)},
    )


@finance_required
def finance_dunning(request: HttpRequest) -> HttpResponse:
    """Finance: past-due renewals (retry one now) and the recovery metrics for a window."""
    if request.method == "POST":
        subscription = Subscription.objects.filter(public_id=request.POST.get("subscription")).first()
        if subscription is None:
            raise Http404
        try:
            charge = charge_retry_now(subscription=subscription, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            if charge.state == charge.State.PAID:
                messages.success(request, f"Recovered: {charge.description}.")
            else:
                messages.warning(request, f"The retry failed ({charge.last_failure_code}).")
        return redirect("revenue:finance_dunning")
    form = MetricsForm(request.GET or None)
    values = form.cleaned_data if form.is_valid() else {}
    try:
        start, end = metrics_window(values.get("start"), values.get("end"))
    except DomainError as exc:
        add_domain_error(form, exc)
        start, end = metrics_window(None, None)
    metrics = recovery_metrics(start=start, end=end)
    page = page_of(request, dunning_queue())
    return render(
        request,
        "revenue/subscriptions/finance_dunning.html",
        {
            "form": form,
            "metrics": metrics,
            "recovered": [Money(r.amount, r.currency) for r in metrics.recovered],
            "page": page,
            "rows": [(c, Money(c.amount, c.currency)) for c in page.object_list],
            "now": timezone.now(),
        },
    )

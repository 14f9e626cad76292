"""Finance staff pages (accounts.manage_finance): ledger explorer, orders, disputes, manual payments, payouts."""

import contextlib
import json
import uuid
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from novacron.core.exceptions import DomainError
from novacron.core.money import Money
from revenue import selectors
from revenue.forms import (
    BankTransferReceivedForm,
    DisputeCloseForm,
    DisputeEvidenceForm,
    DisputeFilterForm,
    LedgerFilterForm,
    PayoutFailedForm,
    RefundNotSentForm,
    RefundSentForm,
    add_domain_error,
)
from revenue.models import Dispute, JournalEntry, Order, Payout, Refund
from revenue.services.disputes import dispute_add_evidence, dispute_close, dispute_submit_evidence
from revenue.services.payments import bank_transfer_mark_received
from revenue.services.payouts import payout_mark_failed, payout_mark_paid
from revenue.services.refunds import MANUAL_REFUND_GATEWAYS, refund_manual_settle
from revenue.views.common import (
    finance_required,
    order_money,
    order_or_404,
    page_of,
    querystring_without_page,
    transfer_reference,
    uuid_or_404,
)


@finance_required
def finance_home(request: HttpRequest) -> HttpResponse:
    return render(request, "revenue/finance/home.html", {"overview": selectors.finance_overview()})


@finance_required
def finance_accounts(request: HttpRequest) -> HttpResponse:
    form = LedgerFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = page_of(request, selectors.ledger_accounts(**filters), per_page=50)
    return render(
        request,
        "revenue/finance/accounts.html",
        {
            "form": form,
            "page": page,
            "rows": [(a, Money(a.current_balance, a.currency)) for a in page.object_list],
            "querystring": querystring_without_page(request),
        },
    )


@finance_required
def finance_account(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.ledger_account(pk=pk)
    if account is None:
        raise Http404
    page = page_of(request, selectors.account_postings(account=account), per_page=50)
    return render(
        request,
        "revenue/finance/account.html",
        {
            "account": account,
            "balance": Money(account.current_balance, account.currency),
            "page": page,
            "rows": [
                (p, Money(p.amount, p.currency), Money(account.signed(p.amount), p.currency))
                for p in page.object_list
            ],
        },
    )


@finance_required
def finance_entries(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    reference = request.GET.get("reference", "").strip()
    page = page_of(request, selectors.ledger_entries(kind=kind, reference_id=reference), per_page=50)
    return render(
        request,
        "revenue/finance/entries.html",
        {
            "page": page,
            "kinds": JournalEntry.Kind.choices,
            "kind": kind,
            "reference": reference,
            "querystring": querystring_without_page(request),
        },
    )


@finance_required
def finance_entry(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    entry = selectors.ledger_entry(public_id=uuid_or_404(public_id))
    if entry is None:
        raise Http404
    postings = list(entry.postings.all())
    order_url = ""
    if entry.reference_type == "order":
        with contextlib.suppress(ValueError):
            order_url = reverse("revenue:receipt", kwargs={"public_id": uuid.UUID(entry.reference_id)})
    return render(
        request,
        "revenue/finance/entry.html",
        {
            "entry": entry,
            "rows": [
                (
                    p,
                    Money(p.amount, p.currency) if p.amount > 0 else None,
                    Money(-p.amount, p.currency) if p.amount < 0 else None,
                )
                for p in postings
            ],
            "reversals": list(entry.reversals.all()),
            "order_url": order_url,
            "metadata_json": json.dumps(entry.metadata, indent=2, sort_keys=True, default=str),
        },
    )


@finance_required
def finance_orders(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    query = request.GET.get("q", "").strip()
    page = page_of(request, selectors.orders_for_finance(state=state, query=query))
    return render(
        request,
        "revenue/finance/orders.html",
        {
            "page": page,
            "rows": [
                (o, Money(o.total, o.currency), Money(o.refunded_total, o.currency)) for o in page.object_list
            ],
            "states": Order.State.choices,
            "state": state,
            "q": query,
            "querystring": querystring_without_page(request),
        },
    )


@finance_required
def finance_disputes(request: HttpRequest) -> HttpResponse:
    form = DisputeFilterForm(request.GET or None)
    state = form.cleaned_data.get("state", "") if form.is_valid() else ""
    page = page_of(request, selectors.disputes_for_finance(state=state))
    return render(
        request,
        "revenue/finance/disputes.html",
        {
            "form": form,
            "page": page,
            "rows": [(d, Money(d.amount, d.currency)) for d in page.object_list],
            "now": timezone.now(),
            "querystring": querystring_without_page(request),
        },
    )


def _dispute_or_404(public_id: Any) -> Dispute:
    dispute = selectors.dispute_detail(public_id=uuid_or_404(public_id))
    if dispute is None:
        raise Http404
    return dispute


def _render_dispute(
    request: HttpRequest,
    dispute: Dispute,
    *,
    evidence_form: DisputeEvidenceForm | None = None,
    close_form: DisputeCloseForm | None = None,
    submit_error: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "revenue/finance/dispute.html",
        {
            "dispute": dispute,
            "amount": Money(dispute.amount, dispute.currency),
            "order": dispute.payment.order,
            "is_open": dispute.state in (Dispute.State.NEEDS_RESPONSE, Dispute.State.UNDER_REVIEW),
            "evidence_form": evidence_form or DisputeEvidenceForm(),
            "close_form": close_form or DisputeCloseForm(),
            "submit_error": submit_error,
            "now": timezone.now(),
        },
        status=status,
    )


@finance_required
def finance_dispute(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _render_dispute(request, _dispute_or_404(public_id))


@finance_required
@require_POST
def finance_dispute_evidence(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    dispute = _dispute_or_404(public_id)
    form = DisputeEvidenceForm(request.POST)
    if form.is_valid():
        try:
            dispute_add_evidence(dispute=dispute, notes=form.cleaned_data["notes"], actor=request.user)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "Evidence notes saved.")
            return redirect("revenue:finance_dispute", public_id=dispute.public_id)
    return _render_dispute(request, dispute, evidence_form=form, status=400)


@finance_required
@require_POST
def finance_dispute_submit_evidence(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    dispute = _dispute_or_404(public_id)
    try:
        dispute_submit_evidence(dispute=dispute, actor=request.user)
    except DomainError as exc:
        return _render_dispute(request, dispute, submit_error=exc.message, status=exc.status_code)
    messages.success(request, "Evidence submitted to the gateway.")
    return redirect("revenue:finance_dispute", public_id=dispute.public_id)


@finance_required
@require_POST
def finance_dispute_close(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    dispute = _dispute_or_404(public_id)
    form = DisputeCloseForm(request.POST)
    if form.is_valid():
        won = form.cleaned_data["outcome"] == "won"
        try:
            dispute_close(dispute=dispute, won=won, actor=request.user)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Dispute closed as {'won' if won else 'lost'}.")
            return redirect("revenue:finance_dispute", public_id=dispute.public_id)
    return _render_dispute(request, dispute, close_form=form, status=400)


@finance_required
def finance_payments(request: HttpRequest) -> HttpResponse:
    page = page_of(request, selectors.orders_awaiting_transfer())
    return render(
        request,
        "revenue/finance/payments.html",
        {
            "page": page,
            "rows": [(o, Money(o.total, o.currency), transfer_reference(o)) for o in page.object_list],
        },
    )


@finance_required
def finance_payment_received(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    order = order_or_404(public_id)
    initial = {"amount": Money(order.total, order.currency).decimal}
    form = BankTransferReceivedForm(request.POST or None, currency=order.currency, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            bank_transfer_mark_received(
                order=order,
                actor=request.user,
                amount=form.cleaned_data["amount"],
                reference=form.cleaned_data["reference"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Transfer for order {order.public_id} recorded.")
            return redirect("revenue:finance_payments")
    return render(
        request,
        "revenue/finance/payment_received.html",
        {
            "order": order,
            "money": order_money(order),
            "form": form,
            "reference": transfer_reference(order),
            "awaiting": order.state == Order.State.AWAITING_TRANSFER,
        },
        status=400 if form.errors else 200,
    )


@finance_required
def finance_payouts(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    states = [state] if state in Payout.State.values else None
    page = page_of(request, selectors.payouts_for_finance(states=states))
    return render(
        request,
        "revenue/finance/payouts.html",
        {
            "page": page,
            "rows": [(p, Money(p.amount, p.currency)) for p in page.object_list],
            "states": Payout.State.choices,
            "state": state,
            "fail_form": PayoutFailedForm(),
            "querystring": querystring_without_page(request),
        },
    )


def _payout_or_404(public_id: Any) -> Payout:
    payout = selectors.payouts_for_finance().filter(public_id=uuid_or_404(public_id)).first()
    if payout is None:
        raise Http404
    return payout


@finance_required
@require_POST
def finance_payout_paid(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    payout = _payout_or_404(public_id)
    try:
        payout_mark_paid(payout=payout, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Payout {payout.public_id} marked paid.")
    return redirect("revenue:finance_payouts")


@finance_required
def finance_payout_failed(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    payout = _payout_or_404(public_id)
    form = PayoutFailedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            payout_mark_failed(payout=payout, message=form.cleaned_data["message"], actor=request.user)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request, f"Payout {payout.public_id} marked failed; the money is available again."
            )
            return redirect("revenue:finance_payouts")
    return render(
        request,
        "revenue/finance/payout_failed.html",
        {"payout": payout, "amount": Money(payout.amount, payout.currency), "form": form},
        status=400 if form.errors else 200,
    )


# --- refunds paid by hand (bank transfers) -------------------------------------------------------------------


@finance_required
def finance_refunds(request: HttpRequest) -> HttpResponse:
    page = page_of(request, selectors.refunds_to_send(gateways=MANUAL_REFUND_GATEWAYS))
    return render(
        request,
        "revenue/finance/refunds.html",
        {"page": page, "rows": [(r, Money(r.amount, r.currency)) for r in page.object_list]},
    )


@finance_required
def finance_refund_settle(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    refund = selectors.refunds_to_send(gateways=MANUAL_REFUND_GATEWAYS).filter(public_id=public_id).first()
    if refund is None:
        raise Http404
    sent = request.POST.get("outcome", "sent") == "sent"
    sent_form = RefundSentForm(request.POST if request.method == "POST" and sent else None)
    not_sent_form = RefundNotSentForm(request.POST if request.method == "POST" and not sent else None)
    form = sent_form if sent else not_sent_form
    if request.method == "POST" and form.is_valid():
        try:
            refund_manual_settle(
                refund=refund,
                sent=sent,
                reference=form.cleaned_data.get("reference", ""),
                message=form.cleaned_data.get("message", ""),
                actor=request.user,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            if sent:
                messages.success(request, f"Refund {refund.public_id} recorded as sent.")
            else:
                messages.warning(request, f"Refund {refund.public_id} recorded as not sent; the sale stands.")
            return redirect("revenue:finance_refunds")
    return render(
        request,
        "revenue/finance/refund_settle.html",
        {
            "refund": refund,
            "money": Money(refund.amount, refund.currency),
            "sent_form": sent_form,
            "not_sent_form": not_sent_form,
            "refund_model": Refund,
        },
        status=400 if form.errors else 200,
    )

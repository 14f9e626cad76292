"""Finance portal: exchange rates (list, enter a manual rate, fetch from the configured provider)."""

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from novacron.core.exceptions import DomainError
from revenue.forms import FxRateFilterForm, FxRateForm, add_domain_error
from revenue.fx_providers import ProviderError, provider_get
from revenue.models import ExchangeRate
from revenue.services.fx import rate_enter, rates_stale, rates_update
from revenue.views.common import finance_required, page_of, querystring_without_page


@finance_required
def finance_fx_rates(request: HttpRequest) -> HttpResponse:
    """Stored rates, newest first, filterable; POST enters a manual rate."""
    form = FxRateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                rate = rate_enter(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"Recorded: {rate}.")
                return redirect("revenue:finance_fx_rates")
        status = 400
    filters = FxRateFilterForm(request.GET or None)
    rates = ExchangeRate.objects.select_related("entered_by").order_by("-as_of", "base", "quote")
    if filters.is_valid():
        if code := filters.cleaned_data["currency"]:
            rates = rates.filter(Q(base=code) | Q(quote=code))
        if source := filters.cleaned_data["source"].strip():
            rates = rates.filter(source=source)
    provider = provider_get()
    return render(
        request,
        "revenue/billing/finance_fx_rates.html",
        {
            "form": form,
            "filters": filters,
            "page": page_of(request, rates),
            "querystring": querystring_without_page(request),
            "provider": provider,
            "stale": rates_stale(),
        },
        status=status,
    )


@require_POST
@finance_required
def finance_fx_update(request: HttpRequest) -> HttpResponse:
    """Fetch today's rates from the configured provider now (the same as `manage.py fx_update`)."""
    try:
        result = rates_update()
    except ProviderError as exc:
        messages.error(request, f"Rates not updated: {exc}")
    else:
        messages.success(request, result.summary())
    return redirect("revenue:finance_fx_rates")

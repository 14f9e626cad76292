"""Exchange rates: anyone signed in reads them; finance staff enter manual rates. Thin: parse, call, render."""

from __future__ import annotations

from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from novacron.core.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from novacron.core.api.pagination import DefaultPagination
from revenue.api.fx_serializers import FxLookupOutput, FxLookupQuery, FxRateInput, FxRateOutput, FxRateQuery
from revenue.api.operations_views import ERROR, OperationsApi
from revenue.models import ExchangeRate
from revenue.services.fx import rate_enter, rate_get

TAGS = ["revenue-billing"]


class FxRateListView(OperationsApi):
    pagination_class = DefaultPagination

    @extend_schema(
        tags=TAGS,
        operation_id="revenue_fx_rate_list",
        summary="Stored exchange rates",
        description="1 `base` = `rate` `quote`, valid from `as_of` until a later rate of the pair; `source` is the "
        "provider (ecb), manual (entered by finance) or demo. Newest first.",
        parameters=[FxRateQuery],
        responses={200: FxRateOutput(many=True), 400: ERROR},
    )
    def get(self, request: Request) -> Response:
        query = FxRateQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        rates = ExchangeRate.objects.select_related("entered_by").order_by("-as_of", "base", "quote")
        if values.get("base"):
            rates = rates.filter(base=values["base"].upper())
        if values.get("quote"):
            rates = rates.filter(quote=values["quote"].upper())
        if values.get("currency"):
            code = values["currency"].upper()
            rates = rates.filter(Q(base=code) | Q(quote=code))
        if values.get("source"):
            rates = rates.filter(source=values["source"])
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rates, request, view=self)
        return paginator.get_paginated_response(FxRateOutput(page, many=True).data)

    @extend_schema(
        tags=TAGS,
        operation_id="revenue_fx_rate_create",
        summary="Enter a manual exchange rate (finance)",
        description="Records 1 base = rate quote from `as_of` (default today), source manual, audited. A second "
        "rate for the same pair and day corrects the first; figures already converted keep the rate they used. "
        "Needs accounts.manage_finance.",
        request=FxRateInput,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: FxRateOutput, 400: ERROR, 403: ERROR},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = FxRateInput(data=request.data)
        data.is_valid(raise_exception=True)
        rate = rate_enter(actor=request.user, **data.validated_data)
        return Response(FxRateOutput(rate).data, status=status.HTTP_201_CREATED)


class FxRateLookupView(OperationsApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_fx_rate_lookup",
        summary="The rate valid on a day",
        description="The rate conversions use on `on`: the latest stored rate on or before it, else the inverse of "
        "the reverse pair, else a cross rate through REVENUE_FX_PIVOT within one fixing. 404 when there is none.",
        parameters=[FxLookupQuery],
        responses={200: FxLookupOutput, 400: ERROR, 404: ERROR},
    )
    def get(self, request: Request) -> Response:
        query = FxLookupQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        rate = rate_get(values["base"], values["quote"], on=values["on"])
        return Response(FxLookupOutput(rate.as_dict()).data)

"""Revenue read API for the signed-in user (balances, statement, tier, payouts, purchases) and for finance staff
(ledger accounts and entries). Thin: parse the query, call a selector, render. Lists use the global pagination;
errors the global error body. Views declare `scope_area = "revenue"`: API tokens need `revenue:read` (or
`read`)."""

from datetime import date, timedelta
from typing import Any

from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import BasePermission
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from novacron.core.api.pagination import DefaultPagination
from novacron.core.exceptions import NotFound
from revenue import selectors
from revenue.api.account_serializers import (
    BalancesResponseSerializer,
    LedgerAccountQuerySerializer,
    LedgerAccountSerializer,
    LedgerEntrySerializer,
    PayoutSerializer,
    PurchaseSerializer,
    RevenueErrorSerializer,
    StatementQuerySerializer,
    StatementSerializer,
    TierProgressSerializer,
    TierQuerySerializer,
)
from revenue.api.operations_views import IsFinance
from revenue.models import Seller
from revenue.views.sellers import period_bounds

TAGS = ["revenue"]


def _errors(*codes: int) -> dict[int, OpenApiResponse]:
    descriptions = {
        400: "Invalid query; `error.fields` names the parameters.",
        401: "Not signed in, or the API token is invalid, expired or revoked.",
        403: "Not allowed (finance permission, or the token's scopes).",
        404: "Not found, or not yours to see.",
    }
    return {code: OpenApiResponse(RevenueErrorSerializer, description=descriptions[code]) for code in codes}


SELLER_PARAM = OpenApiParameter(
    "seller",
    OpenApiTypes.UUID,
    OpenApiParameter.QUERY,
    required=False,
    description="A seller's public id: yours, or an organisation's you own, administer or handle billing for. "
    "Default: your own seller (else your first organisation's).",
)
PUBLIC_ID = OpenApiParameter("public_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Public id.")


class CSVRenderer(BaseRenderer):
    """Chosen by `Accept: text/csv` or `?format=csv`; the statement view streams the CSV itself."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        if data is None:
            return b""
        return str(data).encode(self.charset)


class RevenueApi(APIView):
    scope_area = "revenue"
    pagination_class = DefaultPagination

    def paginated(self, request: Request, items: Any, serializer_class: type) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(items, request, view=self)
        return paginator.get_paginated_response(serializer_class(page, many=True).data)


class FinanceApi(RevenueApi):
    def get_permissions(self) -> list[BasePermission]:
        return [*super().get_permissions(), IsFinance()]


def _seller_ref(seller: Seller) -> dict[str, Any]:
    return {
        "public_id": seller.public_id,
        "display_name": seller.display_name,
        "kind": seller.kind,
        "tier": seller.tier,
    }


def _balance(balance: selectors.SellerBalance) -> dict[str, Any]:
    return {
        "currency": balance.currency,
        "pending": balance.pending,
        "available": balance.available,
        "reserve": balance.reserve,
        "receivable": balance.receivable,
        "in_transit": balance.in_transit,
        "paid_to_date": balance.paid_to_date,
        "net": balance.net,
    }


# --- mine ----------------------------------------------------------------------------------------------------


class BalancesApi(RevenueApi):
    pagination_class = None

    @extend_schema(
        tags=TAGS,
        summary="Your balances per currency",
        description="For each seller you receive money through (yours and your organisations'), the balances "
        "per currency in minor units. Empty when you have never sold anything.",
        parameters=[SELLER_PARAM],
        responses={200: BalancesResponseSerializer, **_errors(401, 403, 404)},
        operation_id="revenue_balances_retrieve",
    )
    def get(self, request: Request) -> Response:
        sellers = selectors.sellers_for_user(user_id=request.user.pk)
        if request.query_params.get("seller"):
            query = TierQuerySerializer(data=request.query_params)
            query.is_valid(raise_exception=True)
            sellers = [
                selectors.seller_for_actor(user=request.user, public_id=query.validated_data["seller"])
            ]
        balances = selectors.seller_balances(seller_ids=[s.pk for s in sellers])
        data = {
            "sellers": [
                {"seller": _seller_ref(s), "balances": [_balance(b) for b in balances[s.pk]]} for s in sellers
            ]
        }
        return Response(BalancesResponseSerializer(data).data)


class StatementApi(RevenueApi):
    pagination_class = None
    renderer_classes = [JSONRenderer, CSVRenderer]

    @extend_schema(
        tags=TAGS,
        summary="Your earnings statement",
        description="Every ledger entry that touched the seller's balances in the period, oldest first, with "
        "the change of the seller's net position and the running balance per currency. JSON by default; CSV "
        "(amounts in major units) with `?format=csv` or `Accept: text/csv`.",
        parameters=[
            SELLER_PARAM,
            OpenApiParameter(
                "from", OpenApiTypes.DATE, required=False, description="First day (default: 90 days ago)."
            ),
            OpenApiParameter(
                "to", OpenApiTypes.DATE, required=False, description="Last day, inclusive (default: today)."
            ),
            OpenApiParameter("currency", str, required=False, description="Only this ISO 4217 currency."),
            OpenApiParameter(
                "format", str, enum=["json", "csv"], required=False, description="Response format."
            ),
        ],
        responses={
            (200, "application/json"): StatementSerializer,
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The statement as CSV."),
            **_errors(400, 401, 403, 404),
        },
        operation_id="revenue_statement_retrieve",
    )
    def get(self, request: Request) -> Response | StreamingHttpResponse:
        query = StatementQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        seller = selectors.seller_for_actor(user=request.user, public_id=params.get("seller"))
        today = timezone.localdate()
        first: date = params.get("from") or today - timedelta(days=90)
        last: date = params.get("to") or today
        start, end = period_bounds(first, last)
        statement = selectors.earnings_statement(
            seller=seller, start=start, end=end, currency=params.get("currency") or None
        )
        if isinstance(request.accepted_renderer, CSVRenderer):
            response = StreamingHttpResponse(
                selectors.statement_csv_lines(statement), content_type="text/csv; charset=utf-8"
            )
            suffix = f"-{params['currency']}" if params.get("currency") else ""
            response["Content-Disposition"] = (
                f'attachment; filename="statement-{first:%Y%m%d}-{last:%Y%m%d}{suffix}.csv"'
            )
            return response
        data = {
            "seller": _seller_ref(seller),
            "start": statement.start,
            "end": statement.end,
            "currency": statement.currency,
            "opening": statement.opening,
            "closing": statement.closing,
            "rows": statement.rows,
        }
        return Response(StatementSerializer(data).data)

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        # Errors are JSON (the project's error body) even when CSV was asked for.
        if isinstance(response, Response) and response.status_code >= 400:
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


class TierApi(RevenueApi):
    pagination_class = None

    @extend_schema(
        tags=TAGS,
        summary="Your tier and progress to the next",
        description="Current tier, revenue share, trailing-12-month net revenue in US cents (at recorded "
        "exchange rates), the next tier's threshold and what is left to reach it, and the benefits.",
        parameters=[SELLER_PARAM],
        responses={200: TierProgressSerializer, **_errors(400, 401, 403, 404)},
        operation_id="revenue_tier_retrieve",
    )
    def get(self, request: Request) -> Response:
        query = TierQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        seller = selectors.seller_for_actor(user=request.user, public_id=query.validated_data.get("seller"))
        progress = selectors.tier_progress(seller=seller)
        data = {
            "seller": _seller_ref(seller),
            "tier": progress.tier,
            "developer_rate": progress.developer_rate,
            "trailing_revenue_usd": progress.trailing_revenue_usd,
            "next_tier": progress.next_tier,
            "next_threshold_usd": progress.next_threshold_usd,
            "distance_usd": progress.distance_usd,
            "progress_percent": progress.progress_percent,
            "benefits": progress.benefits,
            "next_benefits": progress.next_benefits,
            "currencies_without_rate": progress.currencies_without_rate,
        }
        return Response(TierProgressSerializer(data).data)


class PayoutListApi(RevenueApi):
    @extend_schema(
        tags=TAGS,
        summary="Your payouts",
        description="Payouts to you and your organisations, newest first.",
        parameters=[SELLER_PARAM],
        responses={200: PayoutSerializer(many=True), **_errors(400, 401, 403, 404)},
        operation_id="revenue_payouts_list",
    )
    def get(self, request: Request) -> Response:
        if request.query_params.get("seller"):
            query = TierQuerySerializer(data=request.query_params)
            query.is_valid(raise_exception=True)
            seller_ids = [
                selectors.seller_for_actor(user=request.user, public_id=query.validated_data["seller"]).pk
            ]
        else:
            seller_ids = [s.pk for s in selectors.sellers_for_user(user_id=request.user.pk)]
        payouts = selectors.payouts_for_finance().filter(seller_id__in=seller_ids)
        return self.paginated(request, payouts, PayoutSerializer)


class PurchaseListApi(RevenueApi):
    @extend_schema(
        tags=TAGS,
        summary="Your purchases",
        description="Orders you placed, newest first, with lines, payments and refunds.",
        responses={200: PurchaseSerializer(many=True), **_errors(401, 403)},
        operation_id="revenue_orders_list",
    )
    def get(self, request: Request) -> Response:
        return self.paginated(
            request, selectors.orders_for_buyer(buyer_id=request.user.pk), PurchaseSerializer
        )


class PurchaseDetailApi(RevenueApi):
    pagination_class = None

    @extend_schema(
        tags=TAGS,
        summary="One of your purchases",
        parameters=[PUBLIC_ID],
        responses={200: PurchaseSerializer, **_errors(401, 403, 404)},
        operation_id="revenue_orders_retrieve",
    )
    def get(self, request: Request, public_id: Any) -> Response:
        order = selectors.orders_for_buyer(buyer_id=request.user.pk).filter(public_id=public_id).first()
        if order is None:
            raise NotFound("No such order among your purchases.")
        return Response(PurchaseSerializer(order).data)


# --- finance -------------------------------------------------------------------------------------------------


class LedgerAccountListApi(FinanceApi):
    @extend_schema(
        tags=TAGS,
        summary="Ledger accounts (finance)",
        description="Accounts with their balance (normal direction) and posting count. Finance staff only.",
        parameters=[LedgerAccountQuerySerializer],
        responses={200: LedgerAccountSerializer(many=True), **_errors(400, 401, 403)},
        operation_id="revenue_ledger_accounts_list",
    )
    def get(self, request: Request) -> Response:
        query = LedgerAccountQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        accounts = selectors.ledger_accounts(**query.validated_data)
        return self.paginated(request, accounts, LedgerAccountSerializer)


class LedgerEntryDetailApi(FinanceApi):
    pagination_class = None

    @extend_schema(
        tags=TAGS,
        summary="A journal entry with its postings (finance)",
        parameters=[PUBLIC_ID],
        responses={200: LedgerEntrySerializer, **_errors(401, 403, 404)},
        operation_id="revenue_ledger_entries_retrieve",
    )
    def get(self, request: Request, public_id: Any) -> Response:
        entry = selectors.ledger_entry(public_id=public_id)
        if entry is None:
            raise NotFound("No such journal entry.")
        return Response(LedgerEntrySerializer(entry).data)

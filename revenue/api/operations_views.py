"""Money operations: refunds (the order's seller or finance), disputes (finance), the seller's payout accounts,
payout outcomes (finance). Thin: parse, check who may act, call a service, render. POSTs that move money honour
Idempotency-Key. Views declare `scope_area = "revenue"` (API tokens need `revenue:write` to change anything)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from novacron.core.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from novacron.core.api.pagination import DefaultPagination
from novacron.core.exceptions import NotFound, PermissionDenied
from revenue import selectors
from revenue.api.operations_serializers import (
    DisputeCloseInput,
    DisputeEvidenceInput,
    DisputeOutput,
    DisputeQuery,
    PayoutAccountInput,
    PayoutAccountOutput,
    PayoutAccountQuery,
    PayoutFailedInput,
    PayoutOutput,
    RefundInput,
    RefundOutput,
    RefundSettleInput,
)
from revenue.models import Dispute, Order, Payout, PayoutAccount, Refund
from revenue.services.disputes import dispute_add_evidence, dispute_close, dispute_submit_evidence
from revenue.services.payouts import payout_account_set, payout_mark_failed, payout_mark_paid
from revenue.services.products import seller_can_manage
from revenue.services.refunds import MANUAL_REFUND_GATEWAYS, refund_create, refund_manual_settle
from revenue.views.common import is_finance

TAGS = ["revenue"]
ERROR = OpenApiResponse(description="Error body: {error: {code, message, fields}, request_id}")
PUBLIC_ID = OpenApiParameter("public_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Public id.")


class IsFinance(BasePermission):
    message = "Finance staff only (accounts.manage_finance)."

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_finance(request.user)


class OperationsApi(APIView):
    scope_area = "revenue"


class FinanceOperationsApi(OperationsApi):
    def get_permissions(self) -> list[BasePermission]:
        return [*super().get_permissions(), IsFinance()]


# --- refunds -----------------------------------------------------------------------------------------------------


class RefundCreateView(OperationsApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_order_refund_create",
        summary="Refund an order, in full or in part",
        description="Allowed for the seller of every line of the order (its user, or an owner/admin of its "
        "organisation) and for finance staff. The amount is split pro rata over every leg of the sale (seller, "
        "platform, tax; largest remainder) and mirrored at the gateway. `state` is succeeded, pending (the "
        "gateway has not answered yet) or failed (refused by the gateway: nothing is refunded). Never more than "
        "what was captured minus what was refunded or disputed.",
        parameters=[PUBLIC_ID, IDEMPOTENCY_KEY_PARAMETER],
        request=RefundInput,
        responses={201: RefundOutput, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    @idempotent
    def post(self, request: Request, public_id: str) -> Response:
        order = get_object_or_404(Order.objects.prefetch_related("lines__seller"), public_id=public_id)
        if not is_finance(request.user):
            sellers = {line.seller_id: line.seller for line in order.lines.all()}
            allowed = [seller_can_manage(seller=seller, user=request.user) for seller in sellers.values()]
            if not any(allowed):
                raise NotFound("No such order.")
            if not all(allowed):
                raise PermissionDenied("This order has lines from other sellers; ask finance to refund it.")
        data = RefundInput(data=request.data)
        data.is_valid(raise_exception=True)
        key = request.headers.get("Idempotency-Key", "").strip()
        refund = refund_create(
            order=order,
            amount=data.validated_data["amount"],
            reason=data.validated_data["reason"],
            actor=request.user,
            idempotency_key=f"api:{request.user.pk}:{key}"[:200] if key else None,
        )
        refund = Refund.objects.select_related("payment__order").get(pk=refund.pk)
        return Response(RefundOutput(refund).data, status=status.HTTP_201_CREATED)


# --- disputes (finance) ------------------------------------------------------------------------------------------


def _disputes() -> QuerySet[Dispute]:
    return Dispute.objects.select_related("payment__order").order_by("-created_at", "-id")


class DisputeListView(FinanceOperationsApi):
    pagination_class = DefaultPagination

    @extend_schema(
        tags=TAGS,
        operation_id="revenue_dispute_list",
        summary="Disputes (finance)",
        parameters=[DisputeQuery],
        responses={200: DisputeOutput(many=True), 400: ERROR, 403: ERROR},
    )
    def get(self, request: Request) -> Response:
        query = DisputeQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        disputes = _disputes()
        if query.validated_data.get("state"):
            disputes = disputes.filter(state=query.validated_data["state"])
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(disputes, request, view=self)
        return paginator.get_paginated_response(DisputeOutput(page, many=True).data)


class DisputeEvidenceView(FinanceOperationsApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_dispute_add_evidence",
        summary="Add evidence notes to an open dispute (finance)",
        description="Refused once the dispute is closed or its evidence deadline has passed (409).",
        parameters=[PUBLIC_ID],
        request=DisputeEvidenceInput,
        responses={200: DisputeOutput, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    def post(self, request: Request, public_id: str) -> Response:
        dispute = get_object_or_404(Dispute, public_id=public_id)
        data = DisputeEvidenceInput(data=request.data)
        data.is_valid(raise_exception=True)
        dispute = dispute_add_evidence(
            dispute=dispute, notes=data.validated_data["notes"], actor=request.user
        )
        return Response(DisputeOutput(_disputes().get(pk=dispute.pk)).data)


class DisputeSubmitEvidenceView(FinanceOperationsApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_dispute_submit_evidence",
        summary="Submit the dispute's evidence notes to the gateway (finance)",
        description="The gateway submits them to the card network; final, so no notes can be added afterwards. "
        "409 when the dispute is closed, past its deadline, already submitted or refused by the gateway; 400 "
        "without notes; 503 when the gateway cannot be reached (retry: the gateway call is idempotent).",
        parameters=[PUBLIC_ID],
        request=None,
        responses={200: DisputeOutput, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR, 503: ERROR},
    )
    def post(self, request: Request, public_id: str) -> Response:
        dispute = get_object_or_404(Dispute, public_id=public_id)
        dispute = dispute_submit_evidence(dispute=dispute, actor=request.user)
        return Response(DisputeOutput(_disputes().get(pk=dispute.pk)).data)


class DisputeCloseView(FinanceOperationsApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_dispute_close",
        summary="Close a dispute as won or lost (finance)",
        description="Won: the held funds return and the seller's share is given back. Lost: the held funds "
        "become a platform loss and the seller's clawback stays. Closing again with the same outcome changes "
        "nothing; the other outcome is 409.",
        parameters=[PUBLIC_ID, IDEMPOTENCY_KEY_PARAMETER],
        request=DisputeCloseInput,
        responses={200: DisputeOutput, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    @idempotent
    def post(self, request: Request, public_id: str) -> Response:
        dispute = get_object_or_404(Dispute, public_id=public_id)
        data = DisputeCloseInput(data=request.data)
        data.is_valid(raise_exception=True)
        dispute = dispute_close(dispute=dispute, won=data.validated_data["won"], actor=request.user)
        return Response(DisputeOutput(_disputes().get(pk=dispute.pk)).data)


# --- payout accounts (the seller's own) --------------------------------------------------------------------------


class PayoutAccountView(OperationsApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_payout_account_list",
        summary="Your payout accounts (one active per currency)",
        parameters=[PayoutAccountQuery],
        responses={200: PayoutAccountOutput(many=True), 400: ERROR, 404: ERROR},
    )
    def get(self, request: Request) -> Response:
        query = PayoutAccountQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        seller = selectors.seller_for_actor(
            user=request.user, public_id=query.validated_data.get("seller"), manage=True
        )
        accounts = PayoutAccount.objects.filter(seller=seller, is_active=True).select_related("seller")
        if query.validated_data.get("currency"):
            accounts = accounts.filter(currency=query.validated_data["currency"].upper())
        return Response(PayoutAccountOutput(accounts.order_by("currency"), many=True).data)

    @extend_schema(
        tags=TAGS,
        operation_id="revenue_payout_account_set",
        summary="Set where your payouts in one currency go",
        description="`stripe_connect`: a Stripe Connect account id (acct_...). `bank_transfer`: the holder and "
        "an IBAN (checked, with an optional BIC), or an account number with the bank's country and its BIC or "
        "routing number (ABA-checked for US). The previous account for the currency is kept, inactive.",
        request=PayoutAccountInput,
        responses={200: PayoutAccountOutput, 400: ERROR, 404: ERROR, 409: ERROR},
    )
    def put(self, request: Request) -> Response:
        data = PayoutAccountInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        seller = selectors.seller_for_actor(
            user=request.user, public_id=values.pop("seller", None), manage=True
        )
        account = payout_account_set(seller=seller, actor=request.user, **values)
        return Response(PayoutAccountOutput(account).data)


# --- refunds paid by hand (finance) -----------------------------------------------------------------------------


class RefundsToSendView(FinanceOperationsApi):
    pagination_class = DefaultPagination

    @extend_schema(
        tags=TAGS,
        operation_id="revenue_refunds_to_send",
        summary="Pending refunds finance pays by hand (bank transfers), oldest first (finance)",
        responses={200: RefundOutput(many=True), 403: ERROR},
    )
    def get(self, request: Request) -> Response:
        refunds = selectors.refunds_to_send(gateways=MANUAL_REFUND_GATEWAYS)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(refunds, request, view=self)
        return paginator.get_paginated_response(RefundOutput(page, many=True).data)


class RefundSettleView(FinanceOperationsApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_refund_settle",
        summary="Record the outcome of a refund paid by hand (finance)",
        description="`sent` with the bank reference makes the refund succeeded; `not_sent` with the reason fails "
        "it and puts the ledger back. Only pending bank-transfer refunds (409 otherwise).",
        parameters=[PUBLIC_ID, IDEMPOTENCY_KEY_PARAMETER],
        request=RefundSettleInput,
        responses={200: RefundOutput, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    @idempotent
    def post(self, request: Request, public_id: str) -> Response:
        refund = get_object_or_404(Refund, public_id=public_id)
        data = RefundSettleInput(data=request.data)
        data.is_valid(raise_exception=True)
        refund = refund_manual_settle(
            refund=refund,
            sent=data.validated_data["outcome"] == "sent",
            reference=data.validated_data["reference"],
            message=data.validated_data["message"],
            actor=request.user,
        )
        return Response(RefundOutput(Refund.objects.select_related("payment__order").get(pk=refund.pk)).data)


# --- payout outcomes (finance) -----------------------------------------------------------------------------------


class PayoutMarkPaidView(FinanceOperationsApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_payout_mark_paid",
        summary="Mark a payout in transit as paid (finance)",
        parameters=[PUBLIC_ID, IDEMPOTENCY_KEY_PARAMETER],
        request=None,
        responses={200: PayoutOutput, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    @idempotent
    def post(self, request: Request, public_id: str) -> Response:
        payout = get_object_or_404(Payout, public_id=public_id)
        payout = payout_mark_paid(payout=payout, actor=request.user)
        return Response(PayoutOutput(Payout.objects.select_related("seller").get(pk=payout.pk)).data)


class PayoutMarkFailedView(FinanceOperationsApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_payout_mark_failed",
        summary="Mark a payout in transit as failed (finance): the money returns to available",
        parameters=[PUBLIC_ID, IDEMPOTENCY_KEY_PARAMETER],
        request=PayoutFailedInput,
        responses={200: PayoutOutput, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    @idempotent
    def post(self, request: Request, public_id: str) -> Response:
        payout = get_object_or_404(Payout, public_id=public_id)
        data = PayoutFailedInput(data=request.data)
        data.is_valid(raise_exception=True)
        payout = payout_mark_failed(payout=payout, message=data.validated_data["message"], actor=request.user)
        return Response(PayoutOutput(Payout.objects.select_related("seller").get(pk=payout.pk)).data)

"""Checkout, products, bank transfers received and gateway webhooks. Thin: parse, call a service, render."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from novacron.accounts import facade as accounts
from novacron.core.api.errors import error_body
from novacron.core.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from novacron.core.api.pagination import DefaultPagination
from novacron.core.exceptions import PermissionDenied
from revenue.api.checkout_serializers import (
    BankTransferReceivedInput,
    CheckoutInput,
    OrderOutput,
    ProductInput,
    ProductOutput,
    ProductPatchInput,
    WebhookOutput,
)
from revenue.exceptions import ValidationError
from revenue.gateways import GatewayNotEnabled
from revenue.gateways.base import InvalidWebhook
from revenue.models import Order, Product
from revenue.request_evidence import ip_country_from_request
from revenue.services.checkout import checkout_confirm, checkout_create
from revenue.services.payments import FINANCE_PERMISSION, bank_transfer_mark_received
from revenue.services.products import product_create, product_update
from revenue.services.sellers import seller_ensure_for_actor
from revenue.services.webhooks import webhook_receive

TAGS = ["revenue"]
ERROR = OpenApiResponse(description="Error body: {error: {code, message, fields}, request_id}")


def _orders() -> QuerySet[Order]:
    return Order.objects.select_related("organization").prefetch_related("lines", "payments")


def _order_response(order: Order, *, created: bool = False) -> Response:
    """201/200 with the order; 402 with the error body (and the order id) when the payment was declined; 202 while
    the gateway's answer is not known yet."""
    order = _orders().get(pk=order.pk)
    if order.state == Order.State.FAILED:
        payment = max(order.payments.all(), key=lambda p: (p.created_at, p.pk), default=None)
        body = error_body(
            "payment_declined", payment.failure_message if payment else "The payment failed.", None
        )
        body["error"]["decline_code"] = payment.failure_code if payment else ""
        body["error"]["order"] = str(order.public_id)
        return Response(body, status=status.HTTP_402_PAYMENT_REQUIRED)
    code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    if order.state == Order.State.PENDING:
        code = status.HTTP_202_ACCEPTED
    return Response(OrderOutput(order).data, status=code)


class CheckoutCreateView(APIView):
    scope_area = "revenue"

    @extend_schema(
        tags=TAGS,
        operation_id="revenue_checkout_create",
        summary="Buy items (checkout)",
        description="Prices the items server-side, applies tax, charges through the gateway and returns the order. "
        "`state`: paid, requires_action (3-D Secure: POST .../confirm/), awaiting_transfer (bank transfer: see "
        "next_action), pending (202: the gateway's answer is not known yet; poll GET). A declined payment answers "
        "402 with the error body (`decline_code`, `order`). Tax evidence: the IP country comes from the header "
        "named by REVENUE_IP_COUNTRY_HEADER (set by the platform's proxy), never from the body.",
        request=CheckoutInput,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: OrderOutput, 202: OrderOutput, 400: ERROR, 402: ERROR, 403: ERROR, 404: ERROR},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = CheckoutInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        order = checkout_create(
            buyer=request.user,
            items=[(item["type"], item["id"], item["quantity"]) for item in values["items"]],
            currency=values["currency"],
            payment_method=values["payment_method"],
            gateway=values["gateway"] or None,
            organization=values["organization"],
            billing_country=values["billing_country"],
            ip_country=ip_country_from_request(request),
            vat_number=values["vat_number"],
            coupon=values["coupon"],
        )
        response = _order_response(order, created=True)
        if response.status_code in (201, 202):
            response["Location"] = f"/api/v1/revenue/checkouts/{order.public_id}/"
        return response


class CheckoutDetailView(APIView):
    scope_area = "revenue"

    @extend_schema(
        tags=TAGS,
        operation_id="revenue_checkout_retrieve",
        summary="A checkout (its buyer only)",
        responses={200: OrderOutput, 404: ERROR},
    )
    def get(self, request: Request, public_id: str) -> Response:
        order = get_object_or_404(_orders(), public_id=public_id, buyer=request.user)
        return Response(OrderOutput(order).data)


class CheckoutConfirmView(APIView):
    scope_area = "revenue"

    @extend_schema(
        tags=TAGS,
        operation_id="revenue_checkout_confirm",
        summary="Finish a checkout after 3-D Secure",
        request=None,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={200: OrderOutput, 402: ERROR, 404: ERROR, 409: ERROR},
    )
    @idempotent
    def post(self, request: Request, public_id: str) -> Response:
        order = get_object_or_404(Order, public_id=public_id, buyer=request.user)
        order = checkout_confirm(order=order, actor=request.user)
        return _order_response(order)


class BankTransferReceivedView(APIView):
    scope_area = "revenue"

    @extend_schema(
        tags=TAGS,
        operation_id="revenue_bank_transfer_received",
        summary="Mark a bank transfer received (finance)",
        description="Captures the order's bank-transfer payment and posts the sale. The amount must be exactly "
        "the order's total and the reference the one issued to the buyer. Needs accounts.manage_finance.",
        request=BankTransferReceivedInput,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={200: OrderOutput, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    @idempotent
    def post(self, request: Request, public_id: str) -> Response:
        if not request.user.has_perm(FINANCE_PERMISSION):
            raise PermissionDenied("Only finance staff can mark bank transfers received.")
        order = get_object_or_404(Order, public_id=public_id)
        data = BankTransferReceivedInput(data=request.data)
        data.is_valid(raise_exception=True)
        order = bank_transfer_mark_received(
            order=order,
            actor=request.user,
            amount=data.validated_data["amount"],
            reference=data.validated_data["reference"],
        )
        return Response(OrderOutput(_orders().get(pk=order.pk)).data)


def _own_products(user: Any) -> Q:
    """Products of the sellers the user manages: their own, and their organisations' (as owner or admin)."""
    own = Q(seller__user=user)
    organizations = [o.id for o in accounts.organizations_for_user(user.pk) if o.role in ("owner", "admin")]
    if organizations:
        own |= Q(seller__organization_id__in=organizations)
    return own


def _visible_products(request: Request) -> QuerySet[Product]:
    return Product.objects.select_related("seller").filter(Q(is_active=True) | _own_products(request.user))


class ProductListCreateView(APIView):
    scope_area = "revenue"

    @extend_schema(
        tags=TAGS,
        operation_id="revenue_products_list",
        summary="Products on sale (plus your own inactive ones)",
        parameters=[
            OpenApiParameter("mine", bool, description="Only the products of sellers you manage."),
            OpenApiParameter("seller", str, description="Only this seller's products (public id)."),
            OpenApiParameter("currency", str),
        ],
        responses={200: ProductOutput(many=True)},
    )
    def get(self, request: Request) -> Response:
        products = _visible_products(request)
        if request.query_params.get("mine") in ("1", "true", "True"):
            products = products.filter(_own_products(request.user))
        if seller := request.query_params.get("seller"):
            try:
                products = products.filter(seller__public_id=uuid.UUID(seller))
            except ValueError as exc:
                raise ValidationError("Not a valid seller id.", field="seller") from exc
        if currency := request.query_params.get("currency"):
            products = products.filter(currency=currency.upper())
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(products.order_by("name", "id"), request, view=self)
        return paginator.get_paginated_response(ProductOutput(page, many=True).data)

    @extend_schema(
        tags=TAGS,
        operation_id="revenue_products_create",
        summary="Create a product (as a seller)",
        request=ProductInput,
        responses={201: ProductOutput, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    def post(self, request: Request) -> Response:
        data = ProductInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        product = product_create(
            seller=seller_ensure_for_actor(user=request.user, public_id=values["seller"]),
            actor=request.user,
            name=values["name"],
            description=values["description"],
            unit_amount=values["unit_amount"],
            currency=values["currency"],
            volume_tiers=values["volume_tiers"],
        )
        return Response(ProductOutput(product).data, status=status.HTTP_201_CREATED)


class ProductDetailView(APIView):
    scope_area = "revenue"

    def _product(self, request: Request, public_id: str) -> Product:
        return get_object_or_404(_visible_products(request), public_id=public_id)

    @extend_schema(
        tags=TAGS,
        operation_id="revenue_products_retrieve",
        summary="A product",
        responses={200: ProductOutput, 404: ERROR},
    )
    def get(self, request: Request, public_id: str) -> Response:
        return Response(ProductOutput(self._product(request, public_id)).data)

    @extend_schema(
        tags=TAGS,
        operation_id="revenue_products_update",
        summary="Change a product (its seller only)",
        request=ProductPatchInput,
        responses={200: ProductOutput, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    def patch(self, request: Request, public_id: str) -> Response:
        product = self._product(request, public_id)
        data = ProductPatchInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        product = product_update(product=product, actor=request.user, **data.validated_data)
        return Response(ProductOutput(product).data)


class WebhookView(APIView):
    """Gateways call this without our authentication; the signature is the authentication."""

    scope_area = "revenue"
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @extend_schema(
        tags=TAGS,
        operation_id="revenue_webhook_receive",
        summary="Gateway webhook (signed by the gateway)",
        description="Verified with the gateway's signing secret (Stripe-Signature for stripe, Local-Signature for "
        "local_test). Each event is applied once; redeliveries of an event id change nothing. An event stored but "
        "not applied (its effect failed) answers 422 so the gateway redelivers it.",
        request={"application/json": dict},
        responses={200: WebhookOutput, 400: ERROR, 404: ERROR, 422: WebhookOutput},
        auth=[],
    )
    def post(self, request: Request, gateway: str) -> Response:
        try:
            event = webhook_receive(gateway=gateway, payload=request.body, headers=request.headers)
        except GatewayNotEnabled:
            return Response(
                error_body("not_found", "Unknown payment gateway."), status=status.HTTP_404_NOT_FOUND
            )
        except InvalidWebhook as exc:
            return Response(error_body("invalid_signature", str(exc)), status=status.HTTP_400_BAD_REQUEST)
        processed = event.processed_at is not None
        # Not applied (its effect failed with a domain error, e.g. an amount mismatch): a non-2xx answer makes
        # the gateway redeliver it (Stripe: for three days), and each redelivery tries again.
        return Response(
            {"received": True, "event": event.event_id, "processed": processed, "outcome": event.outcome},
            status=status.HTTP_200_OK if processed else status.HTTP_422_UNPROCESSABLE_ENTITY,
        )

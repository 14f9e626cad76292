"""Subscriptions API under /api/v1/revenue/subscriptions/: plans, a buyer's subscriptions and their changes,
finance's dunning queue and recovery metrics. Thin: parse, check who may act, call a service or selector,
render. POSTs that move money (start, change, cancel, resume, payment method, retry) honour Idempotency-Key."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from novacron.accounts import facade as accounts
from novacron.core.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from novacron.core.api.pagination import DefaultPagination
from novacron.core.exceptions import NotFound, PermissionDenied
from revenue.api.operations_views import ERROR, PUBLIC_ID, FinanceOperationsApi, OperationsApi
from revenue.api.subscription_serializers import (
    DunningRowOutput,
    MetricsOutput,
    MetricsQuery,
    PaymentMethodInput,
    PlanInput,
    PlanOutput,
    PlanPatchInput,
    SubscriptionCancelInput,
    SubscriptionChangeInput,
    SubscriptionOutput,
    SubscriptionStartInput,
)
from revenue.exceptions import ValidationError
from revenue.models import Plan, Subscription
from revenue.selectors.sellers import seller_organization_ids
from revenue.selectors.subscriptions import (
    dunning_queue,
    metrics_window,
    plan_detail,
    plans_active,
    recovery_metrics,
    subscription_visible_to,
    subscriptions_for_buyer,
)
from revenue.services.dunning import charge_retry_now
from revenue.services.products import seller_can_manage
from revenue.services.sellers import seller_ensure_for_actor
from revenue.services.subscriptions import (
    plan_upsert,
    subscription_cancel,
    subscription_change,
    subscription_payment_method_set,
    subscription_resume,
    subscription_start,
)

TAGS = ["revenue-subscriptions"]
MONEY_RESPONSES = {200: SubscriptionOutput, 400: ERROR, 402: ERROR, 403: ERROR, 404: ERROR, 409: ERROR}


def _subscription(request: Request, public_id: Any) -> Subscription:
    subscription = subscription_visible_to(user=request.user, public_id=public_id)
    if subscription is None:
        raise NotFound("No such subscription among yours.")
    return subscription


def _plan(public_id: Any) -> Plan:
    plan = plan_detail(public_id=public_id)
    if plan is None:
        raise NotFound("No such plan.")
    return plan


def _render(subscription: Subscription, code: int = status.HTTP_200_OK) -> Response:
    subscription.refresh_from_db()
    return Response(SubscriptionOutput(subscription).data, status=code)


class PlanListView(OperationsApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_plan_list",
        summary="Plans on offer",
        responses={200: PlanOutput(many=True)},
    )
    def get(self, request: Request) -> Response:
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(plans_active(), request, view=self)
        return paginator.get_paginated_response(PlanOutput(page, many=True).data)

    @extend_schema(
        tags=TAGS,
        operation_id="revenue_plan_create",
        summary="Create a plan (sellers)",
        description="A recurring per-seat price of a seller you manage (default: your own developer seller). "
        'The key is "revenue.plan:<slug>"; apps create plans for their items through revenue.facade.plan_upsert.',
        request=PlanInput,
        responses={201: PlanOutput, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    def post(self, request: Request) -> Response:
        data = PlanInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        seller = seller_ensure_for_actor(user=request.user, public_id=values.pop("seller", None))
        key = f"revenue.plan:{values.pop('slug')}"
        plan = plan_upsert(key=key, seller=seller, values=values, actor=request.user, create_only=True)
        return Response(PlanOutput(plan).data, status=status.HTTP_201_CREATED)


class PlanDetailView(OperationsApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_plan_retrieve",
        summary="A plan",
        parameters=[PUBLIC_ID],
        responses={200: PlanOutput, 404: ERROR},
    )
    def get(self, request: Request, public_id: str) -> Response:
        return Response(PlanOutput(_plan(public_id)).data)

    @extend_schema(
        tags=TAGS,
        operation_id="revenue_plan_update",
        summary="Update a plan (its seller)",
        description="A new price applies from each subscriber's next renewal.",
        parameters=[PUBLIC_ID],
        request=PlanPatchInput,
        responses={200: PlanOutput, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    def patch(self, request: Request, public_id: str) -> Response:
        plan = _plan(public_id)
        if not seller_can_manage(seller=plan.seller, user=request.user):
            raise PermissionDenied("Only the plan's seller can change it.")
        data = PlanPatchInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        plan = plan_upsert(
            key=plan.key, seller=plan.seller, values=dict(data.validated_data), actor=request.user
        )
        return Response(PlanOutput(plan).data)


class SubscriptionListView(OperationsApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_subscription_list",
        summary="My subscriptions",
        description="Yours and those of organisations you bill for (owner, admin, billing).",
        responses={200: SubscriptionOutput(many=True)},
    )
    def get(self, request: Request) -> Response:
        rows = subscriptions_for_buyer(
            user_id=request.user.pk, organization_ids=seller_organization_ids(user_id=request.user.pk)
        )
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(SubscriptionOutput(page, many=True).data)

    @extend_schema(
        tags=TAGS,
        operation_id="revenue_subscription_create",
        summary="Subscribe to a plan",
        description="Stores the payment method for renewals. With a trial nothing is charged until it ends; "
        "otherwise the first period is charged now: 201 active, or 402 when the card was declined (the "
        "subscription is then canceled).",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=SubscriptionStartInput,
        responses={201: SubscriptionOutput, 400: ERROR, 402: ERROR, 403: ERROR, 404: ERROR},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = SubscriptionStartInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        plan = plan_detail(public_id=values["plan"])
        if plan is None:
            raise ValidationError("No such plan.", field="plan")
        organization_id = None
        if values["organization"]:
            organization = accounts.organization_get(values["organization"])
            if organization is None:
                raise ValidationError("Unknown organisation.", field="organization")
            organization_id = organization.id
        subscription = subscription_start(
            buyer=request.user,
            plan=plan,
            seats=values["seats"],
            payment_method=values["payment_method"],
            organization_id=organization_id,
            billing_country=values["billing_country"],
        )
        if subscription.state == Subscription.State.CANCELED:
            charge = subscription.charges.first()
            body = {
                "error": {
                    "code": "payment_declined",
                    "message": "The first payment was declined: "
                    f"{charge.last_failure_code if charge else 'failed'}.",
                    "fields": {},
                    "subscription": str(subscription.public_id),
                }
            }
            return Response(body, status=status.HTTP_402_PAYMENT_REQUIRED)
        response = _render(subscription, status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/revenue/subscriptions/{subscription.public_id}/"
        return response


class SubscriptionDetailView(OperationsApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_subscription_retrieve",
        summary="A subscription",
        description="With its recent charges and the retention offers available if you cancel.",
        parameters=[PUBLIC_ID],
        responses={200: SubscriptionOutput, 404: ERROR},
    )
    def get(self, request: Request, public_id: str) -> Response:
        return Response(SubscriptionOutput(_subscription(request, public_id)).data)


class SubscriptionChangeView(OperationsApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_subscription_change",
        summary="Change plan or seats",
        description="Costing more per year: applied now, the rest of the period prorated and charged "
        "(402 if declined: nothing changes). Costing less: at the period end (pending_plan/seats).",
        parameters=[PUBLIC_ID, IDEMPOTENCY_KEY_PARAMETER],
        request=SubscriptionChangeInput,
        responses=MONEY_RESPONSES,
    )
    @idempotent
    def post(self, request: Request, public_id: str) -> Response:
        subscription = _subscription(request, public_id)
        data = SubscriptionChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        plan = None
        if data.validated_data.get("plan"):
            plan = plan_detail(public_id=data.validated_data["plan"])
            if plan is None:
                raise ValidationError("No such plan.", field="plan")
        subscription_change(
            subscription=subscription, actor=request.user, plan=plan, seats=data.validated_data.get("seats")
        )
        return _render(subscription)


class SubscriptionCancelView(OperationsApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_subscription_cancel",
        summary="Cancel (or take an offer)",
        description="`accept_offer` keeps the subscription with a retention offer (see "
        "retention_offers); otherwise the offers are recorded as declined and it is canceled at the "
        "period end, or now with the unused time refunded.",
        parameters=[PUBLIC_ID, IDEMPOTENCY_KEY_PARAMETER],
        request=SubscriptionCancelInput,
        responses=MONEY_RESPONSES,
    )
    @idempotent
    def post(self, request: Request, public_id: str) -> Response:
        subscription = _subscription(request, public_id)
        data = SubscriptionCancelInput(data=request.data)
        data.is_valid(raise_exception=True)
        subscription_cancel(subscription=subscription, actor=request.user, **data.validated_data)
        return _render(subscription)


class SubscriptionResumeView(OperationsApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_subscription_resume",
        summary="Resume",
        description="Undo a cancellation scheduled for the period end, or end a pause now (a new "
        "period is charged).",
        parameters=[PUBLIC_ID, IDEMPOTENCY_KEY_PARAMETER],
        request=None,
        responses=MONEY_RESPONSES,
    )
    @idempotent
    def post(self, request: Request, public_id: str) -> Response:
        subscription = _subscription(request, public_id)
        subscription_resume(subscription=subscription, actor=request.user)
        return _render(subscription)


class SubscriptionPaymentMethodView(OperationsApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_subscription_payment_method",
        summary="Update payment method",
        description="Stored for renewals; a past-due subscription's overdue payment is retried at once.",
        parameters=[PUBLIC_ID, IDEMPOTENCY_KEY_PARAMETER],
        request=PaymentMethodInput,
        responses=MONEY_RESPONSES,
    )
    @idempotent
    def post(self, request: Request, public_id: str) -> Response:
        subscription = _subscription(request, public_id)
        data = PaymentMethodInput(data=request.data)
        data.is_valid(raise_exception=True)
        subscription_payment_method_set(
            subscription=subscription,
            actor=request.user,
            payment_method=data.validated_data["payment_method"],
        )
        return _render(subscription)


class DunningQueueView(FinanceOperationsApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_dunning_queue",
        summary="Dunning queue (finance)",
        description="Past-due renewals, soonest retry first.",
        responses={200: DunningRowOutput(many=True)},
    )
    def get(self, request: Request) -> Response:
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(dunning_queue().select_related("order"), request, view=self)
        return paginator.get_paginated_response(DunningRowOutput(page, many=True).data)


class DunningRetryView(FinanceOperationsApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_dunning_retry",
        summary="Retry an overdue payment now (finance)",
        parameters=[PUBLIC_ID, IDEMPOTENCY_KEY_PARAMETER],
        request=None,
        responses=MONEY_RESPONSES,
    )
    @idempotent
    def post(self, request: Request, public_id: str) -> Response:
        subscription = _subscription(request, public_id)  # finance sees every subscription
        charge_retry_now(subscription=subscription, actor=request.user)
        return _render(subscription)


class RecoveryMetricsView(FinanceOperationsApi):
    @extend_schema(
        tags=TAGS,
        operation_id="revenue_recovery_metrics",
        summary="Recovery metrics (finance)",
        description="Revenue recovered by dunning (per currency, net of tax), recovery rate, and "
        "involuntary churn (suspended for non-payment) in [start, end).",
        parameters=[MetricsQuery],
        responses={200: MetricsOutput, 400: ERROR},
    )
    def get(self, request: Request) -> Response:
        query = MetricsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        start, end = metrics_window(query.validated_data.get("start"), query.validated_data.get("end"))
        metrics = recovery_metrics(start=start, end=end)
        data = {
            **metrics.__dict__,
            "recovery_rate": metrics.recovery_rate,
            "involuntary_churn_rate": metrics.involuntary_churn_rate,
        }
        return Response(MetricsOutput(data).data)

"""Installing, buying, trials, uninstalling and seats (entitlements and usage: selectors/entitlements.py,
selectors/usage.py, services/usage.py).

Paid plans are sold through revenue's checkout (item type "marketplace.app_plan", registered in apps.py):
`resolve_plan` prices a plan for the buyer (the 90-day kept price included), `fulfil_paid_line` creates or
extends the installation once the payment commits and `revoke_refunded_line` revokes it after a full refund.
Both hooks are idempotent through `Purchase.order_line_id`.
"""

import uuid
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from marketplace.exceptions import Conflict, NotFound, PermissionDenied, ValidationError
from marketplace.models import App, AppVersion, Installation, Plan, Purchase, SeatAssignment
from marketplace.models.installs import LIVE_STATES
from marketplace.selectors.entitlements import current_subscription, holder_filter
from marketplace.selectors.organizations import MANAGER_ROLES
from marketplace.selectors.pricing import price_for_customer
from marketplace.services.permissions import require_org_admin
from novacron.accounts import facade as accounts_facade
from novacron.core.services.audit import audit_record
from revenue import facade as revenue_facade

ITEM_TYPE = "marketplace.app_plan"
PERIODS = {Plan.Interval.MONTH: timedelta(days=30), Plan.Interval.YEAR: timedelta(days=365)}
# Billed by revenue's subscriptions (services/subscriptions.py), not bought through one-off checkout.
RECURRING = (Plan.Model.SUBSCRIPTION, Plan.Model.PER_SEAT, Plan.Model.USAGE)
M = Plan.Model
St = Installation.Status


def require_holder(user: Any, organization_id: int | None) -> None:
    if organization_id is not None:
        require_org_admin(user, organization_id)


def installable_version(app: App) -> AppVersion:
    """The published version to install (read from the database: the caller's instance may be stale)."""
    version = AppVersion.objects.filter(
        app_id=app.pk, app__is_listed=True, state=AppVersion.State.PUBLISHED
    ).first()
    if version is None:
        raise Conflict("This app has no published version to install.", code="not_published")
    return version


def recount(app_id: int) -> None:
    App.objects.filter(pk=app_id).update(
        install_count=Installation.objects.filter(app_id=app_id, status__in=LIVE_STATES).count()
    )


def live_installation(app: App, *, user_id: int | None, organization_id: int | None) -> Installation | None:
    return (
        Installation.objects.select_for_update()
        .filter(
            app=app,
            status__in=LIVE_STATES,
            **holder_filter(user_id=user_id, organization_id=organization_id),
        )
        .first()
    )


def plan_of(app: App, plan: Plan) -> Plan:
    if plan.app_id != app.pk or not plan.is_active:
        raise ValidationError("Choose one of this app's plans.", field="plan")
    return plan


def install(
    *, app: App, plan: Plan, user: Any, organization_id: int | None = None, now: Any = None
) -> Installation:
    """Install a free plan, or reinstall a paid licence that is still valid (perpetual, or within its paid
    period or subscription). Paid plans otherwise go through `purchase_start` or `subscriptions.subscribe`."""
    plan = plan_of(app, plan)
    require_holder(user, organization_id)
    now = now or timezone.now()
    with transaction.atomic():
        App.objects.select_for_update().get(pk=app.pk)  # serialise installs of this app per holder check
        version = installable_version(app)
        if live_installation(app, user_id=user.pk, organization_id=organization_id):
            raise Conflict("The app is already installed here.", code="already_installed")
        holder = holder_filter(user_id=user.pk, organization_id=organization_id)
        if plan.is_paid:
            previous = (
                Installation.objects.select_for_update(of=("self",))
                .filter(
                    Q(purchases__state=Purchase.State.PAID) | Q(subscription_id__isnull=False),
                    app=app,
                    plan=plan,
                    status=St.UNINSTALLED,
                    **holder,
                )
                .order_by("-created_at")
                .first()
            )
            if previous is None or (previous.current_period_end and previous.current_period_end <= now):
                raise ValidationError(
                    "This plan is paid: buy or subscribe to it.", field="plan", code="payment_required"
                )
            previous.status, previous.ended_at, previous.version = St.ACTIVE, None, version
            previous.granted_scopes = version.scopes
            previous.save()
            installation = previous
        else:
            installation = Installation.objects.create(
                app=app,
                plan=plan,
                version=version,
                installed_by=user,
                status=St.ACTIVE,
                granted_scopes=version.scopes,
                price_currency=plan.currency,
                price_amount=plan.unit_amount if plan.model == M.USAGE else 0,
                **holder,
            )
        recount(app.pk)
        audit_record(
            actor=user,
            action="marketplace.install",
            obj=installation,
            after={"plan": plan.name, "scopes": installation.granted_scopes, "organization": organization_id},
        )
    return installation


def trial_start(
    *, app: App, plan: Plan, user: Any, organization_id: int | None = None, now: Any = None
) -> Installation:
    """Start the plan's free trial: once per customer and app."""
    plan = plan_of(app, plan)
    require_holder(user, organization_id)
    if not plan.trial_days:
        raise ValidationError("This plan has no free trial.", field="plan")
    now = now or timezone.now()
    holder = holder_filter(user_id=user.pk, organization_id=organization_id)
    with transaction.atomic():
        App.objects.select_for_update().get(pk=app.pk)
        version = installable_version(app)
        if live_installation(app, user_id=user.pk, organization_id=organization_id):
            raise Conflict("The app is already installed here.", code="already_installed")
        if Installation.objects.filter(app=app, trial_ends_at__isnull=False, **holder).exists():
            raise Conflict("The free trial of this app was already used here.", code="trial_used")
        installation = Installation.objects.create(
            app=app,
            plan=plan,
            version=version,
            installed_by=user,
            status=St.TRIAL,
            granted_scopes=version.scopes,
            trial_ends_at=now + timedelta(days=plan.trial_days),
            seats=1,
            price_currency=plan.currency,
            **holder,
        )
        recount(app.pk)
        audit_record(
            actor=user, action="marketplace.trial_start", obj=installation, after={"plan": plan.name}
        )
    return installation


def purchase_start(
    *,
    app: App,
    plan: Plan,
    user: Any,
    payment_method: str,
    organization_id: int | None = None,
    seats: int = 1,
    gateway: str | None = None,
    billing_country: str = "",
) -> Any:
    """Buy a paid plan through revenue's checkout. Returns revenue's OrderSummary; the installation appears
    when the order is paid (at once with a card that needs no authentication)."""
    plan = plan_of(app, plan)
    require_holder(user, organization_id)
    installable_version(app)
    if not plan.is_paid:
        raise ValidationError("This plan costs nothing: install it directly.", field="plan")
    if plan.model in RECURRING:
        raise ValidationError("This plan is a subscription: subscribe to it instead.", field="plan")
    live = Installation.objects.filter(
        app=app, status__in=LIVE_STATES, **holder_filter(user_id=user.pk, organization_id=organization_id)
    ).first()
    check_seats(plan, seats, organization_id=organization_id, live=live)
    if live and live.status == St.ACTIVE and live.plan_id == plan.pk and live.current_period_end is None:
        raise Conflict("This licence is already owned here.", code="already_owned")
    return revenue_facade.checkout(
        buyer_id=user.pk,
        items=[(ITEM_TYPE, str(plan.public_id), seats)],
        currency=plan.currency,
        payment_method=payment_method,
        gateway=gateway,
        organization_id=organization_id,
        billing_country=billing_country or getattr(user, "country", ""),
    )


def check_seats(plan: Plan, seats: int, *, organization_id: int | None, live: Installation | None) -> None:
    """Seats are bought for organisations on per-seat plans, never fewer than are assigned."""
    if isinstance(seats, bool) or not isinstance(seats, int) or seats < 1:
        raise ValidationError("Choose at least one seat.", field="seats")
    if plan.model != M.PER_SEAT and seats != 1:
        raise ValidationError("Only per-seat plans are bought by the seat.", field="seats")
    if organization_id is None and plan.model == M.PER_SEAT and seats != 1:
        raise ValidationError("Buy several seats for an organisation.", field="seats")
    if live and live.plan.model == M.PER_SEAT and seats < live.seat_assignments.count():
        raise ValidationError(
            f"{live.seat_assignments.count()} seats are assigned; unassign some before buying fewer.",
            field="seats",
        )


# --- revenue hooks ----------------------------------------------------------------------------------------------


def resolve_plan(*, item_id: str, quantity: int, buyer_id: int, currency: str) -> Any:
    """revenue's resolver: the plan's price for this buyer (kept price for existing customers)."""
    try:
        plan = Plan.objects.select_related("app", "app__publisher").get(public_id=uuid.UUID(str(item_id)))
    except (ValueError, Plan.DoesNotExist) as exc:
        raise revenue_facade.UnknownItem(f'No app plan "{item_id}".') from exc
    if not plan.is_active or not plan.app.is_listed:
        raise ValidationError(f'"{plan}" is not on sale.', code="item_inactive")
    if not plan.is_paid:
        raise ValidationError(f'"{plan}" is free: install it instead.', code="item_free")
    if plan.model in RECURRING:
        raise ValidationError(f'"{plan}" is a subscription: subscribe to it instead.', code="item_recurring")
    if plan.model != M.PER_SEAT and quantity != 1:
        raise ValidationError("Only per-seat plans are bought in a quantity.", field="quantity")
    org_ids = [o.id for o in accounts_facade.organizations_for_user(buyer_id) if o.role in MANAGER_ROLES]
    price = price_for_customer(plan=plan, user_id=buyer_id, organization_ids=org_ids)
    interval = f" ({plan.get_interval_display().lower()})" if plan.interval else ""
    return revenue_facade.PricedItem(
        seller_id=plan.app.publisher.seller_id,
        item_type=ITEM_TYPE,
        item_id=str(plan.public_id),
        description=f"{plan.app.name} — {plan.name}{interval}",
        unit_amount=price.amount,
        currency=plan.currency,
        quantity=quantity,
        metadata={"app": plan.app.slug, "plan": str(plan.public_id), "grandfathered": price.grandfathered},
    )


def released_version(app: App) -> AppVersion:
    # Money was taken: fulfil even if the version was suspended between checkout and payment.
    version = app.versions.filter(
        state__in=[AppVersion.State.PUBLISHED, AppVersion.State.DEPRECATED, AppVersion.State.SUSPENDED]
    ).first()
    if version is None:  # pragma: no cover - a plan is only sold while the app is listed
        raise Conflict("The app has no released version.")
    return version


def fulfil_paid_line(line: Any, *, now: Any = None) -> Installation | None:
    """on_paid: create, renew or change the buyer's installation. Idempotent per order line."""
    now = now or timezone.now()
    plan = Plan.objects.select_related("app").get(public_id=uuid.UUID(line.item_id))
    app = plan.app
    organization_id = line.organization_id
    with transaction.atomic():
        App.objects.select_for_update().get(pk=app.pk)
        if Purchase.objects.filter(order_line_id=line.order_line_id).exists():
            return None
        installation = live_installation(app, user_id=line.buyer_id, organization_id=organization_id)
        version = released_version(app)
        period = PERIODS.get(plan.interval)
        unit = line.net_amount // max(line.quantity, 1)
        if installation is None:
            installation = Installation(
                app=app,
                installed_by_id=line.buyer_id,
                version=version,
                granted_scopes=version.scopes,
                **holder_filter(user_id=line.buyer_id, organization_id=organization_id),
            )
            start = now
        else:
            start = (
                installation.current_period_end
                if (
                    installation.status == St.ACTIVE
                    and installation.plan_id == plan.pk
                    and installation.current_period_end
                    and installation.current_period_end > now
                )
                else now
            )
        installation.plan = plan
        installation.status = St.ACTIVE
        installation.seats = line.quantity if plan.model == M.PER_SEAT else 1
        installation.current_period_end = start + period if period else None
        installation.price_amount, installation.price_currency = unit, line.currency
        installation.ended_at = None
        installation.save()
        Purchase.objects.create(
            order_id=uuid.UUID(str(line.order_id)),
            order_line_id=line.order_line_id,
            installation=installation,
            plan=plan,
            buyer_id=line.buyer_id,
            quantity=line.quantity,
            net_amount=line.net_amount,
            currency=line.currency,
        )
        recount(app.pk)
        audit_record(
            actor=get_user_model().objects.filter(pk=line.buyer_id).first(),
            action="marketplace.purchase.fulfil",
            obj=installation,
            after={"order": str(line.order_id), "plan": plan.name, "seats": installation.seats},
        )
    return installation


def revoke_refunded_line(line: Any, *, now: Any = None) -> None:
    """on_refunded: a fully refunded line revokes the licence it paid for (partial refunds keep it)."""
    if not (line.metadata or {}).get("fully_refunded", True):
        return
    with transaction.atomic():
        purchase = Purchase.objects.select_for_update().filter(order_line_id=line.order_line_id).first()
        if purchase is None or purchase.state == Purchase.State.REFUNDED:
            return
        purchase.state, purchase.refunded_at = Purchase.State.REFUNDED, now or timezone.now()
        purchase.save(update_fields=["state", "refunded_at"])
        installation = Installation.objects.select_for_update().get(pk=purchase.installation_id)
        still_paid = installation.purchases.filter(state=Purchase.State.PAID).exists()
        if installation.is_live and not still_paid:
            installation.status, installation.ended_at = St.REVOKED, purchase.refunded_at
            installation.save(update_fields=["status", "ended_at", "updated_at"])
            recount(installation.app_id)
        audit_record(
            actor=None,
            action="marketplace.purchase.refunded",
            obj=installation,
            after={"order": str(line.order_id), "status": installation.status},
        )


# --- managing installations ------------------------------------------------------------------------------------


def can_manage_installation(user: Any, installation: Installation) -> bool:
    if installation.organization_id:
        return accounts_facade.user_can_manage_organization(user.pk, installation.organization_id)
    return installation.user_id == user.pk


def _require_manager(user: Any, installation: Installation) -> None:
    if not can_manage_installation(user, installation):
        raise PermissionDenied("Only the installation's owner (or the organisation's admins) may do that.")


def uninstall(*, installation: Installation, user: Any, now: Any = None) -> Installation:
    """Uninstall. A subscription paying for it then ends at its period end (no further charges; the licence
    runs until then and a reinstall within it costs nothing)."""
    _require_manager(user, installation)
    current = current_subscription(installation)
    if current is not None and not current.cancel_at_period_end:
        revenue_facade.subscription_cancel(
            subscription_id=current.id, actor_id=user.pk, at_period_end=True, reason="App uninstalled"
        )
    with transaction.atomic():
        installation = Installation.objects.select_for_update().get(pk=installation.pk)
        if not installation.is_live:
            raise Conflict("The app is not installed.")
        installation.status, installation.ended_at = St.UNINSTALLED, now or timezone.now()
        installation.save(update_fields=["status", "ended_at", "updated_at"])
        installation.seat_assignments.all().delete()
        recount(installation.app_id)
        audit_record(actor=user, action="marketplace.uninstall", obj=installation)
    return installation


def seat_assign(*, installation: Installation, user: Any, member_id: int) -> SeatAssignment:
    _require_manager(user, installation)
    if not installation.organization_id or installation.plan.model != M.PER_SEAT:
        raise ValidationError("Seats are assigned on organisation installations of per-seat plans.")
    if member_id not in accounts_facade.organization_member_ids(installation.organization_id):
        raise ValidationError("Only members of the organisation can get a seat.", field="user")
    with transaction.atomic():
        installation = Installation.objects.select_for_update().get(pk=installation.pk)  # lock, then count
        if not installation.is_live:
            raise Conflict("The app is not installed.")
        if installation.seat_assignments.count() >= installation.seats:
            raise Conflict(
                f"All {installation.seats} seats are assigned; buy more seats first.", code="no_seats_left"
            )
        try:
            with transaction.atomic():
                seat = SeatAssignment.objects.create(
                    installation=installation, user_id=member_id, assigned_by=user
                )
        except IntegrityError as exc:
            raise Conflict("This member already has a seat.", field="user") from exc
        audit_record(
            actor=user, action="marketplace.seat.assign", obj=installation, after={"user": member_id}
        )
    return seat


def seat_unassign(*, installation: Installation, user: Any, member_id: int) -> None:
    _require_manager(user, installation)
    with transaction.atomic():
        deleted, _ = SeatAssignment.objects.filter(installation=installation, user_id=member_id).delete()
        if not deleted:
            raise NotFound("This member has no seat.", field="user")
        audit_record(
            actor=user, action="marketplace.seat.unassign", obj=installation, before={"user": member_id}
        )


def installations_expire(*, now: Any = None) -> int:
    """Lapsed trials and paid periods become expired (the entitlement API already treats them so)."""
    now = now or timezone.now()
    count = 0
    with transaction.atomic():
        # Subscription installations are ended by revenue's events (see services/subscriptions.py).
        lapsed = Installation.objects.select_for_update().filter(
            status=St.TRIAL, trial_ends_at__lte=now
        ) | Installation.objects.select_for_update().filter(
            status=St.ACTIVE, current_period_end__lte=now, subscription_id__isnull=True
        )
        app_ids = set()
        for installation in lapsed:
            installation.status, installation.ended_at = St.EXPIRED, now
            installation.save(update_fields=["status", "ended_at", "updated_at"])
            audit_record(actor=None, action="marketplace.expire", obj=installation)
            app_ids.add(installation.app_id)
            count += 1
        for app_id in app_ids:
            recount(app_id)
    return count

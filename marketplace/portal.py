"""The marketplace's hooks into lower layers, registered once from MarketplaceConfig.ready:

- revenue item type "marketplace.app_plan" (price resolver, on_paid fulfilment, on_refunded revocation);
- revenue's subscription listener (recurring plans' installations follow their subscriptions) and usage meter;
- reviewer/staff permissions on marketplace models in the Django admin;
- the dashboard panel (your apps, installs and what waits for you).
"""

from typing import Any

from django.http import HttpRequest

from novacron.accounts import facade as accounts_facade
from novacron.core.portal import DashboardPanel, register_dashboard_panel
from revenue import facade as revenue_facade

REVIEWER_ADMIN_PERMISSIONS = [
    f"marketplace.{action}_{model}"
    for model in (
        "app",
        "appversion",
        "checkresult",
        "reviewcomment",
        "review",
        "abusereport",
        "certificationrequest",
        "badge",
        "publisher",
        "installation",
        "plan",
    )
    for action in ("view",)
] + ["marketplace.change_review", "marketplace.change_abusereport"]


def _on_paid(line: Any) -> None:
    from marketplace.services.installs import fulfil_paid_line

    fulfil_paid_line(line)


def _on_refunded(line: Any) -> None:
    from marketplace.services.installs import revoke_refunded_line

    revoke_refunded_line(line)


def _resolve(**kwargs: Any) -> Any:
    from marketplace.services.installs import resolve_plan

    return resolve_plan(**kwargs)


def _on_subscription_change(change: Any) -> None:
    from marketplace.services.subscriptions import on_subscription_change

    on_subscription_change(change)


def _usage_meter(subscription_id: str, start: Any, end: Any) -> int:
    from marketplace.services.subscriptions import usage_meter

    return usage_meter(subscription_id, start, end)


def dashboard_context(request: HttpRequest) -> dict[str, Any]:
    from marketplace.selectors.console import dashboard_summary

    return dashboard_summary(request.user)


def register_portal() -> None:
    from marketplace.services.installs import ITEM_TYPE

    revenue_facade.register_item_type(
        revenue_facade.ItemType(name=ITEM_TYPE, resolve=_resolve, on_paid=_on_paid, on_refunded=_on_refunded)
    )
    revenue_facade.register_subscription_listener(_on_subscription_change)
    revenue_facade.register_usage_meter("marketplace.plan:", _usage_meter)
    for role in (accounts_facade.PlatformRole.REVIEWER, accounts_facade.PlatformRole.STAFF):
        accounts_facade.register_role_permissions(role, REVIEWER_ADMIN_PERMISSIONS)
    register_dashboard_panel(
        DashboardPanel(
            key="marketplace", template="marketplace/panel.html", context=dashboard_context, order=20
        )
    )

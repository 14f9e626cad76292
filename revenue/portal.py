"""Revenue's place in the portal shell: its dashboard panel, and what the finance role may see in the admin.

`register_portal()` is called once from RevenueConfig.ready.
"""

from typing import Any

from django.http import HttpRequest

from novacron.accounts import facade as accounts_facade
from novacron.core.money import Money
from novacron.core.portal import DashboardPanel, register_dashboard_panel
from revenue import selectors

FINANCE_PERMISSION = "accounts.manage_finance"

# The finance role reads every revenue record in the Django admin (changes go through the services: the
# admin's ledger is read-only for everyone, and its actions call services).
FINANCE_ADMIN_PERMISSIONS = [
    f"revenue.view_{model}"
    for model in (
        "account",
        "journalentry",
        "posting",
        "order",
        "orderline",
        "payment",
        "refund",
        "dispute",
        "payout",
        "payoutaccount",
        "seller",
        "sellertierchange",
        "exchangerate",
        "product",
        "gatewayevent",
    )
] + ["revenue.change_exchangerate", "revenue.add_exchangerate", "revenue.change_seller"]


def dashboard_context(request: HttpRequest) -> dict[str, Any]:
    """Balances of the user's sellers and their five latest purchases (five queries at most)."""
    user = request.user
    sellers = selectors.sellers_for_user(user_id=user.pk)
    balances = selectors.seller_balances(seller_ids=[s.pk for s in sellers]) if sellers else {}
    is_finance = user.has_perm(FINANCE_PERMISSION)
    return {
        "balances": [(seller, balances.get(seller.pk, [])) for seller in sellers],
        "recent_orders": [
            (order, Money(order.total, order.currency))
            for order in selectors.recent_orders_for_buyer(buyer_id=user.pk, limit=5)
        ],
        "is_finance": is_finance,
        "finance": selectors.finance_overview() if is_finance else None,
    }


def register_portal() -> None:
    """Register the "Earnings & purchases" dashboard panel and the finance role's admin permissions."""
    register_dashboard_panel(
        DashboardPanel(key="revenue", template="revenue/panel.html", context=dashboard_context, order=30)
    )
    accounts_facade.register_role_permissions(accounts_facade.PlatformRole.FINANCE, FINANCE_ADMIN_PERMISSIONS)

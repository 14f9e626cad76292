"""The accounts panel on the portal dashboard (registered from AccountsConfig.ready)."""

from typing import Any

from django.http import HttpRequest

from novacron.accounts import selectors
from novacron.core.portal import DashboardPanel

MAX_ORGANIZATIONS = 5


def account_panel_context(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "roles": selectors.user_platform_roles(user=user),
        "organizations": list(selectors.organizations_for_user(user=user)[:MAX_ORGANIZATIONS]),
        "invitations": list(selectors.invitations_pending_for_user(user=user)[:10]),
        "mfa_enabled": selectors.user_has_totp(user=user),
        "active_tokens": selectors.active_api_tokens(user=user).count(),
    }


ACCOUNT_PANEL = DashboardPanel(
    key="accounts", template="accounts/panel.html", context=account_panel_context, order=10
)

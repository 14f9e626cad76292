from rest_framework.permissions import SAFE_METHODS, BasePermission

from novacron.accounts.models import ApiToken
from novacron.accounts.scopes import scopes_allow, view_area


class TokenHasScope(BasePermission):
    """Requests authenticated with an API token must hold a scope for the view's area; session requests
    are not limited by scopes."""

    message = "This API token lacks the scope for this request."

    def has_permission(self, request, view) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return True
        area = view_area(view)
        write = request.method not in SAFE_METHODS
        self.message = f"This API token needs the '{area}:{'write' if write else 'read'}' (or '{'write' if write else 'read'}') scope."
        return scopes_allow(token.scopes, area=area, write=write)

"""The organisations a user may act for in the marketplace: one role rule for the portal and the API.

The rule is the one the services enforce (`require_org_admin`): a user acts for an organisation — installs, buys,
publishes, gets its kept prices — only as its owner or admin. Plain members may read its installations
(`to_manage=False`), as the portal's installations page shows them.
"""

from typing import Any

from marketplace.exceptions import NotFound
from novacron.accounts import facade as accounts_facade

MANAGER_ROLES = frozenset({"owner", "admin"})


def managed_organizations(user: Any) -> list[Any]:
    """Organisations the user owns or administers: the ones they may install, buy and publish for."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [o for o in accounts_facade.organizations_for_user(user.pk) if o.role in MANAGER_ROLES]


def organization_id_of(ref: Any, user: Any, *, to_manage: bool = True) -> int | None:
    """An organisation id, slug or public id (or "" / None: no organisation) → its id. With `to_manage` (acting
    for it) the user must be an owner or admin, otherwise any member; else NotFound on `organization`, so a
    portal form and the API refuse the same choices with the same message (never a silent fallback to the
    user themselves)."""
    if ref is None or str(ref).strip() == "":
        return None
    ref = str(ref).strip()
    organization = accounts_facade.organization_get(int(ref) if ref.isdigit() else ref)
    role = organization and accounts_facade.organization_role(user.pk, organization.id)
    if not role or (to_manage and role not in MANAGER_ROLES):
        message = "Choose an organisation you own or administer." if to_manage else "No such organisation."
        raise NotFound(message, field="organization")
    return organization.id

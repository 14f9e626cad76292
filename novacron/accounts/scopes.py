"""API token scopes: `read`/`write` for everything, or `<area>:read`/`<area>:write` for one area.

A view's area is its `scope_area` attribute, else the top-level package of its module (novacron.accounts →
"account"). `write` implies `read`.
"""

AREAS = ("account", "revenue", "marketplace", "devex", "certification", "growth")

SCOPES: dict[str, str] = {
    "read": "Read everything your account can see",
    "write": "Create and change things on your behalf in every area",
}
for _area in AREAS:
    SCOPES[f"{_area}:read"] = f"Read {_area}"
    SCOPES[f"{_area}:write"] = f"Create and change things in {_area}"

SCOPE_CHOICES = list(SCOPES.items())


def view_area(view: object) -> str:
    explicit = getattr(view, "scope_area", None)
    if explicit:
        return explicit
    module = type(view).__module__
    return "account" if module.startswith("novacron.") else module.split(".", 1)[0]


def scopes_allow(scopes: list[str], *, area: str, write: bool) -> bool:
    granted = set(scopes)
    if write:
        return bool({"write", f"{area}:write"} & granted)
    return bool({"read", "write", f"{area}:read", f"{area}:write"} & granted)

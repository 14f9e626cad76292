from typing import Any

from django.conf import settings
from django.http import HttpRequest

from novacron.core.portal import nav_items


def portal(request: HttpRequest) -> dict[str, Any]:
    return {"nav_items": nav_items(request), "site_name": "NovaCron Community", "debug_mode": settings.DEBUG}

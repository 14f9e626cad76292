"""The dashboard's Community panel."""

from typing import Any

from django.http import HttpRequest

from growth.models import RSVP, ChapterMember
from growth.selectors.events import my_tickets


def panel_context(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {"rsvps": [], "chapters": [], "tickets": 0}
    return {
        "rsvps": list(
            RSVP.objects.filter(user=user, state__in=["going", "waitlisted"], event__state="published")
            .select_related("event")
            .order_by("event__starts_at")[:5]
        ),
        "chapters": list(ChapterMember.objects.filter(user=user).select_related("chapter")[:5]),
        "tickets": my_tickets(user).filter(state="valid").count(),
    }

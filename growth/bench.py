"""Community endpoints measured by `python -m bench.http` (see novacron.core.bench)."""

from datetime import timedelta
from typing import Any

from novacron.core.bench import Endpoint, register, register_seed


@register_seed
def seed(user: Any) -> dict[str, str]:
    from django.utils import timezone

    from growth.models import Chapter, Event

    chapter = Chapter.objects.create(
        slug="bench-city",
        name="NovaCron Bench City",
        city="Bench City",
        country="DE",
        region="europe",
        timezone="Europe/Berlin",
    )
    for i in range(30):
        Chapter.objects.create(
            slug=f"bench-city-{i}",
            name=f"NovaCron Bench {i}",
            city=f"Bench {i}",
            country="FR",
            region="europe",
            timezone="Europe/Paris",
        )
    start = timezone.now() + timedelta(days=30)
    event = Event.objects.create(
        slug="bench-meetup",
        chapter=chapter,
        title="Bench meetup",
        timezone="Europe/Berlin",
        venue_address="Street 1",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=100,
    )
    return {"growth_event": event.slug}


register(
    Endpoint(
        name="growth-chapters",
        path="/api/v1/growth/chapters/?region=europe",
        description="Chapter directory filtered by region (public, paginated).",
    )
)
register(
    Endpoint(
        name="growth-event",
        path="/api/v1/growth/events/{growth_event}/",
        description="One event (public): venue hidden for non-attendees.",
    )
)
register(
    Endpoint(
        name="growth-event-page",
        path="/community/events/{growth_event}/",
        description="The event's portal page (template, times in two timezones).",
    )
)

"""Finding submissions whose check tasks were lost (a worker died), so the hourly task can run them again."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from marketplace.models import AppVersion


def stale_submissions(
    *, older_than: timedelta = timedelta(minutes=15), now: Any = None
) -> list[tuple[int, int]]:
    cutoff = (now or timezone.now()) - older_than
    return list(
        AppVersion.objects.filter(state=AppVersion.State.SUBMITTED, submitted_at__lt=cutoff).values_list(
            "pk", "submission"
        )
    )

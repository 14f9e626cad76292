"""The marketplace demo: made through the services and the real pipeline, idempotent."""

import io

import pytest

from marketplace import demo
from marketplace.models import App, AppVersion, Badge, Installation, Purchase, Review
from novacron.accounts import demo as accounts_demo


@pytest.mark.django_db(transaction=True)
def test_seed_twice_gives_one_catalog_with_every_state(settings):
    accounts_demo.seed(io.StringIO())
    out = io.StringIO()
    lines = demo.seed(out)
    counts = (
        App.objects.count(),
        AppVersion.objects.count(),
        Installation.objects.count(),
        Review.objects.count(),
        Purchase.objects.count(),
    )
    demo.seed(io.StringIO())

    assert (
        App.objects.count(),
        AppVersion.objects.count(),
        Installation.objects.count(),
        Review.objects.count(),
        Purchase.objects.count(),
    ) == counts
    assert App.objects.count() >= 50
    assert App.objects.filter(is_listed=True).values("vertical").distinct().count() >= 5
    states = set(AppVersion.objects.values_list("state", flat=True))
    assert {"published", "in_review", "rejected", "deprecated", "suspended"} <= states
    assert AppVersion.objects.filter(state="rejected", decision_reason__contains="security").exists()
    assert Purchase.objects.exists()
    assert Installation.objects.filter(organization__isnull=False, seats=5).exists()
    assert Review.objects.exists()
    assert Badge.objects.filter(kind="enterprise_ready").exists()
    assert any("/marketplace/" in line for line in lines)

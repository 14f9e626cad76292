"""Endpoints of the marketplace measured by `python -m bench.http` (registry: novacron/core/bench.py), and the
catalog they run against: BENCH_MARKETPLACE_APPS listed apps (default 1,000; `python -m bench.marketplace`
uses 10,000), written in bulk with realistic text so the full-text index and the facets have real work."""

from __future__ import annotations

import os
import random
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings

from novacron.core.bench import Endpoint, register, register_seed

DEFAULT_APPS = 1_000
LANGS = ("en", "de", "fr")
QUERY_RANK = 100  # the HTTP run searches for the 100th most frequent word of the corpus


@lru_cache(maxsize=1)
def vocabulary() -> list[str]:
    """Words (4+ letters) of docs/*.md, most frequent first: the listings are drawn from them with Zipf
    weights, so a query matches a realistic share of the catalog (a frequent word many apps, a rare one few)."""
    counts: Counter[str] = Counter()
    for path in Path(settings.BASE_DIR, "docs").rglob("*.md"):
        counts.update(w.lower() for w in re.findall(r"[A-Za-z]{4,}", path.read_text(encoding="utf-8")))
    return [word for word, _ in counts.most_common()]


register(
    Endpoint(
        name="marketplace-search",
        path="/api/v1/marketplace/apps/?q={mkt_query}",
        description="Catalog full-text search (ranked tsvector) with all six facets' counts, anonymous.",
    )
)
register(
    Endpoint(
        name="marketplace-app",
        path="/marketplace/{mkt_app_slug}/",
        description="Server-rendered app page: listing, plans, screenshots, rating distribution, reviews.",
    )
)


def _sentence(rng: random.Random, n: int) -> str:
    words = vocabulary()
    weights = _zipf_weights(len(words))
    return " ".join(rng.choices(words, cum_weights=weights, k=n))


@lru_cache(maxsize=4)
def _zipf_weights(n: int) -> list[float]:
    total, cumulative = 0.0, []
    for rank in range(1, n + 1):
        total += 1 / rank
        cumulative.append(total)
    return cumulative


@register_seed
def seed_catalog(user: Any) -> dict[str, str]:
    """Bulk-create the bench catalog (one publisher, apps with plans, languages and a published version)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from marketplace.models import App, AppLanguage, AppVersion, Category, Plan, Publisher, Vertical
    from marketplace.models.catalog import language_bit, price_bit
    from revenue import facade as revenue_facade

    count = int(os.environ.get("BENCH_MARKETPLACE_APPS", DEFAULT_APPS))
    rng = random.Random(7)  # noqa: S311 (reproducible bench data, not secrets)
    categories = list(Category.objects.all())
    verticals = list(Vertical.values)
    now = timezone.now()
    with transaction.atomic():
        publisher = Publisher.objects.create(
            kind=Publisher.Kind.USER,
            display_name="Bench Publisher",
            slug="bench-publisher",
            user=user,
            seller_id=revenue_facade.seller_for_user(user.pk, "Bench Publisher"),
        )
        apps = [
            App(
                publisher=publisher,
                name=f"{_sentence(rng, 2).title()} {i}",
                slug=f"bench-app-{i}",
                tagline=_sentence(rng, 8),
                description=_sentence(rng, rng.randint(80, 200)),
                category=categories[i % len(categories)],
                vertical=verticals[i % len(verticals)],
                is_listed=True,
                published_at=now,
                install_count=rng.randint(0, 5000),
                rating_average=f"{rng.uniform(1, 5):.2f}",
                rating_count=rng.randint(0, 300),
                price_model_bits=price_bit("free" if i % 3 else "subscription"),
                language_bits=language_bit(LANGS[i % 3]),
            )
            for i in range(count)
        ]
        App.objects.bulk_create(apps, batch_size=1000)
        apps = list(App.objects.filter(publisher=publisher).only("pk").order_by("pk"))
        Plan.objects.bulk_create(
            [
                Plan(app=a, name="Free", model="free")
                if i % 3
                else Plan(app=a, name="Pro", model="subscription", interval="month", amount=1900)
                for i, a in enumerate(apps)
            ],
            batch_size=1000,
        )
        AppLanguage.objects.bulk_create(
            [AppLanguage(app=a, code=LANGS[i % 3]) for i, a in enumerate(apps)], batch_size=1000
        )
        AppVersion.objects.bulk_create(
            [
                AppVersion(app=a, version="1.0.0", major=1, state="published", published_at=now, manifest={})
                for a in apps
            ],
            batch_size=1000,
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh statistics, as autovacuum would give a live database
            cursor.execute("ANALYZE")
    return {"mkt_query": vocabulary()[QUERY_RANK], "mkt_app_slug": f"bench-app-{count // 2}"}

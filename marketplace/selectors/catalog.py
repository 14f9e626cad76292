"""The catalog: filters, facets with counts, sorting and full-text search.

PostgreSQL: `websearch_to_tsquery('english', q)` against the stored, GIN-indexed `search_vector` (name A >
tagline B > description C, stemmed), ranked with `ts_rank`. SQLite (development): every word must appear in
the name, tagline or description (icontains), ranked by where it appears (name 4, tagline 2, description 1,
plus 2 when the whole query is in the name), the same order of weights.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Expression,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.lookups import Exact
from django.utils import timezone

from marketplace.models import App, Badge, Category, Plan, Vertical
from marketplace.models.catalog import LANGUAGES, PRICE_MODELS, language_bit, price_bit
from marketplace.models.certification import BadgeKind
from marketplace.selectors.cache import cache_key, cached

SORTS = {
    "relevance": "Relevance",
    "rating": "Rating",
    "installs": "Most installed",
    "newest": "Newest",
}
RATING_STEPS = (4, 3, 2)
MAX_QUERY_LENGTH = 200


@dataclass
class CatalogQuery:
    q: str = ""
    category: str = ""
    vertical: str = ""
    price_model: str = ""
    min_rating: int | None = None
    certification: str = ""
    language: str = ""
    tag: str = ""
    sort: str = ""

    @classmethod
    def from_params(cls, params: Any) -> "CatalogQuery":
        def get(name: str) -> str:
            return str(params.get(name) or "").strip()

        rating = get("min_rating")
        return cls(
            q=get("q")[:MAX_QUERY_LENGTH],
            category=get("category"),
            vertical=get("vertical") if get("vertical") in Vertical.values else "",
            price_model=get("price_model") if get("price_model") in Plan.Model.values else "",
            min_rating=int(rating) if rating.isdigit() and 1 <= int(rating) <= 5 else None,
            certification=get("certification") if get("certification") in BadgeKind.values else "",
            language=get("language") if get("language") in LANGUAGES else "",
            tag=get("tag"),
            sort=get("sort") if get("sort") in SORTS else "",
        )

    @property
    def effective_sort(self) -> str:
        return self.sort or ("relevance" if self.q else "installs")


@dataclass
class Facet:
    key: str
    label: str
    options: list[dict[str, Any]] = field(default_factory=list)


class _TsExpression(Expression):
    """`template` over the app table's generated `search_vector` column and websearch_to_tsquery('english', q).
    The column is addressed through the query's own alias, so the expression also works inside subqueries."""

    template = ""

    def __init__(self, q: str) -> None:
        super().__init__()
        self.q = q

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        column = f"{compiler.quote_name_unless_alias(compiler.query.base_table)}.search_vector"
        return self.template.format(vector=column, query="websearch_to_tsquery('english', %s)"), [self.q]


class SearchMatch(_TsExpression):
    template = "{vector} @@ {query}"
    output_field = BooleanField()


class SearchRank(_TsExpression):
    template = "ts_rank({vector}, {query})"
    output_field = FloatField()


def _match(qs: QuerySet, q: str) -> QuerySet:
    """Only apps matching the query (PostgreSQL: the GIN-indexed tsvector; SQLite: every word somewhere)."""
    if settings.IS_POSTGRES:
        return qs.filter(SearchMatch(q))
    for word in q.split()[:10]:
        qs = qs.filter(Q(name__icontains=word) | Q(tagline__icontains=word) | Q(description__icontains=word))
    return qs


def _search(qs: QuerySet, q: str) -> QuerySet:
    """Matching apps annotated with `rank`."""
    qs = _match(qs, q)
    if settings.IS_POSTGRES:
        return qs.annotate(rank=SearchRank(q))
    score: Any = Value(0)
    for word in q.split()[:10]:
        score = score + _contains_score("name", word, 4) + _contains_score("tagline", word, 2)
        score = score + _contains_score("description", word, 1)
    score = score + _contains_score("name", q, 2)
    return qs.annotate(rank=ExpressionWrapper(score, output_field=FloatField()))


def _contains_score(field_name: str, word: str, weight: int) -> Any:
    from django.db.models import Case, When

    return Case(
        When(**{f"{field_name}__icontains": word}, then=Value(weight)),
        default=Value(0),
        output_field=IntegerField(),
    )


def _has_bit(field: str, bit: int) -> Exact:
    return Exact(F(field).bitand(bit), bit)


def _filtered(query: CatalogQuery, *, skip: str = "", now: Any = None) -> QuerySet:
    qs = App.objects.filter(is_listed=True)
    if query.category and skip != "category":
        qs = qs.filter(category__slug=query.category)
    if query.vertical and skip != "vertical":
        qs = qs.filter(vertical=query.vertical)
    if query.price_model and skip != "price_model":
        qs = qs.filter(_has_bit("price_model_bits", price_bit(query.price_model)))
    if query.min_rating and skip != "min_rating":
        qs = qs.filter(rating_average__gte=Decimal(query.min_rating), rating_count__gt=0)
    if query.certification and skip != "certification":
        qs = qs.filter(pk__in=_badge_holders(query.certification, now))
    if query.language and skip != "language":
        qs = qs.filter(_has_bit("language_bits", language_bit(query.language)))
    if query.tag and skip != "tag":
        qs = qs.filter(tags__slug=query.tag)
    return qs


def _badge_holders(kind: str, now: Any) -> QuerySet:
    return Badge.objects.filter(
        kind=kind, revoked_at__isnull=True, expires_at__gt=now or timezone.now()
    ).values("app_id")


def catalog_apps(query: CatalogQuery, *, now: Any = None) -> QuerySet:
    """Listed apps matching the query, sorted; each with `rank` when searching."""
    qs = _filtered(query, now=now)
    if query.q:
        qs = _search(qs, query.q)
    order = {
        "relevance": ["-rank", "-install_count", "name"] if query.q else ["-install_count", "name"],
        "rating": ["-rating_average", "-rating_count", "name"],
        "installs": ["-install_count", "name"],
        "newest": [F("published_at").desc(nulls_last=True), "name"],
    }[query.effective_sort]
    return qs.order_by(*order)


class CatalogResults:
    """A sliceable, countable (`known_count` when the facet pass already counted) view of `catalog_apps` for Paginator and the API that fetches a page in two steps:
    the ordered ids (and rank) of the slice, from the index-backed match and a narrow sort, then only those
    rows with their category and publisher. Sorting full rows would detoast every match's description."""

    def __init__(self, queryset: QuerySet, *, ranked: bool, known_count: int | None = None) -> None:
        self.queryset, self.ranked, self.known_count = queryset, ranked, known_count

    def count(self) -> int:
        if self.known_count is None:
            self.known_count = self.queryset.order_by().count()
        return self.known_count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list[App]:
        fields = ("pk", "rank") if self.ranked else ("pk",)
        sql, params = self.queryset.query.sql_with_params()
        keys = cached(
            cache_key("page", sql, params, item.start, item.stop),
            lambda: list(self.queryset.values_list(*fields)[item]),
        )
        rows = (
            App.objects.select_related("category", "publisher")
            .defer("description")
            .in_bulk([k[0] for k in keys])
        )
        page = []
        for key in keys:
            app = rows[key[0]]
            app.rank = key[1] if self.ranked else None
            page.append(app)
        return page


def catalog_results(
    query: CatalogQuery, *, now: Any = None, known_count: int | None = None
) -> CatalogResults:
    return CatalogResults(catalog_apps(query, now=now), ranked=bool(query.q), known_count=known_count)


def _option(value: str, label: str, count: int, selected: bool) -> dict[str, Any]:
    return {"value": value, "label": label, "count": count, "selected": selected}


def catalog_facets(query: CatalogQuery, *, now: Any = None) -> list[Facet]:
    """Counts per facet value. Each facet is counted with every other filter applied but its own, so
    choosing a value shows what the alternatives would give (the usual faceted-search behaviour).

    All six facets are conditional counts (price and language through the denormalised bitmasks, badges
    through the few current holders) in one query per distinct filter set: one pass over the matching apps when
    no facet filter is chosen, one more per chosen facet."""
    return catalog_search_facets(query, now=now)[1]


def catalog_search_facets(query: CatalogQuery, *, now: Any = None) -> tuple[int, list[Facet]]:
    """(number of matching apps, facets) — the count comes out of the same pass; cached briefly (see
    selectors.cache) unless `now` is given."""
    if now is not None:
        return _search_facets(query, now=now)
    return cached(
        cache_key("facets", sorted(query.__dict__.items())), lambda: _search_facets(query, now=None)
    )


def _search_facets(query: CatalogQuery, *, now: Any = None) -> tuple[int, list[Facet]]:
    now = now or timezone.now()
    categories = list(Category.objects.values_list("id", "slug", "name"))
    holders: dict[str, list[int]] = {kind: [] for kind in BadgeKind.values}
    for app_id, kind in Badge.objects.filter(revoked_at__isnull=True, expires_at__gt=now).values_list(
        "app_id", "kind"
    ):
        holders[kind].append(app_id)
    slugs = {pk: slug for pk, slug, _name in categories}
    keys_all = ("category", "vertical", "price_model", "min_rating", "certification", "language")
    groups: dict[str, list[str]] = {"": []}
    for key in keys_all:
        groups.setdefault(key if getattr(query, key) else "", []).append(key)
    counts: dict[str, dict[str, int]] = {key: {} for key in keys_all}
    total = 0
    bucket = Case(
        *[When(rating_count__gt=0, rating_average__gte=step, then=Value(step)) for step in RATING_STEPS],
        default=Value(0),
        output_field=IntegerField(),
    )
    for skip, keys in groups.items():
        qs = _filtered(query, skip=skip, now=now)
        qs = _match(qs, query.q) if query.q else qs
        # One grouped pass: few distinct (category, vertical, prices, languages, rating) combinations.
        found: dict[str, dict[str, int]] = {key: {} for key in keys_all}
        group_total = 0
        rows = qs.values_list("category_id", "vertical", "price_model_bits", "language_bits", bucket)
        for category_id, vertical, price_bits, language_bits, stars, n in rows.annotate(
            n=Count("id")
        ).order_by():
            group_total += n
            found["category"][slugs.get(category_id, "")] = (
                found["category"].get(slugs.get(category_id, ""), 0) + n
            )
            found["vertical"][vertical] = found["vertical"].get(vertical, 0) + n
            for model in PRICE_MODELS:
                if price_bits & price_bit(model):
                    found["price_model"][model] = found["price_model"].get(model, 0) + n
            for code in LANGUAGES:
                if language_bits & language_bit(code):
                    found["language"][code] = found["language"].get(code, 0) + n
            for step in RATING_STEPS:
                if stars >= step:
                    found["min_rating"][str(step)] = found["min_rating"].get(str(step), 0) + n
        if "certification" in keys:  # few holders: a primary-key lookup each
            found["certification"] = {
                kind: qs.filter(pk__in=ids).count() if ids else 0 for kind, ids in holders.items()
            }
        if not skip:
            total = group_total
        for key in keys:
            counts[key] = found[key]

    def options(key: str, choices: Any, selected: Any) -> list[dict[str, Any]]:
        return [
            {
                "value": value,
                "label": label,
                "count": counts[key].get(value, 0),
                "selected": selected == value,
            }
            for value, label in choices
        ]

    language_choices = [
        (c, label) for c, label in LANGUAGES.items() if counts["language"].get(c) or query.language == c
    ]
    facets = [
        Facet(
            "category",
            "Category",
            options("category", [(slug, name) for _pk, slug, name in categories], query.category),
        ),
        Facet("vertical", "Vertical", options("vertical", Vertical.choices, query.vertical)),
        Facet("price_model", "Price", options("price_model", Plan.Model.choices, query.price_model)),
        Facet(
            "min_rating",
            "Rating",
            options(
                "min_rating", [(str(s), f"{s}★ & up") for s in RATING_STEPS], str(query.min_rating or "")
            ),
        ),
        Facet(
            "certification", "Certification", options("certification", BadgeKind.choices, query.certification)
        ),
        Facet("language", "Language", options("language", language_choices, query.language)),
    ]
    return total, facets


def app_badges(app_ids: list[int], *, now: Any = None) -> dict[int, list[str]]:
    """Current badge kinds per app id (one query for a page of results)."""
    result: dict[int, list[str]] = {}
    for app_id, kind in Badge.objects.filter(
        app_id__in=app_ids, revoked_at__isnull=True, expires_at__gt=now or timezone.now()
    ).values_list("app_id", "kind"):
        result.setdefault(app_id, []).append(kind)
    return result


def lowest_prices(app_ids: list[int]) -> dict[int, Plan]:
    """The entry plan of each app (free first, then the cheapest), for result cards."""
    best: dict[int, Plan] = {}
    rank = {Plan.Model.FREE: 0}
    for plan in Plan.objects.filter(app_id__in=app_ids, is_active=True).order_by("amount", "position"):
        current = best.get(plan.app_id)
        if current is None or rank.get(plan.model, 1) < rank.get(current.model, 1):
            best[plan.app_id] = plan
    return best

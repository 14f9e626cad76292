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
from marketplace.models.catalog import LANGUAGE_BITS, LANGUAGES, PRICE_BITS, language_bit, price_bit
from marketplace.models.certification import BadgeKind
from marketplace.selectors.cache import cache_key, cached, ttl
from marketplace.selectors.catalog_pass import grouped_and_first_page

SORTS = {
    "relevance": "Relevance",
    "rating": "Rating",
    "installs": "Most installed",
    "newest": "Newest",
}
RATING_STEPS = (4, 3, 2)
BADGE_KINDS = tuple(BadgeKind.values)
FIRST_KEYS = 100  # result ids the facet pass returns: the first page at any page size the API allows
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
        "relevance": ["-rank", "-install_count", "name", "id"]
        if query.q
        else ["-install_count", "name", "id"],
        "rating": ["-rating_average", "-rating_count", "name", "id"],
        "installs": ["-install_count", "name", "id"],
        "newest": [F("published_at").desc(nulls_last=True), "name", "id"],
    }[query.effective_sort]
    return qs.order_by(*order)


# What result cards and AppListSerializer show: the page's rows skip the description and the search vector.
CARD_FIELDS = (
    "id",
    "public_id",
    "slug",
    "name",
    "tagline",
    "vertical",
    "logo",
    "rating_average",
    "rating_count",
    "install_count",
    "published_at",
    "category",
    "category__slug",
    "category__name",
    "publisher",
    "publisher__display_name",
)


class CatalogResults:
    """A sliceable, countable view of `catalog_apps` for Paginator and the API (`known_count` when the facet
    pass already counted). A page is fetched in two steps: the ordered ids (and rank) of the slice, from the
    index-backed match and a narrow sort, then only those rows' card fields with their category and publisher.
    Sorting full rows would read every match's description."""

    def __init__(
        self,
        queryset: QuerySet,
        *,
        ranked: bool,
        known_count: int | None = None,
        key: Any = None,
        first_keys: list[tuple] | None = None,
    ) -> None:
        self.queryset, self.ranked, self.known_count, self.key = queryset, ranked, known_count, key
        self.first_keys = first_keys  # from the facet pass: the first FIRST_KEYS (id, rank), in order

    def count(self) -> int:
        if self.known_count is None:
            self.known_count = self.queryset.order_by().count()
        return self.known_count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list[App]:
        fields = ("pk", "rank") if self.ranked else ("pk",)

        def keys_of_slice() -> list[tuple]:
            return list(self.queryset.values_list(*fields)[item])

        first = self.first_keys
        if first is not None and (len(first) < FIRST_KEYS or (item.stop or 0) <= len(first)):
            keys = first[item]  # fewer than FIRST_KEYS: that is every match
        elif self.key is None or ttl() <= 0:
            keys = keys_of_slice()
        else:
            keys = cached(cache_key("page", self.key, item.start, item.stop), keys_of_slice)
        if not keys:
            return []
        rows = (
            App.objects.select_related("category", "publisher")
            .only(*CARD_FIELDS)
            .in_bulk([k[0] for k in keys])
        )
        page = []
        for key in keys:
            app = rows.get(key[0])
            if app is not None:  # a cached slice may name an app deleted since
                app.rank = key[1] if self.ranked else None
                page.append(app)
        return page


def catalog_results(
    query: CatalogQuery, *, now: Any = None, known_count: int | None = None
) -> CatalogResults:
    # The query's fields determine the slice (a given `now` only matters to tests, which skip the cache).
    key = None if now is not None else sorted(query.__dict__.items())
    return CatalogResults(
        catalog_apps(query, now=now), ranked=bool(query.q), known_count=known_count, key=key
    )


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
    """(number of matching apps, facets) — the count comes out of the same pass."""
    count, facets, _first = _search_facets_cached(query, now=now)
    return count, facets


def catalog_search(query: CatalogQuery, *, now: Any = None) -> tuple[int, list[Facet], CatalogResults]:
    """A search with its facets: (count, facets, results). The results' first FIRST_KEYS ids come out of the
    facet pass (selectors.catalog_pass), so a first page costs no second pass over the matches."""
    count, facets, first = _search_facets_cached(query, now=now)
    results = catalog_results(query, now=now, known_count=count)
    results.first_keys = first
    return count, facets, results


def _search_facets_cached(query: CatalogQuery, *, now: Any = None) -> tuple[int, list[Facet], list[tuple]]:
    """Cached briefly (see selectors.cache) unless `now` is given."""
    if now is not None:
        return _search_facets(query, now=now)
    return cached(
        cache_key("facets", sorted(query.__dict__.items())), lambda: _search_facets(query, now=None)
    )


def _search_facets(query: CatalogQuery, *, now: Any = None) -> tuple[int, list[Facet], list[tuple]]:
    now = now or timezone.now()
    categories = list(Category.objects.values_list("id", "slug", "name"))
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
    # Badge holders are few: each kind is a hashed subplan, counted in the same grouped pass.
    holders = {f"badge_{kind}": Q(pk__in=_badge_holders(kind, now)) for kind in BADGE_KINDS}
    first_keys: list[tuple] = []
    for skip, keys in groups.items():
        qs = _filtered(query, skip=skip, now=now)
        # One grouped pass: few distinct (category, vertical, prices, languages, rating) combinations.
        if skip:
            qs = _match(qs, query.q) if query.q else qs
            rows = qs.values("category_id", "vertical", "price_model_bits", "language_bits", stars=bucket)
            badges = {name: Count("id", filter=q) for name, q in holders.items()}
            aggregates = {"n": Count("id"), **(badges if "certification" in keys else {})}
            grouped = list(rows.annotate(**aggregates).order_by())
        else:  # the query's own filters: the same pass also yields the first page's ids
            one = grouped_and_first_page(
                _search(qs, query.q) if query.q else qs,
                group={"stars": bucket},
                flags={n: ExpressionWrapper(q, output_field=BooleanField()) for n, q in holders.items()}
                if "certification" in keys
                else {},
                sort=query.effective_sort,
                ranked=bool(query.q),
                limit=FIRST_KEYS,
            )
            grouped, first_keys = one.groups, one.first_keys
        found: dict[str, dict[str, int]] = {key: {} for key in keys_all}
        group_total = 0
        for row in grouped:
            n = row["n"]
            group_total += n
            _add(found["category"], slugs.get(row["category_id"], ""), n)
            _add(found["vertical"], row["vertical"], n)
            for model, bit in PRICE_BITS.items():
                if row["price_model_bits"] & bit:
                    _add(found["price_model"], model, n)
            for code, bit in LANGUAGE_BITS.items():
                if row["language_bits"] & bit:
                    _add(found["language"], code, n)
            for step in RATING_STEPS:
                if row["stars"] >= step:
                    _add(found["min_rating"], str(step), n)
            if "certification" in keys:
                for kind in BADGE_KINDS:
                    _add(found["certification"], kind, row[f"badge_{kind}"])
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
    return total, facets, first_keys


def _add(counter: dict[str, int], key: str, n: int) -> None:
    counter[key] = counter.get(key, 0) + n


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

"""One pass over a search's matching apps for both halves of a result page: the grouped facet counts and the
ids of the first results in the page's order.

Matching is the expensive part of a broad search (every candidate's search vector is read and decompressed);
doing it once instead of once for the facets and once for the ranked page halves that work. The matching apps
are a common table expression over the ORM's own filtered, ranked queryset; the grouped counts and the ordered
first ids are two branches of one UNION ALL over it (PostgreSQL and SQLite alike).
"""

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import QuerySet

GROUP_COLUMNS = ("category_id", "vertical", "price_model_bits", "language_bits", "stars")
ROW_FIELDS = ("id", "install_count", "name", "rating_average", "rating_count", "published_at")
# The page orders of selectors.catalog.catalog_apps, on the expression's columns (ids break the last ties).
ORDER_SQL = {
    "relevance": '"rank" DESC, "install_count" DESC, "name" ASC, "id" ASC',
    "installs": '"install_count" DESC, "name" ASC, "id" ASC',
    "rating": '"rating_average" DESC, "rating_count" DESC, "name" ASC, "id" ASC',
    "newest": '"published_at" DESC NULLS LAST, "name" ASC, "id" ASC',
}


@dataclass
class PassResult:
    groups: list[
        dict[str, Any]
    ]  # one per (category, vertical, price bits, language bits, stars): n and flags
    first_keys: list[tuple[int, float | None]]  # (id, rank) of the first `limit` results, in order


def grouped_and_first_page(
    matching: QuerySet, *, group: dict[str, Any], flags: dict[str, Any], sort: str, ranked: bool, limit: int
) -> PassResult:
    """`matching`: the filtered (and, when `ranked`, rank-annotated) apps. `group` adds the computed group
    columns (the rating bucket `stars`), `flags` boolean columns summed per group (badge holders). `sort` is a
    key of ORDER_SQL ("relevance" needs `ranked`)."""
    fields = [*ROW_FIELDS, *(("rank",) if ranked else ())]
    rows = matching.values(*fields, *(c for c in GROUP_COLUMNS if c not in group), **group, **flags)
    base, params = rows.order_by().query.sql_with_params()
    columns = ", ".join(f'"{c}"' for c in GROUP_COLUMNS)
    sums = "".join(f', SUM(CASE WHEN "{f}" THEN 1 ELSE 0 END)' for f in flags)
    blanks = ", ".join(["NULL"] * (len(GROUP_COLUMNS) + 1 + len(flags)))
    order = ORDER_SQL[sort if ranked or sort != "relevance" else "installs"]
    score = '"rank"' if ranked else "NULL"
    # Only fixed identifiers and the ORM's compiled SQL are interpolated; every value is a parameter. The NULL
    # fillers stay outside derived tables, so PostgreSQL types them from the other branch. The page branch is a
    # top-N sort; ROW_NUMBER() OVER () numbers its rows in that order (a full window sort would cost more).
    sql = (
        f"WITH m AS ({base}) "  # noqa: S608
        f"SELECT {columns}, COUNT(*){sums}, NULL, NULL, NULL FROM m GROUP BY {columns} "
        f"UNION ALL SELECT {blanks}, p.id, p.score, ROW_NUMBER() OVER () FROM "
        f'(SELECT "id" AS id, {score} AS score FROM m ORDER BY {order} LIMIT %s) p'
    )
    groups, page = [], []
    width = len(GROUP_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        for row in cursor.fetchall():
            if row[width] is None:  # no count: a page row
                page.append((row[-1], row[-3], None if row[-2] is None else float(row[-2])))
            else:
                found = dict(zip(GROUP_COLUMNS, row[:width], strict=True))
                found["n"] = row[width]
                found.update(zip(flags, row[width + 1 : width + 1 + len(flags)], strict=True))
                groups.append(found)
    page.sort()
    return PassResult(groups=groups, first_keys=[(pk, rank) for _pos, pk, rank in page])

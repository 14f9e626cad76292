"""Page-number pagination as the API does it: {"count", "next", "previous", "results"}.

`Page` is one page; `Paginator` walks the pages lazily. The `next` link is not followed as is: only its query
string is reused on the client's own base URL, so the token is never sent to another host (a proxy or a
misconfigured server could advertise one).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qsl, urlsplit

T = TypeVar("T")


@dataclass(frozen=True, kw_only=True)
class Page(Generic[T]):
    count: int
    results: tuple[T, ...]
    next_params: dict[str, str] | None = None
    """Query parameters of the next page, or None on the last page."""
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def has_next(self) -> bool:
        return self.next_params is not None

    def __iter__(self) -> Iterator[T]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)


def next_params(next_url: str | None) -> dict[str, str] | None:
    if not next_url:
        return None
    return dict(parse_qsl(urlsplit(next_url).query, keep_blank_values=True))


class Paginator(Generic[T]):
    """Iterate the items of every page, fetching each page only when it is reached.

    `limit` stops after that many items (None: all). `pages()` iterates the pages instead.
    """

    def __init__(
        self, fetch: Callable[[dict[str, Any]], Page[T]], params: dict[str, Any], *, limit: int | None = None
    ) -> None:
        self._fetch = fetch
        self._params = params
        self.limit = limit
        self.count: int | None = None
        """Total number of items the server reports, known once the first page is fetched."""

    def pages(self) -> Iterator[Page[T]]:
        params: dict[str, Any] | None = dict(self._params)
        while params is not None:
            page = self._fetch(params)
            self.count = page.count
            yield page
            params = page.next_params

    def __iter__(self) -> Iterator[T]:
        seen = 0
        for page in self.pages():
            for item in page.results:
                if self.limit is not None and seen >= self.limit:
                    return
                yield item
                seen += 1
            if self.limit is not None and seen >= self.limit:
                return

    def all(self) -> list[T]:
        return list(self)

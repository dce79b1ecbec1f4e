"""Pages of a fleet query for the item table: the fleet's rows behind the tables' page LRU."""

from __future__ import annotations

from typing import Protocol

from store.queries import ItemQuery, ItemRow, row_key
from tui.widgets.table_pages import PAGE_CACHE, PAGE_SIZE, RowPages


class ItemSource(Protocol):
    """Where the table reads rows from: `store.service.Service` is one."""

    def count_items(self, q: ItemQuery) -> int: ...

    def page_items(
        self, q: ItemQuery, *, limit: int, offset: int = 0, after: tuple[str, str] | None = None
    ) -> list[ItemRow]: ...


class ItemRows:
    """An `ItemSource` as a `RowReader`: backwards is the sort reversed, exact as names are
    unique."""

    backwards_ok = True

    def __init__(self, source: ItemSource) -> None:
        self._source = source

    def count(self, query: ItemQuery) -> int:
        return self._source.count_items(query)

    def read(
        self,
        query: ItemQuery,
        *,
        limit: int,
        offset: int = 0,
        after: ItemRow | None = None,
        backwards: bool = False,
    ) -> list[ItemRow]:
        if backwards:
            query = query.with_(descending=not query.descending)
        key = None if after is None else row_key(after)
        return self._source.page_items(query, limit=limit, offset=offset, after=key)


class ItemPages(RowPages[ItemQuery, ItemRow]):
    """The rows of one fleet query, a page at a time (see `RowPages`)."""

    def __init__(
        self, source: ItemSource, size: int = PAGE_SIZE, capacity: int = PAGE_CACHE
    ) -> None:
        super().__init__(ItemRows(source), ItemQuery(), size, capacity)

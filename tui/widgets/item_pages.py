"""Pages of a fleet query for the item table: a small LRU, read by keyset from cached neighbours."""

from __future__ import annotations

from collections import OrderedDict
from typing import Protocol

from store.queries import ItemQuery, ItemRow, row_key

PAGE_SIZE = 100
"""Rows fetched per query."""

PAGE_CACHE = 20
"""Pages kept (least recently used are dropped): a screen plus room to scroll back and forth."""


class ItemSource(Protocol):
    """Where the table reads rows from: `store.service.Service` is one."""

    def count_items(self, q: ItemQuery) -> int: ...

    def page_items(
        self, q: ItemQuery, *, limit: int, offset: int = 0, after: tuple[str, str] | None = None
    ) -> list[ItemRow]: ...


class ItemPages:
    """The rows of one query, read a page at a time and kept in an LRU of pages.

    A page is read by keyset when a neighbouring page is cached (after the last row of the
    page before, or backwards from the first row of the page after). Otherwise it is read by
    offset from whichever end of the result is nearer (the far end by reversing the sort,
    which is exact because names are unique), so the last page costs what the first does.
    """

    def __init__(
        self, source: ItemSource, size: int = PAGE_SIZE, capacity: int = PAGE_CACHE
    ) -> None:
        self._source = source
        self._size = size
        self._capacity = capacity
        self._pages: OrderedDict[int, list[ItemRow]] = OrderedDict()
        self.query = ItemQuery()
        """The query whose rows these are."""
        self.count = 0
        """How many rows the query matched when last counted."""
        self._window: tuple[int, list[ItemRow]] = (0, [])
        """(first index, rows) read by `reload`: the rows on screen, fresher than any page."""

    def reset(self, query: ItemQuery, count: int) -> None:
        """Hold `query`, which matches `count` rows; nothing is cached yet."""
        self.query, self.count = query, count
        self.clear()

    def clear(self) -> None:
        """Forget every cached page (the rows may have changed)."""
        self._pages.clear()
        self._window = (0, [])

    def cached(self, index: int) -> ItemRow | None:
        """The row at `index` if it is cached (never reads): what the screen shows now."""
        if not 0 <= index < self.count:
            return None
        start, rows = self._window
        if 0 <= index - start < len(rows):
            return rows[index - start]
        number, position = divmod(index, self._size)
        page = self._pages.get(number)
        return page[position] if page is not None and position < len(page) else None

    def shown(self, first: int, last: int) -> list[ItemRow | None]:
        """`cached` for rows `first`..`last`: the rows `reload` read for them, as they are."""
        start, rows = self._window
        if start == first and len(rows) == last - first + 1:
            return rows  # `reload` replaces the list, never changes it
        return [self.cached(index) for index in range(first, last + 1)]

    def reload(self, first: int, last: int) -> None:
        """Forget every cached row, then read rows `first`..`last` (those on screen) again, and
        only those: from whichever end of the result is nearer, in one query."""
        self.clear()
        first, last = max(first, 0), min(last, self.count - 1)
        if first > last:
            return
        q, limit = self.query, last - first + 1
        if first <= self.count - 1 - last:
            rows = self._source.page_items(q, limit=limit, offset=first)
        else:
            reverse = q.with_(descending=not q.descending)
            rows = self._source.page_items(reverse, limit=limit, offset=self.count - 1 - last)[::-1]
        self._window = (first, rows)

    def row(self, index: int) -> ItemRow | None:
        """The row at `index` in sort order (reading its page if needed), or None past the end."""
        if not 0 <= index < self.count:
            return None
        hit = self.cached(index)
        number, position = divmod(index, self._size)
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
        if hit is not None or page is not None:
            return hit
        page = self._pages[number] = self._fetch(number)
        if len(self._pages) > self._capacity:
            self._pages.popitem(last=False)
        return page[position] if position < len(page) else None

    def _fetch(self, number: int) -> list[ItemRow]:
        q, size, source = self.query, self._size, self._source
        start = number * size
        stop = min(start + size, self.count)
        reverse = q.with_(descending=not q.descending)
        before, after = self._pages.get(number - 1), self._pages.get(number + 1)
        if before is not None and len(before) == size:
            return source.page_items(q, limit=size, after=row_key(before[-1]))
        if after and stop - start == size:
            return source.page_items(reverse, limit=size, after=row_key(after[0]))[::-1]
        if start <= self.count - stop:
            return source.page_items(q, limit=size, offset=start)
        return source.page_items(reverse, limit=stop - start, offset=self.count - stop)[::-1]

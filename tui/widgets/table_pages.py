"""Pages of a virtual table's query: a small LRU, read by keyset from cached neighbours."""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, Protocol, TypeVar

Q = TypeVar("Q")
R = TypeVar("R")

PAGE_SIZE = 100
"""Rows fetched per query."""

PAGE_CACHE = 20
"""Pages kept (least recently used are dropped): a screen plus room to scroll back and forth."""


class RowReader(Protocol[Q, R]):
    """How a table's pages read one kind of row: a query's count, and its rows by offset or keyset.

    `after` is a row already read: the rows that follow it in the read's order (a keyset page).
    `backwards` reads the query's order reversed, from its last row; a reader that cannot
    (`backwards_ok` False) is only ever asked to read forwards.
    """

    backwards_ok: bool

    def count(self, query: Q) -> int: ...

    def read(
        self,
        query: Q,
        *,
        limit: int,
        offset: int = 0,
        after: R | None = None,
        backwards: bool = False,
    ) -> list[R]: ...


class RowPages(Generic[Q, R]):
    """The rows of one query, read a page at a time and kept in an LRU of pages.

    A page is read by keyset when a neighbouring page is cached (after the last row of the
    page before, or backwards from the first row of the page after). Otherwise it is read by
    offset from whichever end of the result is nearer (the far end backwards, which is exact
    when the order is total), so the last page costs what the first does.
    """

    def __init__(
        self, reader: RowReader[Q, R], query: Q, size: int = PAGE_SIZE, capacity: int = PAGE_CACHE
    ) -> None:
        self._reader = reader
        self._size = size
        self._capacity = capacity
        self._pages: OrderedDict[int, list[R]] = OrderedDict()
        self.query = query
        """The query whose rows these are."""
        self.count = 0
        """How many rows the query matched when last counted."""
        self._window: tuple[int, list[R]] = (0, [])
        """(first index, rows) read by `reload`: the rows on screen, fresher than any page."""

    def reset(self, query: Q, count: int) -> None:
        """Hold `query`, which matches `count` rows; nothing is cached yet."""
        self.query, self.count = query, count
        self.clear()

    def recount(self, query: Q | None = None) -> int:
        """Count the rows of `query` (by default the one held) now; the count held is kept."""
        return self._reader.count(self.query if query is None else query)

    def clear(self) -> None:
        """Forget every cached page (the rows may have changed)."""
        self._pages.clear()
        self._window = (0, [])

    def cached(self, index: int) -> R | None:
        """The row at `index` if it is cached (never reads): what the screen shows now."""
        if not 0 <= index < self.count:
            return None
        start, rows = self._window
        if 0 <= index - start < len(rows):
            return rows[index - start]
        number, position = divmod(index, self._size)
        page = self._pages.get(number)
        return page[position] if page is not None and position < len(page) else None

    def shown(self, first: int, last: int) -> list[R | None]:
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
        read, q, limit = self._reader.read, self.query, last - first + 1
        if first <= self.count - 1 - last or not self._reader.backwards_ok:
            rows = read(q, limit=limit, offset=first)
        else:
            rows = read(q, limit=limit, offset=self.count - 1 - last, backwards=True)[::-1]
        self._window = (first, rows)

    def row(self, index: int) -> R | None:
        """The row at `index` in the query's order (reading its page if needed), or None past
        the end."""
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

    def _fetch(self, number: int) -> list[R]:
        q, size, read = self.query, self._size, self._reader.read
        backwards_ok = self._reader.backwards_ok
        start = number * size
        stop = min(start + size, self.count)
        before, after = self._pages.get(number - 1), self._pages.get(number + 1)
        if before is not None and len(before) == size:
            return read(q, limit=size, after=before[-1])
        if backwards_ok and after and stop - start == size:
            return read(q, limit=size, after=after[0], backwards=True)[::-1]
        if start <= self.count - stop or not backwards_ok:
            return read(q, limit=size, offset=start)
        return read(q, limit=stop - start, offset=self.count - stop, backwards=True)[::-1]

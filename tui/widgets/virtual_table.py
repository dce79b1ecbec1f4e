"""VirtualTable: a table of a query's rows under a one-line header; only what shows is painted.

The base of the item and jobs tables: the cursor and its keys, clicks, the page LRU
(`table_pages.RowPages`) and the row painter. A table says what its query, rows and
paint are: `header_line`, `empty_line`, `row_line`, `new_paint` and `row_selected`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar, Generic, NamedTuple, Protocol, TypeVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip

from tui.paint import set_virtual_height, use_framed_line_cache, vertical_scrollbar
from tui.widgets.scrolling import scroll_to_row
from tui.widgets.table_pages import RowPages, RowReader


class Paint(Protocol):
    """What every line of one paint shares (looked up once per paint, not once per line)."""

    @property
    def width(self) -> int: ...

    @property
    def base(self) -> Style: ...


Q = TypeVar("Q")
R = TypeVar("R")
P = TypeVar("P", bound=Paint)


def cursor_bindings(prefix: str, select: str = "Open") -> list[BindingType]:
    """A table's cursor keys, and enter for its `select` description; ids start with `prefix`."""
    return [
        Binding("up", "cursor_up", "Up", show=False, id=f"{prefix}.cursor_up"),
        Binding("down", "cursor_down", "Down", show=False, id=f"{prefix}.cursor_down"),
        Binding("pageup", "cursor_page_up", "Page up", show=False, id=f"{prefix}.page_up"),
        Binding("pagedown", "cursor_page_down", "Page down", show=False, id=f"{prefix}.page_down"),
        Binding("home,ctrl+home", "cursor_first", "First", show=False, id=f"{prefix}.first"),
        Binding("end,ctrl+end", "cursor_last", "Last", show=False, id=f"{prefix}.last"),
        Binding("enter", "select_cursor", select, id=f"{prefix}.select"),
    ]


class Cell(NamedTuple):
    """One cell of a row, fitted to its column."""

    text: str
    width: int
    style: Style | None = None
    """Its own style, or None for the line's."""


def merged_segments(cells: Iterable[Cell], style: Style) -> tuple[list[Segment], int]:
    """A row's cells, one space apart, as segments, and their width in cells.

    Neighbouring cells in the line's `style` share a segment: every segment costs again in each
    step of Textual's paint, and a sort or a filter repaints every line."""
    segments: list[Segment] = []
    plain: list[str] = []  # Cells in `style` not yet in a segment.
    used = -1
    for text, width, own in cells:
        if used >= 0:
            plain.append(" ")
        used += width + 1
        if own is None:
            plain.append(text)
            continue
        if plain:
            segments.append(Segment("".join(plain), style))
            plain = []
        segments.append(Segment(text, own))
    if plain:
        segments.append(Segment("".join(plain), style))
    return segments, max(used, 0)


def fitted_strip(segments: list[Segment], used: int, width: int, pad: Style) -> Strip:
    """Segments `used` cells wide as one Strip of `width` cells: padded in `pad`, or cropped."""
    if used < width:  # Padded here: one Strip per line rather than two.
        segments.append(Segment(" " * (width - used), pad))
        return Strip(segments, width)
    return Strip(segments, used).crop(0, width)


def text_strip(text: str, style: Style, width: int) -> Strip:
    """One line of `text` in `style`, padded or cropped to `width` cells."""
    return Strip([Segment(text, style)]).adjust_cell_length(width, style)


class VirtualTable(ScrollView, Generic[Q, R, P], can_focus=True):
    """Rows of a query, read a page at a time; line 0 is the header, the rows scroll beneath it.

    The virtual height is the row count plus the header line. Subclasses set `BINDINGS` (from
    `cursor_bindings`) and paint their lines."""

    BINDINGS: ClassVar[list[BindingType]] = cursor_bindings("virtual_table")

    ALLOW_SELECT = False

    cursor_row: reactive[int] = reactive(0, repaint=False, init=False)
    """Index of the highlighted row in the query's order, kept within the rows there are."""

    def __init__(
        self,
        reader: RowReader[Q, R],
        query: Q,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        use_framed_line_cache(self)
        self._pages: RowPages[Q, R] = RowPages(reader, query)
        self._paint: P | None = None

    # -- what a table says -----------------------------------------------------------------
    def new_paint(self) -> P:
        """What the lines of one paint share."""
        raise NotImplementedError

    def header_line(self, paint: P) -> Strip:
        raise NotImplementedError

    def empty_line(self, y: int, paint: P) -> Strip:
        """Line `y` (1 or more) when no row matches."""
        raise NotImplementedError

    def row_line(self, row: R, index: int, paint: P) -> Strip:
        raise NotImplementedError

    def row_selected(self, row: R) -> None:
        """The operator opened `row` (enter, or a click on the highlighted row)."""

    def cursor_moved(self) -> None:
        """The cursor moved, or the rows under it changed."""

    # -- public API ------------------------------------------------------------------------
    @property
    def vertical_scrollbar(self) -> ScrollBar:
        """The vertical scrollbar, painted line by line (it repaints with every filter)."""
        return vertical_scrollbar(self) or super().vertical_scrollbar

    @property
    def query(self) -> Q:
        """What the table shows (change it with the table's `set_query`)."""
        return self._pages.query

    @property
    def row_count(self) -> int:
        """How many rows match the query, as of the last count."""
        return self._pages.count

    @property
    def highlighted(self) -> R | None:
        """The row under the cursor, or None when nothing matches."""
        return self._pages.row(self.cursor_row)

    def row_at(self, index: int) -> R | None:
        """The row at `index` in the query's order (reading its page if needed), or None."""
        return self._pages.row(index)

    # -- actions ---------------------------------------------------------------------------
    def action_cursor_up(self) -> None:
        """Move the cursor up a row."""
        self.cursor_row -= 1

    def action_cursor_down(self) -> None:
        """Move the cursor down a row."""
        self.cursor_row += 1

    def action_cursor_page_up(self) -> None:
        """Move the cursor and the view up a screen."""
        self._move_page(-self._page_height)

    def action_cursor_page_down(self) -> None:
        """Move the cursor and the view down a screen."""
        self._move_page(self._page_height)

    def action_cursor_first(self) -> None:
        """Move the cursor to the first row."""
        self.cursor_row = 0

    def action_cursor_last(self) -> None:
        """Move the cursor to the last row."""
        self.cursor_row = self.row_count - 1

    def action_select_cursor(self) -> None:
        """Open the highlighted row."""
        row = self.highlighted
        if row is not None:
            self.row_selected(row)

    # -- reactives and events --------------------------------------------------------------
    def _validate_cursor_row(self, value: int) -> int:
        return max(0, min(value, self.row_count - 1))

    def _watch_cursor_row(self, old: int, new: int) -> None:
        self._refresh_row(old)
        self._refresh_row(new)
        scroll_to_row(self, new)
        self.cursor_moved()

    def on_resize(self) -> None:
        # A smaller terminal (or pane) keeps the highlighted row in view, once the new size is laid
        # out.
        self.call_after_refresh(lambda: scroll_to_row(self, self.cursor_row))

    def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y == 0:
            return
        index = self.scroll_offset.y + offset.y - 1
        if index >= self.row_count:
            return
        event.stop()
        if index == self.cursor_row:
            self.action_select_cursor()
        else:
            self.cursor_row = index

    # -- rendering -------------------------------------------------------------------------
    def render_lines(self, crop: Region) -> list[Strip]:
        self._paint = self.new_paint()
        try:
            return super().render_lines(crop)
        finally:
            self._paint = None

    def render_line(self, y: int) -> Strip:
        paint = self._paint or self.new_paint()
        if y == 0:
            return self.header_line(paint)
        if self.row_count == 0:
            return self.empty_line(y, paint)
        index = self.scroll_offset.y + y - 1
        row = self._pages.row(index)
        if row is None:
            return Strip.blank(paint.width, paint.base)
        return self.row_line(row, index, paint)

    # -- internals -------------------------------------------------------------------------
    @property
    def _page_height(self) -> int:
        """Rows visible beneath the header."""
        return max(1, self.scrollable_content_region.height - 1)

    def _move_page(self, delta: int) -> None:
        """Move the cursor and the view together, so the cursor keeps its place on screen."""
        target = self._validate_cursor_row(self.cursor_row + delta)
        self.scroll_to(y=self.scroll_y + (target - self.cursor_row), animate=False, force=True)
        self.cursor_row = target

    def _update_virtual_size(self) -> None:
        set_virtual_height(self, self.row_count + 1)  # The header line, then a line per row.

    def _refresh_row(self, index: int) -> None:
        """Repaint the line showing row `index`, if it is on screen."""
        y = index + 1 - self.scroll_offset.y
        if 1 <= y < self.size.height:
            self.refresh(self._line(y))

    def _line(self, y: int) -> Region:
        """Line `y`'s cells, not the scrollbar's beside them (it repaints when its range moves)."""
        return Region(0, y, self.scrollable_content_region.width, 1)

"""ItemTable: a virtual table of replicated items, read page by page; only what shows is painted."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip

from store.queries import ItemQuery, ItemRow
from store.vocabulary import SELECTABLE, STATUS_SLUGS
from tui.paint import set_virtual_height, use_framed_line_cache, vertical_scrollbar
from tui.render import safe_text
from tui.widgets.item_columns import RowStyles, layout_columns
from tui.widgets.item_pages import ItemPages, ItemSource
from tui.widgets.item_paint import Paint, header_strip, hint_strip, row_strip, row_styles
from tui.widgets.scrolling import scroll_to_row

NOT_SELECTABLE = {
    "blocked": "prerequisites are not met",
    "updating": "an update job is already running",
    "up-to-date": "it is on the latest version",
}
"""Why a row cannot be marked for update, by status slug."""


class _ItemMessage(Message):
    def __init__(self, item_table: ItemTable, item_id: int | None, name: str | None) -> None:
        super().__init__()
        self.item_table = item_table
        """The table that posted the message."""
        self.item_id = item_id
        """Id of the item (None when nothing matches the query)."""
        self.name = name
        """Machine name of the item, as stored: data, never markup."""

    @property
    def control(self) -> ItemTable:
        """Alias for `item_table`."""
        return self.item_table


class ItemTable(ScrollView, can_focus=True):
    """A virtual table of replicated items: only the rows on screen are fetched and painted.

    Rows come from an `ItemSource` (the store's `Service`) a page at a time, kept in a small
    LRU (`item_pages.ItemPages`). The header is the first line and the rows scroll beneath it;
    the virtual height is the match count plus that line. Marks are item ids, so they survive
    filtering and sorting.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Up", show=False, id="item_table.cursor_up"),
        Binding("down", "cursor_down", "Down", show=False, id="item_table.cursor_down"),
        Binding("pageup", "cursor_page_up", "Page up", show=False, id="item_table.page_up"),
        Binding("pagedown", "cursor_page_down", "Page down", show=False, id="item_table.page_down"),
        Binding("home,ctrl+home", "cursor_first", "First", show=False, id="item_table.first"),
        Binding("end,ctrl+end", "cursor_last", "Last", show=False, id="item_table.last"),
        Binding("enter", "select_cursor", "Open", id="item_table.select"),
        Binding("space", "toggle_mark", "Mark", id="item_table.mark"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | up, down | Move the cursor one row. |
    | pageup, pagedown | Move the cursor and the view one screen. |
    | home, end (ctrl+home, ctrl+end) | Move the cursor to the first / last row. |
    | enter | Post `Selected` for the highlighted item. |
    | space | Toggle the mark on the highlighted item, then move down. |
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "item-table--header",
        "item-table--cursor",
        "item-table--marked",
        "item-table--mark",
        "item-table--empty",
        *(f"item-table--status-{slug}" for slug in STATUS_SLUGS.values()),
    }
    """
    | Class | Description |
    | :- | :- |
    | `item-table--header` | The column titles. |
    | `item-table--cursor` | The highlighted row (drawn over every other row and cell style). |
    | `item-table--marked` | Rows whose item is marked. |
    | `item-table--mark` | The mark glyph. |
    | `item-table--empty` | The hint shown when nothing matches. |
    | `item-table--status-<slug>` | The Status cell of each status slug (e.g. `blocked`). |
    """

    DEFAULT_CSS = """
    ItemTable {
        height: 1fr;
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: auto;

        & > .item-table--header { text-style: bold; background: $panel; color: $foreground; }
        & > .item-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .item-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .item-table--marked { background: $accent 20%; }
        & > .item-table--mark { color: $text-accent; text-style: bold; }
        & > .item-table--empty { color: $text-muted; text-style: italic; }
        & > .item-table--status-up-to-date { color: $text-success; }
        & > .item-table--status-update-available { color: $text-primary; }
        & > .item-table--status-blocked { color: $text-warning; }
        & > .item-table--status-updating { color: $text-accent; }
        & > .item-table--status-failed { color: $text-error; text-style: bold; }
    }
    """

    ALLOW_SELECT = False

    cursor_row: reactive[int] = reactive(0, repaint=False, init=False)
    """Index of the highlighted row in the query's sort order, kept within the rows there are."""

    class Highlighted(_ItemMessage):
        """Posted when a different item comes under the cursor (`item_id` None: nothing matches)."""

    class Selected(_ItemMessage):
        """Posted when the operator opens the highlighted item (enter, or a click on it)."""

    class MarksChanged(Message):
        """Posted when items were marked or unmarked."""

        def __init__(self, item_table: ItemTable, count: int) -> None:
            super().__init__()
            self.item_table = item_table
            """The table that posted the message."""
            self.count = count
            """How many items are marked now."""

        @property
        def control(self) -> ItemTable:
            """Alias for `item_table`."""
            return self.item_table

    def __init__(
        self, source: ItemSource, query: ItemQuery | None = None, *, count: int | None = None,
        name: str | None = None, id: str | None = None, classes: str | None = None, disabled: bool = False,
    ) -> None:
        """A table over `source` showing `query` (default: every item, by name), which matches
        `count` rows when the caller knows (counted on mount otherwise)."""
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._source = source
        use_framed_line_cache(self)
        self._pages = ItemPages(source)
        self._pages.reset(query or ItemQuery(), count or 0)
        self._count_on_mount = count is None
        self._marked: set[int] = set()
        self._reported_id: int | None = None
        self._reported = False  # Whether Highlighted was posted yet (its item may be None).
        self._paint: Paint | None = None
        self._row_style_cache: tuple[tuple, RowStyles] | None = None

    # -- public API ------------------------------------------------------------------------
    @property
    def vertical_scrollbar(self) -> ScrollBar:
        """The vertical scrollbar, painted line by line (it repaints with every filter keystroke)."""
        return vertical_scrollbar(self) or super().vertical_scrollbar

    @property
    def query(self) -> ItemQuery:
        """The filter and sort shown (change it with `set_query`)."""
        return self._pages.query

    @property
    def row_count(self) -> int:
        """How many items match the query, as of the last count."""
        return self._pages.count

    @property
    def marked(self) -> frozenset[int]:
        """Ids of the marked items (change them with the mark methods)."""
        return frozenset(self._marked)

    @property
    def highlighted(self) -> ItemRow | None:
        """The row under the cursor, or None when nothing matches."""
        return self._pages.row(self.cursor_row)

    @property
    def highlighted_id(self) -> int | None:
        """Id of the item under the cursor, or None when nothing matches."""
        row = self.highlighted
        return None if row is None else row.id

    def row_at(self, index: int) -> ItemRow | None:
        """The row at `index` in sort order (reading its page if needed), or None."""
        return self._pages.row(index)

    def set_query(self, query: ItemQuery, *, count: int | None = None) -> None:
        """Show `query`: drop cached pages, go to the first row.

        Args:
            count: How many rows it matches, when the caller knows (e.g. from the facet
                counts, or unchanged by a new sort); counted otherwise.
        """
        if count is None:
            count = self._source.count_items(query)
        # What each line shows now, when the view is at the top (where it goes): typing a
        # filter often leaves the first rows as they were, and only the changed lines repaint.
        before = self._top_lines(cached=True) if self.scroll_offset.y == 0 else None
        was_empty, old_query = self.row_count == 0, self.query
        self._pages.reset(query, count)
        self._update_virtual_size()
        self.scroll_to(y=0, animate=False, force=True)
        self.set_reactive(ItemTable.cursor_row, 0)  # Lines are compared below instead of its watcher.
        self._post_highlighted()
        if before is None or was_empty != (self.row_count == 0):
            self.refresh()
            return
        lines = [self._line(y)
                 for y, (old, new) in enumerate(zip(before, self._top_lines(cached=False)), start=1) if old != new]
        if (old_query.sort, old_query.descending) != (query.sort, query.descending):
            lines.append(self._line(0))  # The header marks the sorted column.
        if lines:
            self.refresh(*lines)  # One call: each one costs Textual's refresh bookkeeping again.

    def refresh_rows(self, *, recount: bool | None = None) -> None:
        """Read the rows on screen again and repaint the lines whose row changed.

        Only the pages on screen are read (the others are dropped: read when scrolled to).

        Args:
            recount: Count the matches again. By default only when a status facet is set,
                the one filter whose members change while updates run.
        """
        if recount is None:
            recount = self.query.status is not None
        top = round(self.scroll_offset.y)
        window = range(top, top + self._page_height)
        shown = self._pages.shown(window.start, window.stop - 1)
        was_empty = self.row_count == 0
        if recount:
            count = self._source.count_items(self.query)
            if count != self.row_count:
                self._pages.reset(self.query, count)
                self._update_virtual_size()
                self.cursor_row = min(self.cursor_row, self.row_count - 1)
        self._pages.reload(window.start, window.stop - 1)
        for index, before, row in zip(window, shown, self._pages.shown(window.start, window.stop - 1)):
            if row != before:
                self._refresh_row(index)
        if was_empty != (self.row_count == 0):
            self.refresh()  # The "nothing matches" hint comes or goes.
        self._post_highlighted()

    def set_rows(self, query: ItemQuery, count: int) -> None:
        """The same filter and order, re-counted (machines came or went, or the query's name
        bounds moved): keep the cursor and the view, and repaint what changed."""
        self._pages.reset(query, count)
        self._update_virtual_size()
        self.cursor_row = min(self.cursor_row, self.row_count - 1)
        self.refresh_rows(recount=False)

    def mark_items(self, item_ids: Iterable[int]) -> None:
        """Mark the given items."""
        self._change_marks(self._marked | set(item_ids))

    def unmark_items(self, item_ids: Iterable[int]) -> None:
        """Unmark the given items."""
        self._change_marks(self._marked - set(item_ids))

    def clear_marks(self) -> None:
        """Unmark every item."""
        self._change_marks(set())

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
        """Post `Selected` for the highlighted item."""
        row = self.highlighted
        if row is not None:
            self.post_message(self.Selected(self, row.id, row.name))

    def action_toggle_mark(self) -> None:
        """Mark or unmark the highlighted item, then move down. A machine that cannot be updated
        now (prerequisites not met, already updating, up to date) cannot be marked: the seed's
        "the VM cannot be selected", said with the reason."""
        row = self.highlighted
        if row is None:
            return
        if row.id not in self._marked and row.status not in SELECTABLE:
            reason = NOT_SELECTABLE.get(row.status, row.status)
            self.notify(f"{safe_text(row.name)} cannot be selected: {reason}.", severity="warning", timeout=4)
        else:
            self._change_marks(self._marked ^ {row.id})
        self.cursor_row += 1

    # -- reactives and events --------------------------------------------------------------
    def _validate_cursor_row(self, value: int) -> int:
        return max(0, min(value, self.row_count - 1))

    def _watch_cursor_row(self, old: int, new: int) -> None:
        self._refresh_row(old)
        self._refresh_row(new)
        scroll_to_row(self, new)
        self._post_highlighted()

    def on_resize(self) -> None:
        # A smaller terminal (or pane) keeps the highlighted row in view, once the new size is laid out.
        self.call_after_refresh(lambda: scroll_to_row(self, self.cursor_row))

    def _on_mount(self) -> None:
        if self._count_on_mount:
            self._pages.reset(self.query, self._source.count_items(self.query))
        self._update_virtual_size()
        self._post_highlighted()

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
        self._paint = self._new_paint()
        try:
            return super().render_lines(crop)
        finally:
            self._paint = None

    def render_line(self, y: int) -> Strip:
        paint = self._paint or self._new_paint()
        if y == 0:
            return header_strip(paint, self.query, paint.styles.base + self.get_component_rich_style("item-table--header"))
        if self.row_count == 0:
            if y != max(1, self.size.height // 2):
                return Strip.blank(paint.width, paint.styles.base)
            style = paint.styles.base + self.get_component_rich_style("item-table--empty")
            return hint_strip(paint, self.scrollable_content_region.width, style)
        index = paint.top + y - 1
        row = self._pages.row(index)
        if row is None:
            return Strip.blank(paint.width, paint.styles.base)
        return row_strip(row, paint, marked=row.id in self._marked, cursor=index == self.cursor_row)

    def _new_paint(self) -> Paint:
        columns = layout_columns(self.scrollable_content_region.width)
        return Paint(self.size.width, columns, self.scroll_offset.y, self._row_styles())

    def _row_styles(self) -> RowStyles:
        """The rows' styles, looked up again only when the CSS, the theme or the focus changed
        (eight component styles cost more than painting the one line a live refresh changes)."""
        key = (self.has_focus, self.app.theme)
        if self._row_style_cache is None or self._row_style_cache[0] != key:
            self._row_style_cache = (key, row_styles(self))
        return self._row_style_cache[1]

    def notify_style_update(self) -> None:
        self._row_style_cache = None
        super().notify_style_update()

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

    def _top_lines(self, *, cached: bool) -> list[tuple[ItemRow | None, bool, bool]]:
        """What each row line paints with the view at the top: the row, whether the cursor is on
        it, whether it is marked. `cached`: only rows already read (None for the others)."""
        get = self._pages.cached if cached else self._pages.row
        lines = []
        for index in range(self._page_height):
            row = get(index)
            lines.append((row, index == self.cursor_row, row is not None and row.id in self._marked))
        return lines

    def _refresh_row(self, index: int) -> None:
        """Repaint the line showing row `index`, if it is on screen."""
        y = index + 1 - self.scroll_offset.y
        if 1 <= y < self.size.height:
            self.refresh(self._line(y))

    def _line(self, y: int) -> Region:
        """Line `y`'s cells, not the scrollbar's beside them (it repaints when its range moves)."""
        return Region(0, y, self.scrollable_content_region.width, 1)

    def _post_highlighted(self) -> None:
        """Post Highlighted when the item under the cursor is not the one last reported."""
        row = self.highlighted
        item_id = None if row is None else row.id
        if not self._reported or item_id != self._reported_id:
            self._reported, self._reported_id = True, item_id
            self.post_message(self.Highlighted(self, item_id, None if row is None else row.name))

    def _change_marks(self, marked: set[int]) -> None:
        if marked != self._marked:
            self._marked = marked
            self.refresh()
            self.post_message(self.MarksChanged(self, len(marked)))

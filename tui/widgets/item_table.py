"""ItemTable: a virtual table of replicated items, read page by page; only what shows is painted."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.strip import Strip

from store.queries import ItemQuery, ItemRow
from store.vocabulary import SELECTABLE
from tui.render import safe_text
from tui.widgets.item_columns import RowStyles, layout_columns
from tui.widgets.item_pages import ItemRows, ItemSource
from tui.widgets.item_paint import Paint, header_strip, hint_strip, row_strip, row_styles
from tui.widgets.virtual_table import VirtualTable, cursor_bindings

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


class ItemTable(VirtualTable[ItemQuery, ItemRow, Paint]):
    """A virtual table of replicated items: only the rows on screen are fetched and painted.

    Rows come from an `ItemSource` (the store's `Service`) a page at a time (`VirtualTable`).
    Marks are item ids, so they survive filtering and sorting.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        *cursor_bindings("item_table"),
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
    }
    """
    | Class | Description |
    | :- | :- |
    | `item-table--header` | The column titles. |
    | `item-table--cursor` | The highlighted row (drawn over every other row and cell style). |
    | `item-table--marked` | Rows whose item is marked. |
    | `item-table--mark` | The mark glyph. |
    | `item-table--empty` | The hint shown when nothing matches. |

    The Status cell takes its status's theme variable, `$status-<slug>` (`tui.status_colours`).
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
    }
    """

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
        self,
        source: ItemSource,
        query: ItemQuery | None = None,
        *,
        count: int | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        """A table over `source` showing `query` (default: every item, by name), which matches
        `count` rows when the caller knows (counted on mount otherwise)."""
        super().__init__(
            ItemRows(source),
            query or ItemQuery(),
            name=name,
            id=id,
            classes=classes,
            disabled=disabled,
        )
        self._pages.count = count or 0
        self._count_on_mount = count is None
        self._marked: set[int] = set()
        self._reported_id: int | None = None
        self._reported = False  # Whether Highlighted was posted yet (its item may be None).
        self._row_style_cache: tuple[tuple, RowStyles] | None = None

    # -- public API ------------------------------------------------------------------------
    @property
    def marked(self) -> frozenset[int]:
        """Ids of the marked items (change them with the mark methods)."""
        return frozenset(self._marked)

    @property
    def highlighted_id(self) -> int | None:
        """Id of the item under the cursor, or None when nothing matches."""
        row = self.highlighted
        return None if row is None else row.id

    def set_query(self, query: ItemQuery, *, count: int | None = None) -> None:
        """Show `query`: drop cached pages, go to the first row.

        Args:
            count: How many rows it matches, when the caller knows (e.g. from the facet
                counts, or unchanged by a new sort); counted otherwise.
        """
        if count is None:
            count = self._pages.recount(query)
        # What each line shows now, when the view is at the top (where it goes): typing a
        # filter often leaves the first rows as they were, and only the changed lines repaint.
        before = self._top_lines(cached=True) if self.scroll_offset.y == 0 else None
        was_empty, old_query = self.row_count == 0, self.query
        self._pages.reset(query, count)
        self._update_virtual_size()
        self.scroll_to(y=0, animate=False, force=True)
        self.set_reactive(
            ItemTable.cursor_row, 0
        )  # Lines are compared below instead of its watcher.
        self._post_highlighted()
        if before is None or was_empty != (self.row_count == 0):
            self.refresh()
            return
        lines = [
            self._line(y)
            for y, (old, new) in enumerate(
                zip(before, self._top_lines(cached=False), strict=False), start=1
            )
            if old != new
        ]
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
            count = self._pages.recount()
            if count != self.row_count:
                self._pages.reset(self.query, count)
                self._update_virtual_size()
                self.cursor_row = min(self.cursor_row, self.row_count - 1)
        self._pages.reload(window.start, window.stop - 1)
        for index, before, row in zip(
            window, shown, self._pages.shown(window.start, window.stop - 1), strict=False
        ):
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
    def action_toggle_mark(self) -> None:
        """Mark or unmark the highlighted item, then move down. A machine that cannot be updated
        now (prerequisites not met, already updating, up to date) cannot be marked: the seed's
        "the VM cannot be selected", said with the reason."""
        row = self.highlighted
        if row is None:
            return
        if row.id not in self._marked and row.status not in SELECTABLE:
            reason = NOT_SELECTABLE.get(row.status, row.status)
            self.notify(
                f"{safe_text(row.name)} cannot be selected: {reason}.",
                severity="warning",
                timeout=4,
            )
        else:
            self._change_marks(self._marked ^ {row.id})
        self.cursor_row += 1

    # -- VirtualTable ----------------------------------------------------------------------
    def row_selected(self, row: ItemRow) -> None:
        self.post_message(self.Selected(self, row.id, row.name))

    def cursor_moved(self) -> None:
        self._post_highlighted()

    def _on_mount(self) -> None:
        if self._count_on_mount:
            self._pages.reset(self.query, self._pages.recount())
        self._update_virtual_size()
        self._post_highlighted()

    def header_line(self, paint: Paint) -> Strip:
        return header_strip(
            paint, self.query, paint.base + self.get_component_rich_style("item-table--header")
        )

    def empty_line(self, y: int, paint: Paint) -> Strip:
        if y != max(1, self.size.height // 2):
            return Strip.blank(paint.width, paint.base)
        style = paint.base + self.get_component_rich_style("item-table--empty")
        return hint_strip(paint, self.scrollable_content_region.width, style)

    def row_line(self, row: ItemRow, index: int, paint: Paint) -> Strip:
        return row_strip(row, paint, marked=row.id in self._marked, cursor=index == self.cursor_row)

    def new_paint(self) -> Paint:
        return Paint(
            self.size.width,
            layout_columns(self.scrollable_content_region.width),
            self._row_styles(),
        )

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
    def _top_lines(self, *, cached: bool) -> list[tuple[ItemRow | None, bool, bool]]:
        """What each row line paints with the view at the top: the row, whether the cursor is on
        it, whether it is marked. `cached`: only rows already read (None for the others)."""
        get = self._pages.cached if cached else self._pages.row
        lines = []
        for index in range(self._page_height):
            row = get(index)
            lines.append(
                (row, index == self.cursor_row, row is not None and row.id in self._marked)
            )
        return lines

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

"""Replicated items: banner, status facets, the virtual item table and the VM overview pane."""

from __future__ import annotations

from time import monotonic
from typing import TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.strip import Strip
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input

from store.queries import SORTS, ItemQuery
from tui.live_view import LiveView
from tui.paint import StartScreen, send_repaints, use_line_compositor
from tui.widgets.banner import UpdateBanner
from tui.widgets.clock_bar import ClockBar
from tui.widgets.facets import FACETS, FacetBar
from tui.widgets.item_table import ItemTable
from tui.widgets.overview import OverviewPane

W = TypeVar("W", bound=Widget)
SORT_ORDER = list(SORTS)
FILTER_DEBOUNCE_S = 0.06
"""A filter keystroke after a pause this long applies at once (its echo and its rows in one
frame); keys that follow it within this long wait until typing pauses for this long."""
NARROW_WIDTH = 110
COUNTS_S = 1.0
"""While the engine works, the facet counts, the title and the banner are read again at most
this often (a count over the whole vault); the rows on screen are read on every poll."""


class FooterLine(Widget):
    """The key footer's line, as an empty footer paints it, until the footer mounts after the
    first rows (`ItemsScreen._first_frame_shown`): the first rows need not wait for its module."""

    DEFAULT_CSS = "FooterLine { dock: bottom; height: 1; background: $footer-background; }"

    def render_line(self, y: int) -> Strip:
        return Strip.blank(self.size.width, self.rich_style.background_style)


class ItemsScreen(LiveView, StartScreen):
    """The home screen: every replicated item of the current vault with its update status."""

    CSS_PATH = "items.tcss"
    BINDINGS = [
        Binding("u", "update", "Update", id="items.update"),
        Binding("b", "bulk_update", "Bulk", id="items.bulk_update"),
        # A priority binding runs before the app hands on the keys read after it: `/sql`
        # typed at once (or pasted) reaches the box whole, not `sql` to the table it left.
        Binding("slash", "filter", "Filter", id="items.filter", priority=True),
        Binding("s", "sort", "Sort", id="items.sort"),
        Binding("S", "reverse_sort", "Reverse sort", show=False, id="items.reverse_sort"),
        Binding("o", "toggle_overview", "Overview", show=False, id="items.overview"),
        Binding("0", "facet(0)", "All statuses", show=False, id="items.facet_all"),
        Binding("1", "facet(1)", "Up to date", show=False, id="items.facet_1"),
        Binding("2", "facet(2)", "New update available", show=False, id="items.facet_2"),
        Binding("3", "facet(3)", "Cannot update", show=False, id="items.facet_3"),
        Binding("4", "facet(4)", "Updating", show=False, id="items.facet_4"),
        Binding("5", "facet(5)", "Update failed", show=False, id="items.facet_5"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="items.clear_filter"),
    ]

    def __init__(self) -> None:
        super().__init__()
        use_line_compositor(self)
        self._filter_timer: Timer | None = None
        self._filter_applied_at = float("-inf")
        self._counts: dict[str, int] = {}
        """Items per status under the current vault and name filter, as last read."""
        self._totals: tuple[int | None, dict[str, int]] = (None, {})
        """(vault id, items per status in the whole vault), as last read: the title's "of N"."""
        self._counts_stale = False
        self._title = ""
        self._overview_id: int | None = -1
        self._overview_shown: tuple | None = None
        """(item id, its detail row, the vault's time zone) the overview shows, as last read."""
        self._widgets: dict[type, Widget] = {}

    @property
    def query_state(self) -> ItemQuery:
        return self._one(ItemTable).query

    def _one(self, kind: type[W]) -> W:
        """The screen's widget of this kind, looked up once: the live refresh reaches four of
        them several times a second, and each DOM query costs about what painting a line does."""
        widget = self._widgets.get(kind)
        if widget is None:
            widget = self._widgets[kind] = self.query_one(kind)
        return widget  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        # The counts first: the table starts with its match count (no count query of its own).
        q = self._read_counts(ItemQuery(vault_id=self.app.vault.id))
        yield ClockBar()
        yield UpdateBanner()
        yield FacetBar()
        with Horizontal(id="body"):
            yield ItemTable(self.app.service, q, count=self._matches(q))
            yield OverviewPane()
        yield FooterLine()  # The filter box mounts above it when first opened (`/`).

    def on_mount(self) -> None:
        # The table shows the query compose counted. Not the overview yet: the app's refresh
        # after the first frame shows it (its view is a pydantic model: the first loads pydantic).
        self._show_counts()
        self._overview_id = self._one(ItemTable).highlighted_id
        self.app.refresh_clock()
        self._one(ItemTable).focus()
        self.set_interval(COUNTS_S, self.refresh_stale_counts)
        self.watch(self.app, "first_frame_shown", self._first_frame_shown, init=True)

    def _first_frame_shown(self, shown: bool) -> None:
        """Put the key footer in its line once the first rows are on the terminal (also when
        the operator has left this screen by then), then refresh the bindings: it composes
        the screen's keys."""
        if shown:
            self.call_next(self._mount_footer)

    async def _mount_footer(self) -> None:
        from tui.widgets.key_bar import KeyBar  # after the first rows (see FooterLine)

        line = self.query_one(FooterLine)
        with self.app.batch_update():  # One frame: the body never sees two footer lines, or none.
            await self.mount(KeyBar(), after=line)
            await line.remove()
        self.refresh_bindings()

    def on_resize(self) -> None:
        self.query_one("#body").set_class(self.size.width < NARROW_WIDTH, "-narrow")

    # -- data ---------------------------------------------------------------------------------
    def _read_counts(self, q: ItemQuery) -> ItemQuery:
        """Facet counts under `q`'s name filter, and the vault's totals (kept while the vault and
        the data are the same: only re-read with the counts, or when no filter makes them equal).

        Returns `q` with the matching names' bounds the counts found (pages start there)."""
        svc = self.app.service
        self._counts, names = svc.match_counts(q)
        q = q.with_(names=names)
        if not q.text.strip():
            self._totals = (q.vault_id, self._counts)
        elif self._totals[0] != q.vault_id or self._counts_stale:
            self._totals = (q.vault_id, svc.facet_counts(ItemQuery(vault_id=q.vault_id)))
        self._counts_stale = False
        return q

    def _matches(self, q: ItemQuery) -> int:
        """Rows `q` shows, from the facet counts (which ignore the status facet)."""
        return self._counts.get(q.status, 0) if q.status else sum(self._counts.values())

    def refresh_counts(self) -> None:
        """Read the facet counts again and show them, the table title and the banner."""
        table = self._one(ItemTable)
        self._counts_stale = True  # The totals too.
        q = self._read_counts(table.query)
        if q != table.query or table.row_count != self._matches(q):  # Machines came or went.
            table.set_rows(q, self._matches(q))
        self._show_counts()

    def refresh_stale_counts(self) -> None:
        """The throttled half of the live refresh: counts, once a second at most, when data
        changed."""
        if self._counts_stale:
            self.refresh_counts()

    def _show_counts(self) -> None:
        """Facets, title and banner from the counts held: each repaints only when it changed."""
        table = self._one(ItemTable)
        facets = self._one(FacetBar)
        facets.counts = self._counts
        facets.active = table.query.status
        self._show_title()
        self._one(UpdateBanner).show(self._totals[1].get("update-available", 0) > 0)

    def _show_title(self) -> None:
        """The table's title: the rows it shows, of how many in the vault."""
        table = self._one(ItemTable)
        shown, total = table.row_count, sum(self._totals[1].values())
        title = (
            f"Replicated items  {shown:,}"
            if shown == total
            else f"Replicated items  {shown:,} of {total:,}"
        )
        if title != self._title:
            self._title = title
            table.border_title = Text(title)

    def set_query(self, q: ItemQuery, *, recount: bool = True, overview: bool = True) -> None:
        """Show `q`. Its match count comes from the facet counts (one query, read here unless
        `recount` is False: a new sort order shows the same rows). `overview` False leaves the
        pane to a later refresh (and the table's Highlighted message does not fill it)."""
        if recount:
            q = self._read_counts(q)
        table = self._one(ItemTable)
        table.set_query(q, count=self._matches(q))
        self._show_counts()
        if overview:  # Now rather than on the table's Highlighted message: one frame for both.
            self._show_overview(table.highlighted_id)
        else:
            self._overview_id = table.highlighted_id

    def refresh_live(self, *, polled: bool = False) -> None:
        """The data changed: repaint the rows on screen that changed, the counts, the overview.

        Args:
            polled: The app's poll noticed a commit (the engine commits several times a second):
                the counts wait for `refresh_stale_counts`, at most once a second.
        """
        table = self._one(ItemTable)
        table.refresh_rows()
        if polled:  # The counts held are shown already; the table's own count may have changed.
            self._counts_stale = True
            self._show_title()  # It follows a recounted status facet at once.
        else:
            self.refresh_counts()
        self._show_overview(table.highlighted_id)

    def _show_overview(self, item_id: int | None) -> None:
        """Show an item in the overview. Its detail is read as a plain row on every refresh; the
        view (a pydantic model) is built and the pane told only when that row changed."""
        self._overview_id = item_id
        svc = self.app.service
        row = svc.item_detail_row(item_id) if item_id is not None else None
        shown = (item_id, row, self.app.vault.time_zone)
        if shown == self._overview_shown:
            return
        self._overview_shown = shown
        pane = self._one(OverviewPane)
        item = svc.detail_view(row) if row is not None else None
        # Shown under a blocked machine's reasons only: the others skip the time zone conversion.
        pane.local_next_check = (
            self.app.local_time_text(item.next_check_at)
            if item and item.blockers and item.next_check_at
            else ""
        )
        pane.item = item

    @on(ItemTable.Highlighted)
    def _highlighted(self, event: ItemTable.Highlighted) -> None:
        if event.item_id != self._overview_id:  # Not shown already (by set_query or a refresh).
            self._show_overview(event.item_id)

    @on(ItemTable.Selected)
    def _selected(self, event: ItemTable.Selected) -> None:
        if event.name is not None:
            self.app.open_item(event.name)

    @on(UpdateBanner.Activated)
    def _banner(self) -> None:
        self.action_bulk_update()

    def on_screen_resume(self) -> None:
        if self.query_state.vault_id != self.app.vault.id:
            self.vault_changed(self.app.vault)
        elif self.app.first_frame_shown:  # At start-up on_mount has just read it all.
            self.refresh_live()

    def vault_changed(self, vault) -> None:
        table = self._one(ItemTable)
        table.clear_marks()
        self.set_query(self.query_state.with_(vault_id=vault.id))

    def highlight_item(self, item_id: int) -> None:
        """Put the cursor on an item, clearing a filter that hides it."""
        table = self._one(ItemTable)
        position = self.app.service.position_of(table.query, item_id)
        if position is None:
            if box := self._filter_box():
                box.value = ""
            self.set_query(ItemQuery(vault_id=self.app.vault.id, sort=table.query.sort))
            position = self.app.service.position_of(table.query, item_id)
        if position is not None:
            table.cursor_row = position
        table.focus()

    @on(FacetBar.Chosen)
    def _facet_chosen(self, event: FacetBar.Chosen) -> None:
        self.set_query(self.query_state.with_(status=event.status))

    # -- actions ------------------------------------------------------------------------------
    def action_facet(self, n: int) -> None:
        status = None if n == 0 else FACETS[n - 1][0]
        if status == self.query_state.status:
            status = None
        self.set_query(self.query_state.with_(status=status))

    def action_sort(self) -> None:
        current = SORT_ORDER.index(self.query_state.sort)
        sort = SORT_ORDER[(current + 1) % len(SORT_ORDER)]
        # The same rows in a new order: no recount. The header marks the sorted column (▲/▼).
        self.set_query(self.query_state.with_(sort=sort, descending=False), recount=False)

    def action_reverse_sort(self) -> None:
        self.set_query(
            self.query_state.with_(descending=not self.query_state.descending), recount=False
        )

    def _filter_box(self) -> Input | None:
        """The name filter's box, once opened: the first frame need not build an Input, and
        most sessions never filter."""
        return self.query_one_optional("#filter", Input)

    async def action_filter(self) -> None:
        box = self._filter_box()
        if box is None:
            from tui.widgets.filter_box import FilterBox  # with the box (see _filter_box)

            box = FilterBox(
                self._filter_typed,
                placeholder="Filter by name (Enter to keep, Esc to clear)",
                id="filter",
            )
            await self.mount(box, after="#body")
        box.add_class("-active")
        self.set_focus(box)  # Now: keys typed after `/` go to the box.

    def action_clear_filter(self) -> None:
        box = self._filter_box()
        if box is not None:
            if box.value:
                box.value = ""
            box.remove_class("-active")
        self._one(ItemTable).focus()

    def action_update(self) -> None:
        """Update the marked machines, or the highlighted one when none is marked."""
        table = self._one(ItemTable)
        marked = table.marked
        if marked:
            ids = sorted(marked)
            hidden = len(ids) - self.app.service.count_matching(table.query, ids)
            self.app.update_machines(self.app.service.names_of(ids), confirm_hidden=hidden)
            table.clear_marks()
        elif table.highlighted is not None:
            self.app.update_machines([table.highlighted.name])

    def action_bulk_update(self) -> None:
        from tui.modals.bulk_update import BulkUpdateModal

        svc = self.app.service
        eligible = len(svc.eligible_ids(self.app.vault.id))

        def chosen(ids: list[int] | None) -> None:
            if ids:
                self.app.update_ids(ids)

        self.app.push_screen(BulkUpdateModal(svc, self.app.vault.id, eligible), chosen)

    def action_toggle_overview(self) -> None:
        self._one(OverviewPane).toggle_class("-hidden")

    def _filter_typed(self, text: str) -> None:
        """The filter box's text changed (a key, a paste, Esc clearing it)."""
        if self._filter_timer is not None:  # debounce: one query per pause in typing
            self._filter_timer.stop()
        elif monotonic() - self._filter_applied_at >= FILTER_DEBOUNCE_S:
            self._apply_filter(text)  # the first key after a pause: no wait, and one frame
            return
        self._filter_timer = self.set_timer(FILTER_DEBOUNCE_S, lambda: self._apply_filter(text))

    def _apply_filter(self, text: str) -> None:
        self._filter_timer = None
        if text != self.query_state.text:
            self.set_query(self.query_state.with_(text=text))
            send_repaints(self)  # The key's echo and its rows in one frame.
        self._filter_applied_at = monotonic()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        if self._filter_timer is not None:  # Enter applies what the pause would have
            self._filter_timer.stop()
        self._apply_filter(event.value)
        if not event.value:
            event.input.remove_class("-active")
        self._one(ItemTable).focus()

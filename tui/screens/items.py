"""Replicated items: banner, status facets, the virtual item table and the VM overview pane."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input

from store.fleet import SORTS, ItemQuery
from tui.widgets.banner import UpdateBanner
from tui.widgets.clock_bar import ClockBar
from tui.widgets.facets import FACETS, FacetBar
from tui.widgets.item_table import ItemTable
from tui.widgets.overview import OverviewPane

SORT_ORDER = list(SORTS)
FILTER_DEBOUNCE_S = 0.06
NARROW_WIDTH = 110


class ItemsScreen(Screen):
    """The home screen: every replicated item of the current vault with its update status."""

    CSS_PATH = "items.tcss"
    BINDINGS = [
        Binding("u", "update", "Update", id="items.update"),
        Binding("b", "bulk_update", "Bulk", id="items.bulk_update"),
        Binding("slash", "filter", "Filter", id="items.filter"),
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
        self._filter_timer: Timer | None = None

    @property
    def query_state(self) -> ItemQuery:
        return self.query_one(ItemTable).query

    def compose(self) -> ComposeResult:
        yield ClockBar()
        yield UpdateBanner()
        yield FacetBar()
        with Horizontal(id="body"):
            yield ItemTable(self.app.service, ItemQuery(vault_id=self.app.vault.id))
            yield OverviewPane()
        yield Input(placeholder="Filter by name (Enter to keep, Esc to clear)", id="filter")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(ItemTable).border_title = "Replicated items"
        self.refresh_counts()
        self.app.refresh_clock()
        self.query_one(ItemTable).focus()

    def on_resize(self) -> None:
        self.query_one("#body").set_class(self.size.width < NARROW_WIDTH, "-narrow")

    # -- data ---------------------------------------------------------------------------------
    def refresh_counts(self) -> None:
        """Facet counts, the table title and the banner, for the current vault and filter."""
        table = self.query_one(ItemTable)
        q = table.query
        counts = self.app.service.facet_counts(q)
        facets = self.query_one(FacetBar)
        facets.counts = counts
        facets.active = q.status
        everything = counts if not q.text else self.app.service.facet_counts(ItemQuery(vault_id=q.vault_id))
        shown, total = table.row_count, sum(everything.values())
        title = f"Replicated items  {shown:,}" if shown == total else f"Replicated items  {shown:,} of {total:,}"
        table.border_title = title
        self.query_one(UpdateBanner).show(everything["update-available"] > 0)

    def set_query(self, q: ItemQuery) -> None:
        self.query_one(ItemTable).set_query(q)
        self.refresh_counts()

    def refresh_live(self) -> None:
        """Called by the app while the engine works: repaint visible rows, counts, the overview."""
        table = self.query_one(ItemTable)
        table.refresh_rows()
        self.refresh_counts()
        self._show_overview(table.highlighted_id)

    def _show_overview(self, item_id: int | None) -> None:
        pane = self.query_one(OverviewPane)
        item = self.app.service.item_by_id(item_id) if item_id is not None else None
        pane.local_next_check = self.app.local_time_text(item.next_check_at) if item and item.next_check_at else ""
        pane.item = item

    @on(ItemTable.Highlighted)
    def _highlighted(self, event: ItemTable.Highlighted) -> None:
        self._show_overview(event.item_id)

    @on(ItemTable.Selected)
    def _selected(self, event: ItemTable.Selected) -> None:
        if event.name is not None:
            self.app.open_item(event.name)

    @on(ItemTable.MarksChanged)
    def _marks_changed(self, event: ItemTable.MarksChanged) -> None:
        self.refresh_counts()

    @on(UpdateBanner.Activated)
    def _banner(self) -> None:
        self.action_bulk_update()

    def on_screen_resume(self) -> None:
        if self.query_state.vault_id != self.app.vault.id:
            self.vault_changed(self.app.vault)
        else:
            self.refresh_live()

    def vault_changed(self, vault) -> None:
        table = self.query_one(ItemTable)
        table.clear_marks()
        self.set_query(self.query_state.with_(vault_id=vault.id))

    def highlight_item(self, item_id: int) -> None:
        """Put the cursor on an item, clearing a filter that hides it."""
        table = self.query_one(ItemTable)
        position = self.app.service.position_of(table.query, item_id)
        if position is None:
            self.query_one("#filter", Input).value = ""
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
        self.set_query(self.query_state.with_(sort=sort, descending=False))
        self.notify(f"Sorted by {sort.replace('_', ' ')}", timeout=2)

    def action_reverse_sort(self) -> None:
        self.set_query(self.query_state.with_(descending=not self.query_state.descending))

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.add_class("-active")
        box.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if box.value:
            box.value = ""
        box.remove_class("-active")
        self.query_one(ItemTable).focus()

    def action_update(self) -> None:
        """Update the marked machines, or the highlighted one when none is marked."""
        table = self.query_one(ItemTable)
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
        self.query_one(OverviewPane).toggle_class("-hidden")

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        if self._filter_timer is not None:  # debounce: one query per pause in typing
            self._filter_timer.stop()
        text = event.value
        self._filter_timer = self.set_timer(FILTER_DEBOUNCE_S, lambda: self._apply_filter(text))

    def _apply_filter(self, text: str) -> None:
        self._filter_timer = None
        if text != self.query_state.text:
            self.set_query(self.query_state.with_(text=text))

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        self._apply_filter(event.value)
        if not event.value:
            event.input.remove_class("-active")
        self.query_one(ItemTable).focus()

"""The bulk update dialog: every machine with a newer version; blocked ones listed but not
selectable."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from store.queries import ItemQuery
from store.vocabulary import BULK_STATUSES, UpdateStatus
from tui.live_view import LiveView
from tui.modals.base import Dialog
from tui.render import safe_text
from tui.widgets.item_table import ItemTable

RECOUNT_S = 1.0
"""At most this often, while the fleet changes, the dialog reads its list's length and the eligible
machines again."""


class BulkTable(ItemTable):
    """The dialog's list: Enter moves to OK (a second Enter there updates), so choosing machines
    never submits by accident."""

    def action_select_cursor(self) -> None:
        self.screen.query_one("#ok", Button).focus()


class BulkUpdateModal(LiveView, Dialog[list[int] | None]):
    """Choose the source machines to update, then OK: returns the chosen item ids (None:
    cancelled)."""

    DEFAULT_CSS = """
    BulkUpdateModal > Vertical {
        width: 110;
        max-width: 100%;
        height: 90%;
    }
    BulkUpdateModal BulkTable {
        height: 1fr;
    }
    BulkUpdateModal #bulk-help, BulkUpdateModal #bulk-reason {
        height: auto;
    }
    BulkUpdateModal .buttons {
        height: 3;
    }
    BulkUpdateModal #bulk-count {
        width: 1fr;
        height: 3;
        content-align: left middle;
    }
    """
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", id="bulk.cancel"),
        Binding("a", "select_all", "Select all eligible", id="bulk.select_all"),
        Binding("n", "select_none", "Select none", id="bulk.select_none"),
    ]

    def __init__(self, source, vault_id: int, eligible: int) -> None:
        super().__init__()
        self.source = source
        self.vault_id = vault_id
        self.eligible = eligible
        self._recount_due = False

    def compose(self) -> ComposeResult:
        query = ItemQuery(vault_id=self.vault_id, statuses=BULK_STATUSES)
        with Vertical() as box:
            box.border_title = "Update Mobility agent"
            yield Static(
                Text(
                    "Choose the source machines to update, then OK. Machines whose prerequisites"
                    " are not met cannot be selected. space select · a all eligible · n none ·"
                    " Enter to OK"
                ),
                id="bulk-help",
            )
            yield BulkTable(self.source, query, id="bulk-table")
            yield Static(id="bulk-reason")
            with Horizontal(classes="buttons"):
                yield Static(id="bulk-count")
                yield Button("Cancel", id="cancel")
                yield Button("OK", id="ok", variant="primary")
                yield Button("Staged…", id="staged")

    def on_mount(self) -> None:
        self._count(0)
        self.query_one(BulkTable).focus()
        self.set_interval(RECOUNT_S, self._recount_if_due)
        # OK creates the jobs with the write path (store.operations and the engine code under it):
        # loaded now, off the event loop, while the operator chooses, not after OK.
        self.run_worker(
            self.source.prepare_writes, thread=True, group="bulk-prepare", exit_on_error=False
        )

    def refresh_live(self, *, polled: bool = False) -> None:
        """The fleet changed while the dialog is open (the engine's nightly run, another process):
        the listed machines repaint now; the list's length, the eligible count and the marks of
        machines that can no longer update follow within a second (`_recount`: reading every
        eligible machine costs ~60 ms at 100,000)."""
        if polled:
            self.query_one(BulkTable).refresh_rows(recount=False)
            self._recount_due = True
        else:
            self._recount()

    def _recount_if_due(self) -> None:
        if self._recount_due:
            self._recount()

    def _recount(self) -> None:
        self._recount_due = False
        table = self.query_one(BulkTable)
        table.refresh_rows(recount=True)
        eligible = set(self.source.eligible_ids(self.vault_id))
        self.eligible = len(eligible)
        gone = table.marked - eligible
        if gone:
            table.unmark_items(gone)  # Posts MarksChanged: the count line follows.
        else:
            self._count(len(table.marked))

    def _count(self, n: int) -> None:
        self.query_one("#bulk-count", Static).update(
            Text(f"{n:,} selected of {self.eligible:,} eligible  ", style="bold")
        )
        self.query_one("#ok", Button).disabled = n == 0

    @on(ItemTable.MarksChanged)
    def _marks(self, event: ItemTable.MarksChanged) -> None:
        self._count(event.count)

    @on(ItemTable.Highlighted)
    def _highlighted(self, event: ItemTable.Highlighted) -> None:
        reason = Text()
        if event.item_id is not None:
            item = self.source.item_by_id(event.item_id)
            if item is not None and item.status == UpdateStatus.BLOCKED.value:
                reason.append(f"{safe_text(item.name)} cannot be selected: ", style="bold")
                reason.append(
                    "; ".join(
                        f"{b.reason}: {safe_text(b.message).rstrip('.')}" for b in item.blockers
                    )
                )
            elif item is not None and item.status == UpdateStatus.UPDATING.value:
                reason.append(f"{safe_text(item.name)} is already updating.", style="italic")
        self.query_one("#bulk-reason", Static).update(reason)

    def action_select_all(self) -> None:
        self.query_one(BulkTable).mark_items(self.source.eligible_ids(self.vault_id))

    def action_select_none(self) -> None:
        self.query_one(BulkTable).clear_marks()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self.dismiss(sorted(self.query_one(BulkTable).marked))
        elif event.button.id == "staged":
            self._staged()
        else:
            self.dismiss(None)

    def _staged(self) -> None:
        """A staged rollout over the chosen machines instead of one job each now."""
        from tui.rollout_flows import open_rollout_form

        marked = sorted(self.query_one(BulkTable).marked)
        if not marked:
            self.notify(
                "Select machines first (a selects every eligible machine).",
                severity="warning",
                timeout=4,
            )
            return
        open_rollout_form(self.app, marked, on_created=lambda: self.dismiss(None))

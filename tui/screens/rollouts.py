"""Staged rollouts: each rollout's state and per-wave progress, the bake countdown, why it halted;
pause, resume and abort; `g` from a failed machine to its job."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Static

from store.errors import StoreError
from tui.live_view import LiveView
from tui.render import safe_text
from tui.rollout_render import STYLE_NAMES, rollout_cells, rollout_detail
from tui.widgets.clock_bar import ClockBar
from tui.widgets.key_bar import KeyBar

if TYPE_CHECKING:
    from store.models import FailedMachine, RolloutView

READ_S = 1.0
"""While the engine works, the rollouts' counts are read again at most this often (a count over
every job of a running wave); the countdown repaints with the clock at every poll."""
STATE_STYLES = (
    "running",
    "baking",
    "waiting",
    "paused",
    "halted",
    "completed",
    "aborted",
    "succeeded",
    "pending",
)


class RolloutsScreen(LiveView, Screen):
    """Every staged rollout of the vault, newest first, and the highlighted one's waves."""

    CSS_PATH = "rollouts.tcss"
    COMPONENT_CLASSES = {f"rollouts--{name}" for name in (*STYLE_NAMES.values(), "counts")} | {
        f"rollouts--state-{s}" for s in STATE_STYLES
    }
    BINDINGS = [
        Binding("p", "pause", "Pause", id="rollouts.pause"),
        Binding("r", "resume", "Resume", id="rollouts.resume"),
        Binding("x", "abort", "Abort", id="rollouts.abort"),
        Binding("g", "goto_job", "Failed machine's job", id="rollouts.goto_job"),
        Binding("n", "new", "New rollout", id="rollouts.new"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._views: list[RolloutView] = []
        self._failed: list[FailedMachine] = []
        self._failed_of: tuple[str, int] | None = None
        self._stale = False

    def compose(self) -> ComposeResult:
        yield ClockBar()
        with Vertical(id="rollouts-body"):
            yield DataTable(id="rollouts", cursor_type="row", zebra_stripes=True)
            yield Static(id="rollout-detail")
            yield DataTable(id="failed", cursor_type="row")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one("#rollouts", DataTable)
        table.border_title = "Staged rollouts"
        table.add_columns("Rollout", "State", "Waves started", "Failures", "Machines")
        failed = self.query_one("#failed", DataTable)
        failed.border_title = "Failed machines (g: its job)"
        failed.add_columns("Machine", "Wave", "Error")
        self.refresh_live()
        self.set_interval(READ_S, self._read_if_stale)
        table.focus()

    # -- reading and showing ----------------------------------------------------------------------
    def refresh_live(self, *, polled: bool = False) -> None:
        """Read the rollouts now, or (`polled`: the engine commits several times a second) within
        READ_S; the detail's countdown follows the clock either way."""
        if polled:
            self._stale = True
            self._show_detail()
            return
        self._stale = False
        self._views = self.app.service.rollouts(self.app.vault.id)
        table = self.query_one("#rollouts", DataTable)
        row = table.cursor_row
        table.clear()
        for v in self._views:
            table.add_row(*rollout_cells(v), key=v.name)
        if self._views:
            table.move_cursor(row=min(max(row, 0), len(self._views) - 1))
        self._show_detail()

    def _read_if_stale(self) -> None:
        if self._stale:
            self.refresh_live()

    def on_screen_resume(self) -> None:
        self.refresh_live()

    def vault_changed(self, _vault) -> None:
        self.refresh_live()

    @property
    def current(self) -> RolloutView | None:
        if not self._views:
            return None
        return self._views[
            min(self.query_one("#rollouts", DataTable).cursor_row, len(self._views) - 1)
        ]

    def _styles(self) -> dict:
        return {
            name: self.get_component_rich_style(f"rollouts--{name}")
            for name in (*STYLE_NAMES.values(), "counts", *(f"state-{s}" for s in STATE_STYLES))
        }

    def _show_detail(self) -> None:
        detail = self.query_one("#rollout-detail", Static)
        view = self.current
        if view is None:
            detail.update(
                Text(
                    "No staged rollout in this vault. n creates one over every eligible machine; "
                    "in the bulk dialog (b on Replicated items), Staged… creates one over the "
                    "machines chosen.",
                    style="italic",
                )
            )
            self._show_failed(None)
            return
        width = max(40, self.size.width - 4)
        detail.update(rollout_detail(view, self.app.service.clock().now, width, self._styles()))
        self._show_failed(view)

    def _show_failed(self, view: RolloutView | None) -> None:
        key = None if view is None else (view.name, sum(w.jobs["Failed"] for w in view.waves))
        if key == self._failed_of:
            return
        self._failed_of = key
        self._failed = [] if view is None else self.app.service.rollout_failed_machines(view.name)
        table = self.query_one("#failed", DataTable)
        table.clear()
        for f in self._failed:
            table.add_row(
                Text(safe_text(f.name)), str(f.wave), Text(safe_text(f.error)), key=f.job_id
            )

    @on(DataTable.RowHighlighted, "#rollouts")
    def _highlighted(self) -> None:
        self._show_detail()

    # -- the operator's keys ----------------------------------------------------------------------
    def _act(self, verb: str) -> None:
        view = self.current
        if view is None:
            return
        try:
            done = getattr(self.app.service, f"{verb}_rollout")(view.name)
        except StoreError as exc:
            self.app.report_error(exc)
            return
        self.app.after_change()
        self.notify(f"Rollout {safe_text(done.name)}: {done.state}.", timeout=4)

    def action_pause(self) -> None:
        self._act("pause")

    def action_resume(self) -> None:
        self._act("resume")

    def action_abort(self) -> None:
        view = self.current
        if view is None:
            return
        from tui.modals.confirm import ConfirmModal

        message = Text("Abort the rollout ")
        message.append(safe_text(view.name), style="bold")
        message.append(
            "? Its jobs that have not started are cancelled; running ones finish. "
            "An aborted rollout cannot be resumed."
        )

        def confirmed(ok: bool | None) -> None:
            if not ok:
                return
            try:
                done, cancelled = self.app.service.abort_rollout(view.name)
            except StoreError as exc:
                self.app.report_error(exc)
                return
            self.app.after_change()
            self.notify(
                f"Rollout {safe_text(done.name)} aborted: {cancelled:,} jobs cancelled.", timeout=6
            )

        self.app.push_screen(
            ConfirmModal("Abort rollout", message, ok_label="Abort rollout"), confirmed
        )

    def action_goto_job(self) -> None:
        table = self.query_one("#failed", DataTable)
        if not self._failed:
            self.notify("No failed machine in this rollout.", severity="warning", timeout=3)
            return
        self.app.open_job(self._failed[min(table.cursor_row, len(self._failed) - 1)].job_id)

    def action_new(self) -> None:
        from tui.rollout_flows import open_rollout_form

        open_rollout_form(self.app, None)

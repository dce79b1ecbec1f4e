"""Monitoring > Site Recovery jobs: a live list; open, retry, cancel, and jump to the machine."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from store.job_queries import JobQuery
from store.vocabulary import JobState
from tui.live_view import LiveView
from tui.paint import use_line_compositor
from tui.widgets.clock_bar import ClockBar
from tui.widgets.job_table import JobTable
from tui.widgets.key_bar import KeyBar

STATE_FILTERS: list[str | None] = [
    None,
    "InProgress",
    "NotStarted",
    "Failed",
    "Succeeded",
    "Cancelled",
]
COUNTS_S = 1.0
"""While the engine works, the per-state counts are read again at most this often."""


class JobsScreen(LiveView, Screen):
    """Every job of the vault, newest first; `f` cycles the state filter."""

    BINDINGS = [
        Binding("f", "next_state", "Filter state", id="jobs.filter_state"),
        Binding("r", "retry", "Retry", id="jobs.retry"),
        Binding("c", "cancel", "Cancel job", id="jobs.cancel"),
        Binding("g", "goto", "Go to item", id="jobs.goto"),
    ]
    DEFAULT_CSS = """
    JobsScreen #job-states { height: 1; padding: 0 1; }
    JobsScreen JobTable { border: round $primary 50%; }
    JobsScreen JobTable:focus { border: round $accent; }
    """

    def __init__(self) -> None:
        super().__init__()
        use_line_compositor(self)
        self._counts: dict[str, int] = {}
        """Jobs per state in the vault, as last read."""
        self._counts_stale = False
        self._states_line: Text | None = None
        self._title = ""

    def compose(self) -> ComposeResult:
        yield ClockBar()
        yield Static(id="job-states")
        yield JobTable(
            self.app.service, JobQuery(vault_id=self.app.vault.id), self.app.vault.time_zone
        )
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(JobTable).focus()
        self.refresh_live()
        self.set_interval(COUNTS_S, self.refresh_stale_counts)

    @property
    def table(self) -> JobTable:
        return self.query_one(JobTable)

    def _matches(self, state: str | None) -> int:
        """Jobs the table shows for a state filter, from the per-state counts."""
        return sum(self._counts.values()) if state is None else self._counts.get(state, 0)

    def refresh_live(self, *, polled: bool = False) -> None:
        """The data changed: read the per-state counts (deferred when `polled`: the engine commits
        several times a second, the counts are read at most once a second) and the rows."""
        if polled:
            self._counts_stale = True
        else:
            self._counts = self.app.service.job_state_counts(self.table.query.vault_id)
            self._counts_stale = False
        table = self.table
        table.refresh_rows(count=self._matches(table.query.state))
        self._show_states()

    def refresh_stale_counts(self) -> None:
        if self._counts_stale:
            self.refresh_live()

    def _show_states(self) -> None:
        """The state bar and the title, repainted only when their text changed."""
        table = self.table
        line = Text()
        for n, state in enumerate(STATE_FILTERS):
            label = "All" if state is None else state
            if n:
                line.append(" │ ")
            style = "reverse bold" if state == table.query.state else ""
            line.append(f"{label} {self._matches(state):,}", style=style)
        if line != self._states_line:
            self._states_line = line
            self.query_one("#job-states", Static).update(line, layout=False)  # One line, always.
        state = table.query.state
        # A state filter always shows, so an empty list is never a mystery.
        title = (
            f"Site Recovery jobs  {table.row_count:,}"
            if state is None
            else f"Site Recovery jobs · {state} {table.row_count:,} of {self._matches(None):,}"
        )
        if title != self._title:
            self._title = table.border_title = title

    def on_screen_resume(self) -> None:
        if self.table.query.vault_id != self.app.vault.id:
            self.vault_changed(self.app.vault)
        else:
            self.refresh_live()

    def vault_changed(self, vault) -> None:
        state = self.table.query.state
        self._counts, self._counts_stale = self.app.service.job_state_counts(vault.id), False
        self.table.set_query(
            JobQuery(vault_id=vault.id, state=state), vault.time_zone, count=self._matches(state)
        )
        self._show_states()

    def action_next_state(self) -> None:
        """The next state filter: the count comes from the state bar's counts (no recount)."""
        current = STATE_FILTERS.index(self.table.query.state)
        state = STATE_FILTERS[(current + 1) % len(STATE_FILTERS)]
        self.table.set_query(
            JobQuery(vault_id=self.app.vault.id, state=state), count=self._matches(state)
        )
        self._show_states()

    @on(JobTable.Opened)
    def _opened(self, event: JobTable.Opened) -> None:
        self.app.open_job(event.job_id)

    def action_retry(self) -> None:
        row = self.table.highlighted
        if row is not None:
            self.app.retry_job(row.id)

    def action_cancel(self) -> None:
        row = self.table.highlighted
        if row is not None:
            if row.state not in (JobState.NOT_STARTED.value, JobState.IN_PROGRESS.value):
                self.notify(
                    f"This job is {row.state}; only a waiting or running job can be cancelled.",
                    severity="warning",
                )
                return
            self.app.cancel_job(self.app.service.job(row.id))

    def action_goto(self) -> None:
        row = self.table.highlighted
        if row is not None:
            self.app.goto_target(self.app.service.job(row.id))

"""Monitoring > Site Recovery jobs: a live list; open, retry, cancel, and jump to the machine."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static

from store.jobs import JobQuery
from store.models import JobState
from tui.widgets.clock_bar import ClockBar
from tui.widgets.job_table import JobTable

STATE_FILTERS: list[str | None] = [None, "InProgress", "NotStarted", "Failed", "Succeeded", "Cancelled"]


class JobsScreen(Screen):
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

    def compose(self) -> ComposeResult:
        yield ClockBar()
        yield Static(id="job-states")
        yield JobTable(self.app.service, JobQuery(vault_id=self.app.vault.id), self.app.vault.time_zone)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(JobTable).focus()
        self.refresh_live()

    @property
    def table(self) -> JobTable:
        return self.query_one(JobTable)

    def refresh_live(self) -> None:
        table = self.table
        table.refresh_rows()
        counts = self.app.service.job_state_counts(self.app.vault.id)
        line = Text()
        for n, state in enumerate(STATE_FILTERS):
            label = "All" if state is None else state
            number = sum(counts.values()) if state is None else counts.get(state, 0)
            if n:
                line.append(" │ ")
            style = "reverse bold" if state == table.query.state else ""
            line.append(f"{label} {number:,}", style=style)
        self.query_one("#job-states", Static).update(line)
        table.border_title = f"Site Recovery jobs  {table.count:,}"

    def on_screen_resume(self) -> None:
        if self.table.query.vault_id != self.app.vault.id:
            self.vault_changed(self.app.vault)
        else:
            self.refresh_live()

    def vault_changed(self, vault) -> None:
        self.table.set_query(JobQuery(vault_id=vault.id, state=self.table.query.state), vault.time_zone)
        self.refresh_live()

    def action_next_state(self) -> None:
        current = STATE_FILTERS.index(self.table.query.state)
        state = STATE_FILTERS[(current + 1) % len(STATE_FILTERS)]
        self.table.set_query(JobQuery(vault_id=self.app.vault.id, state=state))
        self.refresh_live()

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
                self.notify(f"This job is {row.state}; only a waiting or running job can be cancelled.",
                            severity="warning")
                return
            self.app.cancel_job(self.app.service.job(row.id))

    def action_goto(self) -> None:
        row = self.table.highlighted
        if row is not None:
            self.app.goto_target(self.app.service.job(row.id))

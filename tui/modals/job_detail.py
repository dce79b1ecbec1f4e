"""One Site Recovery job: its tasks, errors with recommended actions, and what can be done with
it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Static

from tui.modals.base import Dialog
from tui.render import job_errors, local_time, safe_text

if TYPE_CHECKING:
    from store.models import JobView

TASK_MARKS = {
    "Succeeded": "✔",
    "InProgress": "▶",
    "Failed": "✖",
    "Cancelled": "■",
    "Cancelling": "■",
}


@dataclass(frozen=True)
class JobAction:
    """What the operator chose: `retry`, `cancel`, `goto-item` (target) or `open-job` (job_id)."""

    kind: str
    job_id: str
    target: str | None = None


def job_body(job: JobView, duration: str, time_zone: str = "UTC") -> Group:
    """Pure: a job as rich renderables (fields, tasks, errors); times local to `time_zone`."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    target = job.item if job.component is None else f"{job.item} · {job.component}"
    for label, value in (
        ("Job", job.name),
        ("Id", job.id),
        ("Item", target),
        ("State", job.state),
        ("Initiated by", job.initiated_by),
        ("Created", local_time(job.created_time, time_zone)),
        ("Started", local_time(job.start_time, time_zone)),
        ("Ended", local_time(job.end_time, time_zone)),
        ("Duration", duration or "-"),
        ("Version", f"{job.from_version or '?'} → {job.to_version or '?'}"),
    ):
        grid.add_row(label, Text(safe_text(value)))
    if job.retry_of:
        grid.add_row("Retry of", job.retry_of)
    if job.waiting_reason and job.state == "NotStarted":
        grid.add_row("Waiting", Text(safe_text(job.waiting_reason)))
    tasks = Text("\nTasks\n", style="bold")
    for t in job.tasks:
        tasks.append(f"  {TASK_MARKS.get(t.state, '·')} ", style="bold")
        tasks.append(f"{t.name}  ")
        tasks.append(f"{t.state}\n", style="italic")
    parts: list = [grid, tasks]
    if job.errors:
        parts.append(Text("Errors", style="bold"))
        parts.extend(job_errors(job))
    return Group(*parts)


class JobDetailModal(Dialog[JobAction | None]):
    """Enter on a job (or a machine's job link): tasks and errors; retry, cancel, go to the
    machine."""

    DEFAULT_CSS = """
    JobDetailModal > Vertical {
        width: 96;
    }
    """
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Close", id="job_detail.close"),
        Binding("g", "goto_item", "Go to item", id="job_detail.goto"),
    ]

    def __init__(self, job: JobView, duration: str = "", time_zone: str = "UTC") -> None:
        super().__init__()
        self.job = job
        self.duration = duration
        self.time_zone = time_zone

    def compose(self) -> ComposeResult:
        job = self.job
        with Vertical() as box:
            box.border_title = f"{job.name} · {job.state}"
            with VerticalScroll():
                yield Static(job_body(job, self.duration, self.time_zone), id="job-body")
            with Horizontal(classes="buttons"):
                if job.state in ("Failed", "Cancelled"):
                    yield Button("Retry", id="retry", variant="primary")
                if job.state in ("NotStarted", "InProgress"):
                    yield Button("Cancel job", id="cancel", variant="error")
                if job.retry_of:
                    yield Button("Previous job", id="open-job")
                yield Button("Go to item", id="goto-item")
                yield Button("Close", id="close")

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()

    def action_goto_item(self) -> None:
        """`g`, as on the jobs screen: to the job's machine (or appliance)."""
        self.dismiss(JobAction("goto-item", self.job.id, self.job.item))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        kind = event.button.id
        if kind == "close":
            self.dismiss(None)
        elif kind == "open-job":
            self.dismiss(JobAction("open-job", self.job.retry_of or self.job.id))
        else:
            self.dismiss(JobAction(kind, self.job.id, self.job.item))

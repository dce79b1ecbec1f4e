"""One Site Recovery job: its tasks, errors with recommended actions, and what can be done with it."""

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
from tui.render import safe_text

if TYPE_CHECKING:
    from store.models import JobView

TASK_MARKS = {"Succeeded": "✔", "InProgress": "▶", "Failed": "✖", "Cancelled": "■", "Cancelling": "■"}


@dataclass(frozen=True)
class JobAction:
    """What the operator chose: `retry`, `cancel`, `goto-item` (target) or `open-job` (job_id)."""

    kind: str
    job_id: str
    target: str | None = None


def job_body(job: JobView, duration: str) -> Group:
    """Pure: a job as rich renderables (fields, tasks, errors)."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    target = job.item if job.component is None else f"{job.item} · {job.component}"
    for label, value in (
        ("Job", job.name), ("Id", job.id), ("Item", target), ("State", job.state),
        ("Initiated by", job.initiated_by), ("Created", job.created_time),
        ("Started", job.start_time or "-"), ("Ended", job.end_time or "-"), ("Duration", duration or "-"),
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
        errors = Text("Errors\n", style="bold")
        for e in job.errors:
            errors.append(f"  {e.code}: {safe_text(e.message)}\n")
            errors.append("  Possible causes: ", style="bold")
            errors.append(f"{safe_text(e.possible_causes)}\n")
            errors.append("  Recommended action: ", style="bold")
            errors.append(f"{safe_text(e.recommended_action)}\n")
        parts.append(errors)
    return Group(*parts)


class JobDetailModal(Dialog[JobAction | None]):
    """Enter on a job (or a machine's job link): tasks and errors; retry, cancel, go to the machine."""

    DEFAULT_CSS = """
    JobDetailModal > Vertical {
        width: 96;
    }
    """
    BINDINGS = [Binding("escape", "dismiss(None)", "Close", id="job_detail.close")]

    def __init__(self, job: JobView, duration: str = "") -> None:
        super().__init__()
        self.job = job
        self.duration = duration

    def compose(self) -> ComposeResult:
        job = self.job
        with Vertical() as box:
            box.border_title = f"{job.name} · {job.state}"
            with VerticalScroll():
                yield Static(job_body(job, self.duration), id="job-body")
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

    def on_button_pressed(self, event: Button.Pressed) -> None:
        kind = event.button.id
        if kind == "close":
            self.dismiss(None)
        elif kind == "open-job":
            self.dismiss(JobAction("open-job", self.job.retry_of or self.job.id))
        else:
            self.dismiss(JobAction(kind, self.job.id, self.job.item))

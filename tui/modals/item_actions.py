"""What a machine's status calls for: update details, blocking reasons, a failed update, a running
job."""

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

from store.vocabulary import UpdateStatus
from tui.modals.base import Dialog
from tui.render import hanging, job_errors, local_time, safe_text

if TYPE_CHECKING:
    from store.models import ItemView, JobView


@dataclass(frozen=True)
class ItemAction:
    """What the operator chose: `update`, `retry` (of job_id), or `open-job` (job_id)."""

    kind: str
    job_id: str | None = None


TITLES = {
    UpdateStatus.UPDATE_AVAILABLE.value: "New update available",
    UpdateStatus.BLOCKED.value: "Cannot update to latest version",
    UpdateStatus.FAILED.value: "Update failed",
    UpdateStatus.UPDATING.value: "Updating",
    UpdateStatus.UP_TO_DATE.value: "Up to date",
}


def details(item: ItemView, job: JobView | None, next_check: str, time_zone: str = "UTC") -> Group:
    """The body of the dialog, by status (pure: model -> rich renderables)."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    grid.add_row("Machine", Text(safe_text(item.name)))
    grid.add_row("Current version", item.agent_version)
    grid.add_row("Latest version", item.latest_version or "-")
    if item.latest_release_date:
        grid.add_row("Released", item.latest_release_date)
    parts: list = [grid]
    if item.status == UpdateStatus.BLOCKED.value:
        parts.append(Text("\nThe prerequisites to update the Mobility service are not met:"))
        for b in item.blockers:
            parts.append(Text(f"\n● {b.reason}", style="bold"))
            body = Text(safe_text(b.message))
            body.append("\nRecommended action: ", style="bold")
            body.append(safe_text(b.recommended_action))
            parts.append(hanging(body))
        parts.append(
            Text(
                "\nAfter resolving the blocking reasons, wait for the next check"
                f" ({next_check or 'within 30 minutes'}).",
                style="italic",
            )
        )
    elif item.status == UpdateStatus.FAILED.value and job is not None:
        parts.append(Text(f"\nThe last update job failed ({local_time(job.end_time, time_zone)})."))
        parts.extend(job_errors(job))
        parts.append(Text("\nResolve the errors, then retry the update.", style="italic"))
    elif item.status == UpdateStatus.UPDATING.value and job is not None:
        text = Text(f"\n{job.name}: {job.state}\n")
        for t in job.tasks:
            mark = {"Succeeded": "✔", "InProgress": "▶", "Failed": "✖"}.get(t.state, "·")
            text.append(f"  {mark} {t.name}  {t.state}\n")
        if job.waiting_reason and job.state == "NotStarted":
            text.append(f"\nWaiting: {safe_text(job.waiting_reason)}\n", style="italic")
        parts.append(text)
    elif item.status == UpdateStatus.UPDATE_AVAILABLE.value:
        parts.append(
            Text("\nThe update needs no reboot and does not interrupt replication.", style="italic")
        )
    return Group(*parts)


class ItemActionModal(Dialog[ItemAction | None]):
    """Opened with Enter on a machine: the portal's status blade for that machine."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Close", id="item_action.close")]

    def __init__(
        self, item: ItemView, job: JobView | None, next_check: str = "", time_zone: str = "UTC"
    ) -> None:
        super().__init__()
        self.item = item
        self.job = job
        self.next_check = next_check
        self.time_zone = time_zone

    def compose(self) -> ComposeResult:
        status = self.item.status
        with Vertical() as box:
            box.border_title = TITLES.get(status, status)
            with VerticalScroll():
                yield Static(
                    details(self.item, self.job, self.next_check, self.time_zone), id="details"
                )
            with Horizontal(classes="buttons"):
                if status == UpdateStatus.UPDATE_AVAILABLE.value:
                    yield Button("Update to this version", id="update", variant="primary")
                if status == UpdateStatus.FAILED.value and self.job is not None:
                    yield Button("Retry", id="retry", variant="primary")
                if self.job is not None and status in (
                    UpdateStatus.FAILED.value,
                    UpdateStatus.UPDATING.value,
                ):
                    label = "Previous job" if status == UpdateStatus.FAILED.value else "Open job"
                    yield Button(label, id="open-job")
                yield Button("Close", id="close")

    def on_mount(self) -> None:
        buttons = self.query(Button)
        buttons.first().focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        kind = event.button.id
        if kind == "close":
            self.dismiss(None)
        elif kind == "update":
            self.dismiss(ItemAction("update"))
        else:
            self.dismiss(ItemAction(kind, self.job.id if self.job else None))

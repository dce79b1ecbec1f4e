"""The VM overview pane: the highlighted machine's agent version, status, blockers and last job."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from store.models import ItemView, UpdateStatus
from tui.render import safe_text

NEXT_STEP = {
    UpdateStatus.UPDATE_AVAILABLE.value: "Enter: Update to this version",
    UpdateStatus.BLOCKED.value: "Enter: blocking reasons and recommended actions",
    UpdateStatus.FAILED.value: "Enter: error, Retry, previous job",
    UpdateStatus.UPDATING.value: "Enter: the running job",
    UpdateStatus.UP_TO_DATE.value: "",
}


class OverviewPane(Static):
    """Follows the table's highlighted row; shows what the portal's Overview blade shows."""

    DEFAULT_CSS = """
    OverviewPane {
        border: round $primary 50%;
        border-title-color: $text;
        padding: 0 1;
        height: 1fr;
        overflow-y: auto;
        & > .overview--status-up-to-date { color: $text-success; }
        & > .overview--status-update-available { color: $text-primary; }
        & > .overview--status-blocked { color: $text-warning; }
        & > .overview--status-updating { color: $text-accent; }
        & > .overview--status-failed { color: $text-error; text-style: bold; }
    }
    """
    COMPONENT_CLASSES = {f"overview--status-{s.slug}" for s in UpdateStatus}

    item: reactive[ItemView | None] = reactive(None)
    """The machine shown, or None when nothing is highlighted."""
    local_next_check: reactive[str] = reactive("")
    """When the service checks this machine again, in vault-local time."""

    def on_mount(self) -> None:
        self.watch_item(self.item)

    def watch_item(self, item: ItemView | None) -> None:
        self.border_title = Text(safe_text(item.name)) if item else "Overview"
        # A layout pass (to size the scrollbar) only when the content's shape can have changed:
        # another machine, other blockers, a line more or less. A status change of the same
        # machine repaints the pane alone.
        shape = None if item is None else (item.name, tuple(item.blockers), bool(NEXT_STEP.get(item.status)),
                                            bool(self.local_next_check))
        self.update(self._content(item), layout=shape != getattr(self, "_shape", ...))
        self._shape = shape

    def _content(self, item: ItemView | None):
        if item is None:
            return Text("No machine highlighted.", style="dim")
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="bold", no_wrap=True, min_width=14)
        grid.add_column(overflow="fold")
        grid.add_row("Agent version", item.agent_version)
        slug = _slug(item.status)
        grid.add_row("Status", Text(item.status, style=self.get_component_rich_style(f"overview--status-{slug}")))
        latest = item.latest_version or "-"
        if item.latest_release_date and item.latest_version != item.agent_version:
            latest += f" ({item.latest_release_date})"
        grid.add_row("Latest version", latest)
        parts: list = [grid]
        if item.blockers:
            blockers = Text()
            for b in item.blockers:
                blockers.append(f"● {b.reason}\n", style="bold")
                blockers.append(f"  {safe_text(b.message)}\n")
                blockers.append(f"  → {safe_text(b.recommended_action)}\n", style="italic")
            if self.local_next_check:
                blockers.append(f"The service checks again at {self.local_next_check}.\n", style="dim")
            parts.append(blockers)
        step = NEXT_STEP.get(item.status, "")
        if step:
            parts.append(Text(step, style="bold"))
        more = Table.grid(padding=(0, 1))
        more.add_column(style="bold", no_wrap=True, min_width=14)
        more.add_column(overflow="fold")
        more.add_row("OS", Text(safe_text(item.os)))
        more.add_row("Appliance", Text(safe_text(item.appliance)))
        more.add_row("Replication", f"{item.replication_health} · {item.protection_state}")
        more.add_row("Last job", item.last_job_id[:8] + "…" if item.last_job_id else "-")
        more.add_row("Auto update", "on" if item.auto_update else Text(item.auto_update_note or "off", style="italic"))
        parts.append(more)
        return Group(*parts)


def _slug(word: str) -> str:
    for status in UpdateStatus:
        if status.value == word:
            return status.slug
    return "up-to-date"

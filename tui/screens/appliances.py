"""Appliances: each replication appliance's components, versions and status; updates and
AutoUpdate."""

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
from store.vocabulary import UpdateStatus
from tui.live_view import LiveView
from tui.modals.confirm import ConfirmModal
from tui.modals.registry import RegistryModal
from tui.render import safe_text, short_job_id
from tui.status_colours import status_styles
from tui.widgets.clock_bar import ClockBar
from tui.widgets.key_bar import KeyBar

if TYPE_CHECKING:
    from store.models import ApplianceView

SLUG_OF = {s.value: s.slug for s in UpdateStatus}


def appliance_cells(a: ApplianceView) -> list[Text]:
    """One appliance row: name, Azure connectivity, auto-update, machines, components needing
    updates."""
    behind = sum(1 for c in a.components if c.status != UpdateStatus.UP_TO_DATE.value)
    return [
        Text(safe_text(a.name)),
        Text(
            "Connected" if a.azure_connected else "No Azure connectivity",
            style="" if a.azure_connected else "bold",
        ),
        Text(
            "On" if a.auto_update else "Off (AutoUpdate = 0)", style="" if a.auto_update else "bold"
        ),
        Text(str(a.item_count), justify="right"),
        Text(
            f"{behind} of {len(a.components)} {'needs' if behind == 1 else 'need'} an update"
            if behind
            else "All up to date"
        ),
    ]


class AppliancesScreen(LiveView, Screen):
    """Microsoft Azure Appliance Configuration Manager > Appliance components, for every
    appliance."""

    CSS_PATH = "appliances.tcss"
    BINDINGS = [
        Binding("u", "update_component", "Update component", id="appliances.update"),
        Binding("r", "registry", "Registry (AutoUpdate)", id="appliances.registry"),
        Binding("enter", "component_status", "Status details", show=False, id="appliances.details"),
    ]

    def compose(self) -> ComposeResult:
        yield ClockBar()
        with Vertical(id="appliances-body"):
            yield DataTable(id="appliances", cursor_type="row", zebra_stripes=True)
            yield DataTable(id="components", cursor_type="row", cell_padding=0)
            yield Static(id="component-detail")
        yield KeyBar()

    def on_mount(self) -> None:
        appliances = self.query_one("#appliances", DataTable)
        appliances.border_title = "Replication appliances"
        appliances.border_subtitle = "Enter or Tab: its components"
        appliances.add_columns(
            "Appliance", "Azure services", "Auto-update", "Machines", "Components"
        )
        components = self.query_one("#components", DataTable)
        components.border_subtitle = "u: update · r: AutoUpdate registry · shift+tab: appliances"
        for title, width in (("Component", 24), ("Version", 16), ("Latest", 16)):
            components.add_column(title, width=width)
        components.add_column("Status")  # its content's width: "Cannot update to latest version"
        self.refresh_live()
        appliances.focus()

    @property
    def views(self) -> list[ApplianceView]:
        return self._views

    def refresh_live(self, *, polled: bool = False) -> None:  # A few rows: always read them all.
        table = self.query_one("#appliances", DataTable)
        self._views = self.app.service.appliances(self.app.vault.id)
        row = table.cursor_row
        table.clear()
        for a in self._views:
            table.add_row(*appliance_cells(a), key=a.name)
        if self._views:
            table.move_cursor(row=min(row, len(self._views) - 1))
        self._show_components()

    def select(self, name: str) -> None:
        for n, a in enumerate(self._views):
            if a.name == name:
                self.query_one("#appliances", DataTable).move_cursor(row=n)
                self.query_one("#components", DataTable).focus()

    def current(self) -> ApplianceView | None:
        table = self.query_one("#appliances", DataTable)
        if not self._views:
            return None
        return self._views[min(table.cursor_row, len(self._views) - 1)]

    def _show_components(self) -> None:
        appliance = self.current()
        table = self.query_one("#components", DataTable)
        row = table.cursor_row
        table.clear()
        if appliance is None:
            return
        table.border_title = Text(f"Appliance components · {safe_text(appliance.name)}")
        for c in appliance.components:
            table.add_row(
                c.name,
                c.version,
                c.latest_version or "-",
                Text(c.status, style=self._status_style(c.status)),
                key=c.slug,
            )
        table.move_cursor(row=min(row, len(appliance.components) - 1))
        self._show_detail()

    def _status_style(self, word: str):
        slug = SLUG_OF.get(word)
        # Over the screen's style, as the status's component class was.
        return self.rich_style + status_styles(self.app)[slug] if slug else ""

    def _show_detail(self) -> None:
        appliance = self.current()
        detail = self.query_one("#component-detail", Static)
        if appliance is None or not appliance.components:
            detail.update("")
            return
        comp = appliance.components[
            min(self.query_one("#components", DataTable).cursor_row, len(appliance.components) - 1)
        ]
        text = Text()
        text.append(f"{comp.name}: ", style="bold")
        text.append(comp.status)
        if comp.status == UpdateStatus.UPDATE_AVAILABLE.value:
            text.append(f"  ·  u: update to {comp.latest_version}", style="italic")
        for b in comp.blockers:
            text.append(f"\n● {b.reason}: ", style="bold")
            text.append(safe_text(b.message))
            text.append("\n  Recommended action: ", style="bold")
            text.append(safe_text(b.recommended_action))
        registry = (
            ", ".join(f"{k} = {v}" for k, v in appliance.registry.items()) or "no AutoUpdate value"
        )
        text.append(f"\nHKLM\\SOFTWARE\\Microsoft\\AzureAppliance: {registry}", style="dim")
        detail.update(text)

    @on(DataTable.RowHighlighted, "#appliances")
    def _appliance_highlighted(self) -> None:
        self._show_components()

    @on(DataTable.RowSelected, "#appliances")
    def _appliance_chosen(self) -> None:
        self.query_one("#components", DataTable).focus()

    @on(DataTable.RowHighlighted, "#components")
    def _component_highlighted(self) -> None:
        self._show_detail()

    def _component(self):
        appliance = self.current()
        if appliance is None:
            return None, None
        table = self.query_one("#components", DataTable)
        return appliance, appliance.components[min(table.cursor_row, len(appliance.components) - 1)]

    def action_component_status(self) -> None:
        self.query_one("#components", DataTable).focus()

    def action_update_component(self) -> None:
        appliance, comp = self._component()
        if comp is None:
            return
        message = Text(f"Update {comp.name} on ")
        message.append(safe_text(appliance.name), style="bold")
        message.append(
            f" from {comp.version} to {comp.latest_version}? A Site Recovery job is created."
        )

        def confirmed(ok: bool | None) -> None:
            if not ok:
                return
            try:
                job = self.app.service.update_component(appliance.name, comp.slug)
            except StoreError as exc:
                self.app.report_error(exc)
                return
            self.app.after_change()
            self.notify(f"Update of {comp.name} started (job {short_job_id(job.id)}).", timeout=5)

        self.app.push_screen(
            ConfirmModal("Update appliance component", message, ok_label="Update"), confirmed
        )

    def action_registry(self) -> None:
        appliance = self.current()
        if appliance is None:
            return

        def chosen(result: str | None) -> None:
            if result is None:
                return
            try:
                if result == "set":
                    self.app.service.registry_set(appliance.name, "AutoUpdate", 0)
                    self.notify(
                        f"AutoUpdate = 0 on {safe_text(appliance.name)}: automatic updates off."
                    )
                else:
                    self.app.service.registry_delete(appliance.name, "AutoUpdate")
                    self.notify(
                        f"AutoUpdate deleted on {safe_text(appliance.name)}: automatic updates on."
                    )
            except StoreError as exc:
                self.app.report_error(exc)
                return
            self.app.after_change()

        self.app.push_screen(RegistryModal(appliance.name, appliance.registry), chosen)

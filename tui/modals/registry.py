"""A small Registry Editor: HKLM\\SOFTWARE\\Microsoft\\AzureAppliance, the AutoUpdate DWORD."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from tui.modals.base import Dialog
from tui.render import safe_text

KEY_PATH = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\AzureAppliance"


class RegistryModal(Dialog[str | None]):
    """Returns `set` (create AutoUpdate = 0), `delete` (delete AutoUpdate), or None."""

    DEFAULT_CSS = """
    RegistryModal > Vertical {
        width: 72;
        padding: 1 2;
    }
    """
    BINDINGS = [Binding("escape", "dismiss(None)", "Close", id="registry.close")]

    def __init__(self, appliance: str, registry: dict[str, int]) -> None:
        super().__init__()
        self.appliance = appliance
        self.registry = registry

    def compose(self) -> ComposeResult:
        value = self.registry.get("AutoUpdate")
        text = Text()
        text.append("Registry Editor on ", style="dim")
        text.append(safe_text(self.appliance), style="bold")
        text.append(f"\n\n{KEY_PATH}\n\n")
        text.append("  Name         Type        Data\n", style="bold")
        if value is None:
            text.append("  (no AutoUpdate value: automatic updates are on)\n", style="italic")
        else:
            text.append(f"  AutoUpdate   REG_DWORD   0x{value:08x} ({value})\n")
        text.append(
            "\nAutoUpdate = 0 turns the appliance's automatic updates off; deleting it turns"
            " them on."
        )
        with Vertical() as box:
            box.border_title = "AutoUpdate"
            yield Static(text)
            with Horizontal(classes="buttons"):
                if value is None or value != 0:
                    yield Button("Create AutoUpdate = 0", id="set", variant="warning")
                if value is not None:
                    yield Button("Delete AutoUpdate", id="delete", variant="primary")
                yield Button("Close", id="close")

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None if event.button.id == "close" else event.button.id)

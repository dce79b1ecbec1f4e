"""A yes/no question for destructive or fleet-wide actions; Cancel has the focus."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from tui.modals.base import Dialog


class ConfirmModal(Dialog[bool]):
    """Returns True only when the operator chooses OK."""

    DEFAULT_CSS = """
    ConfirmModal > Vertical {
        width: 64;
        border: thick $warning 60%;
        padding: 1 2;
    }
    ConfirmModal .buttons {
        margin-top: 1;
    }
    """
    BINDINGS = [Binding("escape", "dismiss(False)", "Cancel", id="confirm.cancel")]

    def __init__(
        self, title: str, message: str | Text, ok_label: str = "OK", cancel_label: str = "Cancel"
    ) -> None:
        """`cancel_label` names what declining keeps where "Cancel" would be ambiguous ("Keep
        job")."""
        super().__init__()
        self.title_text = title
        self.message = message
        self.ok_label = ok_label
        self.cancel_label = cancel_label

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self.title_text
            yield Static(self.message)
            with Horizontal(classes="buttons"):
                yield Button(self.cancel_label, id="cancel")
                yield Button(self.ok_label, id="ok", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "ok")

"""The frame every dialog shares: centred, bordered, scrolling body, buttons on the right."""

from __future__ import annotations

from textual.screen import ModalScreen, ScreenResultType


class Dialog(ModalScreen[ScreenResultType]):
    """Base of the console's dialogs; subclasses set only what differs (e.g. their width)."""

    DEFAULT_CSS = """
    Dialog {
        align: center middle;
    }
    Dialog > Vertical {
        width: 90;
        max-width: 98%;
        height: auto;
        max-height: 95%;
        border: thick $primary 60%;
        background: $panel;
        padding: 0 1;
    }
    Dialog VerticalScroll {
        height: auto;
        max-height: 70vh;
    }
    Dialog .buttons {
        height: auto;
        align-horizontal: right;
    }
    Dialog Button {
        margin-left: 1;
    }
    """

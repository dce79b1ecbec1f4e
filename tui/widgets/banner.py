"""The portal's banner: "New Site Recovery mobility agent update is available"."""

from __future__ import annotations

from textual.message import Message
from textual.widgets import Static

BANNER_TEXT = "▲ New Site Recovery mobility agent update is available. b: choose machines"


class UpdateBanner(Static):
    """Shown while any machine can update; clicking it (or its key) opens the bulk update dialog."""

    DEFAULT_CSS = """
    UpdateBanner {
        height: 1;
        background: $warning 20%;
        color: $text;
        padding: 0 1;
        display: none;
    }
    UpdateBanner.-visible {
        display: block;
    }
    UpdateBanner:hover {
        background: $warning 35%;
    }
    """

    class Activated(Message):
        """The operator clicked the banner."""

    def __init__(self, **kwargs) -> None:
        super().__init__(BANNER_TEXT, **kwargs)

    def show(self, visible: bool) -> None:
        self.set_class(visible, "-visible")

    def on_click(self) -> None:
        self.post_message(self.Activated())

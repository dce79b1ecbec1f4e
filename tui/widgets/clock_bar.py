"""The header line: vault, its local time, engine speed, and a READ-ONLY badge."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from rich.text import Text
from textual.reactive import reactive

from tui.render import safe_text
from tui.widgets.text_line import LineWidget


class HeaderState(NamedTuple):
    """What every screen's header shows; the app holds one (`ConsoleApp.header`)."""

    vault: str
    local_time: datetime
    speed: str
    read_only: bool


class ClockBar(LineWidget):
    """One line: `contoso-dr-east · Tue 16 Dec 23:47 EST · engine 60x` ... `asr-upgrade-console`.

    It follows the app's `header` reactive from the moment it mounts, so a screen shown for the
    first time has its header in its first frame (not at the next change poll)."""

    DEFAULT_CSS = """
    ClockBar {
        height: 1;
        background: $panel;
        color: $foreground;
    }
    ClockBar > .clock-bar--badge {
        background: $error;
        color: $text;
        text-style: bold;
    }
    ClockBar > .clock-bar--app {
        color: $text-muted;
    }
    """
    COMPONENT_CLASSES = {"clock-bar--badge", "clock-bar--app"}

    vault: reactive[str] = reactive("")
    """Name of the vault the screens show."""
    local_time: reactive[datetime | None] = reactive(None)
    """Engine time in the vault's time zone."""
    speed: reactive[str] = reactive("")
    """Engine speed and state, e.g. `engine 60x` or `engine paused`."""
    read_only: reactive[bool] = reactive(False)
    """Show the READ-ONLY badge."""

    def on_mount(self) -> None:
        if hasattr(type(self.app), "header"):  # a ConsoleApp (the bar is shown nowhere else)
            self.watch(self.app, "header", self._show_header, init=True)

    def _show_header(self, state: HeaderState | None) -> None:
        if state is not None:
            self.vault = state.vault
            self.local_time = state.local_time
            self.speed = state.speed
            self.read_only = state.read_only

    def render(self) -> Text:
        line = Text(" ")
        line.append(safe_text(self.vault), style="bold")
        if self.local_time is not None:
            line.append(" · ")
            line.append(self.local_time.strftime("%a %d %b %H:%M %Z"))
        if self.speed:
            line.append(" · ")
            line.append(self.speed)
        if self.read_only:
            line.append(" ")
            line.append(" READ-ONLY ", style=self.get_component_rich_style("clock-bar--badge"))
        app_name = "asr-upgrade-console "
        pad = self.size.width - line.cell_len - len(app_name)
        if pad > 1:
            line.append(" " * pad)
            line.append(app_name, style=self.get_component_rich_style("clock-bar--app"))
        line.truncate(max(self.size.width, 1), overflow="ellipsis")
        return line

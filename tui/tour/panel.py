"""The narration panel: docked under every screen and dialog of a tour, it says what happens and
what to press."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from rich.console import RenderableType
from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from tui.tour.keys import Stroke, label

Phase = Literal["starting", "waiting", "performing", "fast-forward", "complete", "stalled"]


@dataclass(frozen=True)
class Progress:
    """Where a tour is: what the panel shows (the tour app publishes a new one at every change)."""

    title: str
    """The tour's one-line title."""
    auto: bool
    """--auto (the tour presses the keys) or presenter mode (the presenter does)."""
    index: int = 0
    """The step shown (0-based)."""
    total: int = 0
    """How many steps the tour has."""
    say: str = ""
    """The step's narration."""
    keys: tuple[Stroke, ...] = ()
    """What the step presses or types."""
    pressing: int | None = None
    """The stroke being pressed now (--auto or ctrl+n), or None."""
    act_label: str = ""
    """The act the step performs (ctrl+n for the presenter)."""
    kind: str = "narrate"
    """The step's kind: keys, act, fast-forward or narrate."""
    phase: Phase = "starting"
    """What the tour is doing."""
    note: str = ""
    """A short status: the engine time reached by a fast-forward, or why the tour stalled."""


NEXT_KEYS = "ctrl+n,f2"
"""The presenter's keys: perform the current step (or continue after narration). F2 because browsers
keep ctrl+n for themselves (`asr-console serve --tour`)."""
NEXT_LABEL = "ctrl+n/F2"


def body(
    p: Progress,
    key_style: Style | str = "reverse",
    current_style: Style | str = "bold reverse",
    hint_style: Style | str = "dim",
) -> Text:
    """Pure: a progress snapshot as the panel's text (narration, then what to press or what
    runs)."""
    text = Text(p.say)
    text.append("\n")
    if p.phase == "complete":
        text.append("✔ Tour complete. ", style="bold")
        text.append("The console is yours: keep exploring, or press q to quit.", style=hint_style)
        return text
    if p.phase == "stalled":
        text.append("✖ The tour stopped: ", style="bold")
        text.append(p.note)
        return text
    if p.phase == "starting":
        text.append("Starting the console's engine…", style=hint_style)
        return text
    performing = p.phase in ("performing", "fast-forward")
    upcoming = "Next: " if p.auto and not performing else ""
    if p.keys:
        verb = "Pressing" if performing else "Next:" if p.auto else "Press"
        text.append(f"▶ {verb} ", style="bold")
        for n, stroke in enumerate(p.keys):
            if n:
                text.append(" ")
            style = current_style if n == p.pressing else key_style
            text.append(f" {label(stroke)} ", style=style)
    elif p.kind == "act":
        text.append(f"▶ {upcoming}", style="bold")
        text.append(p.act_label, style="bold")
    elif p.kind == "fast-forward":
        text.append(
            (
                "▶▶ Fast-forwarding engine time"
                if performing
                else f"▶▶ {upcoming}Fast-forward engine time"
            ),
            style="bold",
        )
    if p.note:
        text.append(f"  {p.note}", style=hint_style)
    if not p.auto and p.phase == "waiting":
        what = {
            "keys": "do it for me",
            "act": "do it",
            "fast-forward": "fast-forward",
            "narrate": "continue",
        }
        gap = "   " if p.kind != "narrate" or p.note else ""
        text.append(f"{gap}{NEXT_LABEL}: {what.get(p.kind, 'continue')}", style=hint_style)
    return text


class NarrationPanel(Widget):
    """Tour narration, docked at the bottom of whatever the console shows."""

    DEFAULT_CSS = """
    NarrationPanel {
        dock: bottom;
        height: auto;
        max-height: 12;
        border: round $accent;
        border-title-color: $text;
        border-title-style: bold;
        border-subtitle-color: $text-muted;
        background: $boost;
        padding: 0 1;
        &.-above-footer { margin-bottom: 1; }
        & > .narration--key { background: $primary 40%; color: $text; }
        & > .narration--current { background: $accent; color: $text; text-style: bold; }
        & > .narration--hint { color: $text-muted; }
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "narration--key",
        "narration--current",
        "narration--hint",
    }

    progress: reactive[Progress | None] = reactive(None, layout=True)
    """The snapshot shown."""

    def on_mount(self) -> None:
        register = getattr(self.app, "register_panel", None)
        if register is not None:
            register(self)
        self.call_after_refresh(self._above_footer)

    def _above_footer(self) -> None:
        """Docked widgets share their edge: sit above the screen's footer rather than over it (or
        above the line the items screen keeps for its footer until the first rows are shown)."""
        self.set_class(bool(self.screen.query("KeyBar, FooterLine")), "-above-footer")

    def on_unmount(self) -> None:
        unregister = getattr(self.app, "unregister_panel", None)
        if unregister is not None:
            unregister(self)

    def watch_progress(self, progress: Progress | None) -> None:
        if progress is None:
            return
        self.border_title = Text(f"Tour · {progress.title}")
        mode = "auto" if progress.auto else "presenter"
        step = f"step {progress.index + 1} of {progress.total}" if progress.total else ""
        self.border_subtitle = Text(" · ".join(s for s in (step, mode) if s))

    def render(self) -> RenderableType:
        if self.progress is None:
            return Text("")
        return body(
            self.progress,
            key_style=self.get_component_rich_style("narration--key"),
            current_style=self.get_component_rich_style("narration--current"),
            hint_style=self.get_component_rich_style("narration--hint"),
        )

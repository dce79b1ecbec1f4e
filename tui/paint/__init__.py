"""The fence around Textual's internals: the console's paint fast path, with Textual's stock path
beside each hook. No module outside `tui/paint/` names a private Textual API; README.md here lists
each hook, what it buys and the test that catches a Textual upgrade changing it.

`ASR_CONSOLE_PAINT` picks the path when this package is first imported: unset or `fast`, every
hook; `stock`, Textual's own path, where no private name is touched; `fast,-HOOK,...` or
`stock,+HOOK,...` leaves hooks out or puts them in (for A/B measurement).
"""

from __future__ import annotations

import os
import sys

from textual.app import App
from textual.geometry import Size
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.widget import Widget

HOOKS = {
    "compositor": "a partial update asks each widget only for its lines that changed",
    "line-cache": "content lines framed in their border once per paint, not per line",
    "scrollbar": "the tables' vertical scrollbar painted straight from its segments",
    "table-height": "a virtual table's new row count leaves the screen's layout alone",
    "start-frames": "the first screen skips frames about to be redone, paints after its layout",
    "one-frame": "a filter keystroke's echo and its rows in one frame",
    "stylesheet": "the app styled before its first screen: no second stylesheet parse",
}
"""Each hook of the fast path, by the name `ASR_CONSOLE_PAINT` knows it by."""

ENV = "ASR_CONSOLE_PAINT"


def parse(value: str) -> frozenset[str]:
    """The hooks `value` (an `ASR_CONSOLE_PAINT` setting) turns on; ValueError if it is not one."""
    words = [word.strip() for word in value.split(",") if word.strip()] or ["fast"]
    if words[0] not in ("fast", "stock"):
        raise ValueError(f"{ENV}={value!r}: starts with fast or stock")
    on = set(HOOKS) if words[0] == "fast" else set()
    for word in words[1:]:
        name = word[1:]
        if word[:1] not in "+-" or name not in HOOKS:
            raise ValueError(
                f"{ENV}={value!r}: {word!r} is not +HOOK or -HOOK (hooks: {', '.join(HOOKS)})"
            )
        (on.add if word[0] == "+" else on.discard)(name)
    return frozenset(on)


try:
    ENABLED = parse(os.environ.get(ENV, ""))
except ValueError as error:  # Bad input: one line and exit 2, before anything is drawn.
    print(f"asr-console: {error}", file=sys.stderr)
    raise SystemExit(2) from None


def enabled(hook: str) -> bool:
    return hook in ENABLED


# -- frames ----------------------------------------------------------------------------------------
if enabled("start-frames"):
    from tui.paint.frames import StartScreen
else:
    StartScreen = Screen  # type: ignore[misc,assignment]


def send_repaints(screen: Screen) -> None:
    """Hand `screen` now every repaint its widgets asked for, so one frame shows them all."""
    if enabled("one-frame"):
        from tui.paint.frames import send_repaints as send

        send(screen)


def use_line_compositor(screen: Screen) -> None:
    """Give `screen` the line compositor (from its `__init__`, before it is laid out)."""
    if enabled("compositor"):
        from tui.paint.compositor import LineCompositor

        screen._compositor = LineCompositor()


def style_app_first(app: App) -> None:
    """From `App.on_load`: style the app before its first screen, so that screen is styled once."""
    if enabled("stylesheet"):
        from tui.paint.frames import style_app_first as style

        style(app)


# -- widgets ---------------------------------------------------------------------------------------
def use_framed_line_cache(widget: Widget) -> None:
    """Give `widget` the framed line cache (from its `__init__`)."""
    if enabled("line-cache"):
        from tui.paint.line_cache import FramedLineCache

        widget._styles_cache = FramedLineCache()


def set_virtual_height(view: ScrollView, height: int) -> None:
    """Give a virtual table `height` lines (width 0: its columns always fit)."""
    if enabled("table-height"):
        from tui.paint.scrolling import set_virtual_height as set_height

        set_height(view, height)
    else:
        view.virtual_size = Size(0, height)


def vertical_scrollbar(widget: Widget) -> ScrollBar | None:
    """For a `vertical_scrollbar` property: the line scrollbar, or None for Textual's own."""
    if enabled("scrollbar"):
        from tui.paint.scrolling import vertical_line_scrollbar

        return vertical_line_scrollbar(widget)
    return None

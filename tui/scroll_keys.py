"""The scroll keys for a view whose body scrolls whatever has the focus (a dialog, Settings)."""

from __future__ import annotations

from textual.binding import Binding
from textual.widget import Widget

_KEYS = (
    ("down", "down", "Scroll down"),
    ("up", "up", "Scroll up"),
    ("pagedown", "page_down", "Page down"),
    ("pageup", "page_up", "Page up"),
    ("home", "home", "Top"),
    ("end", "end", "Bottom"),
)


def scroll_bindings(scope: str, action: str) -> list[Binding]:
    """Down, Up, PgDn, PgUp, Home and End bound to `action('down')` ... `action('end')`, hidden
    from the footer, with ids under `scope` (so each can be remapped)."""
    return [
        Binding(key, f"{action}('{how}')", title, show=False, id=f"{scope}.scroll_{how}")
        for key, how, title in _KEYS
    ]


def scroll(body: Widget, how: str) -> None:
    """Scroll `body` one step of `how` (down, up, page_down, page_up, home, end), at once."""
    getattr(body, f"scroll_{how}")(animate=False)
